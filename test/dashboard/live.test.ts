/**
 * Live data over real mosquitto and influxd: the edges' records reach only the socket.io rooms
 * that may see them, the whole state comes at once on (re)joining, the public gets the corridor
 * and never a unit id, and a session that ends takes its sockets with it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics, type CheckpointLive, type CorridorLive, type QueueRecord, type UnitsInsideRecord } from '@gatewatch/shared';
import type { Dashboard } from '@gatewatch/dashboard';
import {
  SECRET_UNITS,
  USERS,
  Publisher,
  api,
  clearanceRecord,
  login,
  openSocket,
  queueLine,
  queueRecord,
  startServices,
  startTestDashboard,
  waitFor,
  watch,
  writeConfig,
  writeLines,
  type Services,
} from './fixture.js';

const KT = 'kim-thanh-road';
const HP = 'hai-phong-port';
const RAIL = 'lao-cai-rail';

describe('dashboard live data on real services', () => {
  let services: Services;
  let dashboard: Dashboard;
  let pub: Publisher;
  const seededAt = Date.now() - 20 * 60_000;

  beforeAll(async () => {
    services = await startServices('live');
    // Twenty minutes of history before the server starts: it must seed its charts from it.
    const lines: string[] = [];
    for (let i = 0; i < 10; i++) {
      lines.push(queueLine(queueRecord(KT, 'IN-1', seededAt + i * 10_000, { length: 4 + i, wait_estimate_s: 300 + i })));
    }
    await writeLines(services.influxd, lines);
    dashboard = await startTestDashboard(await writeConfig(services, 'live'));
    pub = await Publisher.connect(services.mosquitto.url);
  });
  afterAll(async () => {
    await pub?.close();
    await dashboard?.stop();
    await services?.close();
  });

  it('seeds the charts from InfluxDB and sends the whole state on watch', async () => {
    const cookie = await login(dashboard.url, USERS.officer);
    const { socket, events } = openSocket(dashboard.url, cookie);
    try {
      await waitFor(() => events.some((e) => e.name === 'corridor'), 5000, 'corridor');
      expect(await watch(socket, KT)).toEqual({ ok: true });
      const live = events.find((e) => e.name === 'checkpoint')!.args[0] as CheckpointLive;
      expect(live.checkpoint).toBe(KT);
      expect(live.series.filter((p) => p.lane === 'IN-1')).toHaveLength(10);
      expect(live.lanes.find((l) => l.lane === 'IN-1')).toMatchObject({ length: 13, wait_estimate_s: 309 });
      // The lane let units through in the last 30 minutes: open, and its estimate is the direction's.
      // History only, 18 minutes old: the last known figures, marked stale with their age, never as live.
      const inbound = live.estimates.find((e) => e.direction === 'inbound')!;
      expect(inbound).toMatchObject({ state: 'stale', expectedWaitS: 309, lanesOpen: 0, lanesTotal: 2, queueLength: 13, level: 'unknown' });
      expect(inbound.ageS).toBeGreaterThanOrEqual(18 * 60 - 5);
      expect(inbound.ageS).toBeLessThan(19 * 60);
    } finally {
      socket.close();
    }
  });

  it("gives an officer their checkpoint's events and nothing of another's", async () => {
    const cookie = await login(dashboard.url, USERS.officer);
    const { socket, events } = openSocket(dashboard.url, cookie);
    try {
      expect(await watch(socket, KT)).toEqual({ ok: true });
      expect(await watch(socket, HP)).toEqual({ ok: false, code: 'FORBIDDEN', error: `checkpoint '${HP}' is not among yours` });
      expect(await watch(socket, RAIL)).toMatchObject({ ok: false });
      const t = Date.now();
      // Everything of the other checkpoints first; the marker of our checkpoint last (one publisher, QoS 1: in order).
      for (const cp of [HP, RAIL]) {
        await pub.publish(topics.liveQueue(cp), queueRecord(cp, cp === RAIL ? 'T1' : 'IN-1', t, { length: 99 }));
        await pub.publish(topics.liveClearance(cp), clearanceRecord(cp, t));
        await pub.publish(topics.liveDevice(cp), { checkpoint: cp, device: 'gate-1', online: false, frames: 1, bad_frames: 0, lost_frames: 0, last_seen_s: 99, time: new Date(t).toISOString(), timeNs: '1' });
        await pub.publish(topics.liveUnits(cp), { checkpoint: cp, time: new Date(t).toISOString(), units: [], more: 0 });
        await pub.publish(topics.status(cp), 'offline');
      }
      await pub.publish(topics.liveQueue(KT), queueRecord(KT, 'IN-2', t, { length: 21 }));
      await waitFor(() => events.some((e) => e.name === 'queue'), 5000, 'the queue record of the own checkpoint');
      const own = events.filter((e) => !['corridor', 'checkpoint'].includes(e.name));
      // The queue record, and the queueLength alert it raised (21 ≥ 20).
      expect(own.map((e) => e.name).sort()).toEqual(['alert', 'queue']);
      expect(own.find((e) => e.name === 'queue')!.args[0]).toMatchObject({ checkpoint: KT, lane: 'IN-2', length: 21 });
      expect(own.find((e) => e.name === 'alert')!.args[0]).toMatchObject({ id: `${KT}:queueLength:IN-2`, active: true, value: 21, threshold: 20 });
      const all = JSON.stringify(events.filter((e) => e.name !== 'corridor'));
      expect(all).not.toContain(HP);
      expect(all).not.toContain(RAIL);
      await pub.publish(topics.status(HP), 'online');
      await pub.publish(topics.status(RAIL), 'online');
    } finally {
      socket.close();
    }
  });

  it("lets a manager watch the region's checkpoints only", async () => {
    const cookie = await login(dashboard.url, USERS.managerLaoCai);
    const { socket, events } = openSocket(dashboard.url, cookie);
    try {
      expect(await watch(socket, RAIL)).toEqual({ ok: true });
      expect(await watch(socket, KT)).toEqual({ ok: true });
      expect(await watch(socket, HP)).toMatchObject({ ok: false });
      await pub.publish(topics.liveQueue(HP), queueRecord(HP, 'IN-1', Date.now()));
      await pub.publish(topics.liveQueue(RAIL), queueRecord(RAIL, 'T1', Date.now(), { length: 5 }));
      await waitFor(() => events.some((e) => e.name === 'queue'), 5000, 'the rail queue record');
      expect(events.filter((e) => e.name === 'queue').map((e) => (e.args[0] as QueueRecord).checkpoint)).toEqual([RAIL]);
      expect(events.filter((e) => e.name === 'checkpoint').map((e) => (e.args[0] as CheckpointLive).checkpoint)).toEqual([RAIL, KT]);
    } finally {
      socket.close();
    }
  });

  it('gives a reconnecting socket the latest records at once, without a new publish', async () => {
    const t = Date.now();
    await pub.publish(topics.liveQueue(KT), queueRecord(KT, 'OUT-1', t, { length: 7, wait_estimate_s: 420 }));
    const units: UnitsInsideRecord = { checkpoint: KT, time: new Date(t).toISOString(), units: [{ unit: SECRET_UNITS[1], lane: 'IN-1', kind: 'container', channel: 'red', queueAt: new Date(t - 60_000).toISOString() }], more: 0 };
    await pub.publish(topics.liveUnits(KT), units, true);
    const cookie = await login(dashboard.url, USERS.officer);
    const first = openSocket(dashboard.url, cookie);
    await watch(first.socket, KT);
    await waitFor(() => first.events.some((e) => e.name === 'units' || ((e.args[0] as CheckpointLive | undefined)?.units?.units.length ?? 0) > 0), 5000, 'the units');
    first.socket.close();

    const again = openSocket(dashboard.url, cookie);
    try {
      expect(await watch(again.socket, KT)).toEqual({ ok: true });
      const live = again.events.find((e) => e.name === 'checkpoint')!.args[0] as CheckpointLive;
      expect(live.lanes.find((l) => l.lane === 'OUT-1')).toMatchObject({ length: 7, wait_estimate_s: 420 });
      expect(live.units?.units[0]).toMatchObject({ unit: SECRET_UNITS[1], channel: 'red' });
      expect(live.series.some((p) => p.lane === 'OUT-1' && p.length === 7)).toBe(true);
    } finally {
      again.socket.close();
    }
  });

  it('gives the public the corridor and never a unit id', async () => {
    const { socket, events } = openSocket(dashboard.url);
    try {
      await waitFor(() => events.some((e) => e.name === 'corridor'), 5000, 'corridor');
      expect(await watch(socket, KT)).toEqual({ ok: false, code: 'UNAUTHORIZED', error: 'sign in first' });
      const t = Date.now();
      for (const [i, unit] of SECRET_UNITS.entries()) await pub.publish(topics.liveClearance(KT), clearanceRecord(KT, t + i, { unit }));
      await pub.publish(topics.liveUnits(KT), { checkpoint: KT, time: new Date(t + 5).toISOString(), units: SECRET_UNITS.map((unit) => ({ unit, lane: 'IN-1', kind: 'truck', channel: 'green' })), more: 0 }, true);
      // A change of estimate: the corridor is sent again within a second or so.
      await pub.publish(topics.liveQueue(KT), queueRecord(KT, 'IN-1', t, { length: 2, wait_estimate_s: 120 }));
      await waitFor(
        () => events.some((e) => e.name === 'corridor' && JSON.stringify(e.args[0]).includes('"expectedWaitS":120')),
        5000,
        'the changed corridor',
      );
      expect(events.every((e) => e.name === 'corridor')).toBe(true);
      const corridor = events.at(-1)!.args[0] as CorridorLive;
      expect(corridor.checkpoints.map((c) => c.checkpoint)).toEqual([RAIL, KT, HP]);
      const text = JSON.stringify(events);
      for (const unit of SECRET_UNITS) expect(text).not.toContain(unit);

      const answers = await Promise.all(['/api/v1/checkpoints', '/api/v1/wait-estimates', `/api/v1/wait-estimates/trend?checkpoint=${KT}`, `/api/v1/wait-estimates/typical?checkpoint=${KT}`].map((p) => api(dashboard.url, p)));
      for (const a of answers) {
        expect(a.status).toBe(200);
        for (const unit of SECRET_UNITS) expect(a.text).not.toContain(unit);
      }
      expect(JSON.stringify(answers[1]!.body)).toContain('"expectedWaitS":120');
    } finally {
      socket.close();
    }
  });

  it("treats a socket opened by another site's page as public, cookie or not", async () => {
    const cookie = await login(dashboard.url, USERS.officer);
    const foreign = openSocket(dashboard.url, cookie, 'https://evil.example');
    const own = openSocket(dashboard.url, cookie, dashboard.url);
    try {
      expect(await watch(foreign.socket, KT)).toEqual({ ok: false, code: 'UNAUTHORIZED', error: 'sign in first' });
      expect(await watch(own.socket, KT)).toEqual({ ok: true });
    } finally {
      foreign.socket.close();
      own.socket.close();
    }
  });

  it('disconnects the sockets of a session that signs out', async () => {
    const cookie = await login(dashboard.url, USERS.officer);
    const { socket } = openSocket(dashboard.url, cookie);
    expect(await watch(socket, KT)).toEqual({ ok: true });
    const gone = new Promise<string>((resolve) => socket.on('disconnect', (reason) => resolve(reason)));
    expect((await api(dashboard.url, '/api/auth/logout', { method: 'POST', cookie })).status).toBe(204);
    expect(await gone).toBe('io server disconnect');
    socket.close();
  });

  it('counts a bad payload and goes on', async () => {
    const before = (await api<{ mqtt: { bad: number } }>(dashboard.url, '/api/health')).body.mqtt.bad;
    await pub.publish(topics.liveQueue(KT), 'not json {');
    await pub.publish(topics.liveQueue(KT), { checkpoint: KT, lane: 'IN-1', length: -1 });
    await pub.publish(topics.liveQueue(HP), queueRecord(KT, 'IN-1', Date.now()));
    await pub.publish(topics.status(KT), 'sleeping');
    await waitFor(async () => (await api<{ mqtt: { bad: number } }>(dashboard.url, '/api/health')).body.mqtt.bad === before + 4, 5000, 'four bad payloads counted');
    const cookie = await login(dashboard.url, USERS.officer);
    const { socket, events } = openSocket(dashboard.url, cookie);
    try {
      await watch(socket, KT);
      await pub.publish(topics.liveQueue(KT), queueRecord(KT, 'IN-1', Date.now(), { length: 1 }));
      await waitFor(() => events.some((e) => e.name === 'queue'), 5000, 'a good record after the bad ones');
    } finally {
      socket.close();
    }
  });
});
