import { describe, expect, it } from 'vitest';
import { msToNs, type QueueRecord } from '@gatewatch/shared';
import type { CheckpointConfig } from '../config/types.js';
import { decodePayload } from './decode.js';
import { thinCheckpoints } from './seed.js';
import { LiveState, MAX_CLEARANCES, MAX_LANES_PER_CHECKPOINT } from './state.js';

const KT: CheckpointConfig = {
  id: 'kim-thanh-road',
  name: { vi: 'Kim Thành', en: 'Kim Thanh' },
  kind: 'road',
  region: 'lao-cai',
  lanes: [
    { id: 'IN-1', direction: 'inbound' },
    { id: 'IN-2', direction: 'inbound' },
    { id: 'OUT-1', direction: 'outbound' },
  ],
  alerts: { queueLength: 10, waitS: 3600 },
  congestion: { busyWaitS: 1800, congestedWaitS: 7200 },
  deviceIntervalS: 30,
  queueIntervalS: 10,
  laneOpenMinutes: 30,
};
const T0 = Date.parse('2026-11-25T01:00:00Z');
const q = (lane: string, ms: number, v: Partial<QueueRecord> = {}): QueueRecord => ({
  checkpoint: KT.id, lane, length: 2, arrivals: 0, departures: 0, wait_estimate_s: 300, time: new Date(ms).toISOString(), timeNs: msToNs(ms), ...v,
});

describe('live state of a checkpoint', () => {
  it('keeps two hours of points per lane, in time order, capped', () => {
    const state = new LiveState([KT], () => T0);
    for (let i = 0; i < 900; i++) state.applyQueue(q('IN-1', T0 - 9000_000 + i * 10_000));
    state.applyQueue(q('IN-1', T0 - 3600_000 + 5000, { length: 7 })); // late, in between
    const series = state.snapshot(KT.id)!.series;
    expect(Date.parse(series[0]!.time)).toBeGreaterThanOrEqual(Date.parse(series.at(-1)!.time) - 2 * 3600_000);
    expect(series.map((p) => p.time)).toEqual([...series.map((p) => p.time)].sort());
    expect(series.some((p) => p.length === 7)).toBe(true);
    // The late record is not the latest.
    expect(state.snapshot(KT.id)!.lanes[0]!.time).toBe(new Date(T0 - 9000_000 + 899 * 10_000).toISOString());
  });

  it('completes a series with history that arrives after the live records (a backfill, a drained outbox)', () => {
    const state = new LiveState([KT], () => T0);
    state.setLink(true);
    for (let i = 0; i < 30; i++) state.applyQueue(q('IN-1', T0 - 300_000 + i * 10_000));
    expect(thinCheckpoints(state, [KT.id], T0)).toEqual([KT.id]);
    // No departure seen live yet (a quiet night): the lane reads closed.
    expect(state.estimates(KT.id).find((e) => e.direction === 'inbound')!.lanesOpen).toBe(0);
    // The history of the two hours before, seeded again: merged in order, the latest stays the newest.
    state.seedQueue(Array.from({ length: 720 }, (_, i) => q('IN-1', T0 - 7200_000 + i * 10_000, { length: 1, departures: i > 700 ? 1 : 0 })));
    // Its departures say the lane is open.
    expect(state.estimates(KT.id).find((e) => e.direction === 'inbound')!.lanesOpen).toBe(1);
    const snap = state.snapshot(KT.id)!;
    expect(snap.series).toHaveLength(720);
    expect(snap.series.map((p) => p.time)).toEqual([...snap.series.map((p) => p.time)].sort());
    expect(snap.lanes[0]!.time).toBe(new Date(T0 - 10_000).toISOString());
    expect(thinCheckpoints(state, [KT.id], T0)).toEqual([]);
  });

  it('keeps a station’s tracks open between trains hours apart (its own open window)', () => {
    const rail: CheckpointConfig = { ...KT, id: 'lao-cai-rail', kind: 'rail', lanes: [{ id: 'T1', direction: 'inbound' }], laneOpenMinutes: 180 };
    const state = new LiveState([rail], () => T0);
    state.setLink(true);
    state.applyQueue({ ...q('T1', T0 - 2 * 3600_000, { departures: 25 }), checkpoint: rail.id });
    state.applyQueue({ ...q('T1', T0 - 10_000, { length: 0, wait_estimate_s: 1500 }), checkpoint: rail.id });
    expect(state.estimates(rail.id)[0]).toMatchObject({ state: 'open', lanesOpen: 1, expectedWaitS: 1500, level: 'normal' });
    const road = new LiveState([{ ...rail, laneOpenMinutes: 30 }], () => T0);
    road.setLink(true);
    road.applyQueue({ ...q('T1', T0 - 2 * 3600_000, { departures: 25 }), checkpoint: rail.id });
    road.applyQueue({ ...q('T1', T0 - 10_000, { length: 0, wait_estimate_s: 1500 }), checkpoint: rail.id });
    expect(road.estimates(rail.id)[0]).toMatchObject({ state: 'closed', lanesOpen: 0, expectedWaitS: null, level: 'closed' });
  });

  it('estimates per direction with its state: open lanes (without hours, a unit passed within laneOpenMinutes), stale once records stop, the broker is lost or the agent is offline', () => {
    let now = T0;
    const state = new LiveState([KT], () => now);
    // Until the bridge is subscribed, nothing is live.
    state.applyQueue(q('IN-1', T0 - 5_000, { departures: 1, wait_estimate_s: 900, length: 5 }));
    expect(state.estimates(KT.id)[0]).toMatchObject({ state: 'stale', expectedWaitS: 900 });
    state.setLink(true);
    state.applyQueue(q('IN-2', T0 - 5_000, { departures: 0, wait_estimate_s: 100, length: 1 }));
    expect(state.estimates(KT.id)).toEqual([
      { checkpoint: KT.id, direction: 'inbound', expectedWaitS: 900, queueLength: 6, lanesOpen: 1, lanesTotal: 2, level: 'normal', updatedAt: new Date(T0 - 5_000).toISOString(), state: 'open' },
      { checkpoint: KT.id, direction: 'outbound', expectedWaitS: null, queueLength: 0, lanesOpen: 0, lanesTotal: 1, level: 'unknown', updatedAt: null, state: 'unknown' },
    ]);
    // Half an hour on, the lanes report but nobody passed: closed (no hours to say when it opens).
    now = T0 + 31 * 60_000;
    state.applyQueue(q('IN-1', now - 1_000, { departures: 0, length: 0 }));
    state.applyQueue(q('IN-2', now - 1_000, { departures: 0, length: 0 }));
    expect(state.estimates(KT.id)[0]).toMatchObject({ state: 'closed', lanesOpen: 0, level: 'closed', expectedWaitS: null });
    // The records stop: stale, with their age.
    now += 45_000;
    expect(state.estimates(KT.id)[0]).toMatchObject({ state: 'stale', ageS: 46, level: 'unknown' });
    // Fresh again, then the broker is lost: stale from that moment.
    state.applyQueue(q('IN-1', now, { departures: 1, wait_estimate_s: 60 }));
    expect(state.estimates(KT.id)[0]).toMatchObject({ state: 'open', expectedWaitS: 60 });
    state.setLink(false);
    now += 20_000;
    expect(state.estimates(KT.id)[0]).toMatchObject({ state: 'stale', ageS: 20, expectedWaitS: 60 });
    state.setLink(true);
    state.applyQueue(q('IN-1', now, { departures: 1, wait_estimate_s: 60 }));
    state.applyStatus(KT.id, 'offline');
    expect(state.estimates(KT.id)[0]).toMatchObject({ state: 'stale', level: 'unknown' });
  });

  it('closes a crossing outside its opening hours whatever its records, and says when it opens', () => {
    // 23:30 local (UTC+7) on 2026-12-07.
    const night = Date.parse('2026-12-07T23:30:00+07:00');
    const state = new LiveState([{ ...KT, hours: [{ open: '07:00', close: '22:00' }] }], () => night);
    state.setLink(true);
    state.applyQueue(q('IN-1', night - 2_000, { departures: 0, length: 4, wait_estimate_s: 0 }));
    expect(state.estimates(KT.id)[0]).toMatchObject({ state: 'closed', opensAt: '2026-12-08T00:00:00.000Z', expectedWaitS: null, queueLength: 4, level: 'closed' });
  });

  it('raises an alert once when a threshold is passed and ends it once', () => {
    const state = new LiveState([KT], () => T0);
    expect(state.applyQueue(q('IN-1', T0, { length: 10 })).map((e) => e.type)).toEqual(['queue', 'alert']);
    expect(state.applyQueue(q('IN-1', T0 + 10_000, { length: 12 })).map((e) => e.type)).toEqual(['queue']);
    expect(state.snapshot(KT.id)!.alerts).toEqual([{ id: `${KT.id}:queueLength:IN-1`, checkpoint: KT.id, kind: 'queueLength', subject: 'IN-1', since: new Date(T0).toISOString(), active: true, value: 12, threshold: 10 }]);
    const ended = state.applyQueue(q('IN-1', T0 + 20_000, { length: 3 }));
    expect(ended[1]).toMatchObject({ type: 'alert', alert: { active: false, value: 3 } });
    expect(state.snapshot(KT.id)!.alerts).toEqual([]);
    expect(state.applyQueue(q('IN-2', T0, { wait_estimate_s: 4000 }))[1]).toMatchObject({ alert: { kind: 'waitTime', subject: 'IN-2', value: 4000, threshold: 3600 } });
  });

  it('says a device is silent when it says so or after three missed records; the checkpoint offline from its status', () => {
    let now = T0;
    const state = new LiveState([KT], () => now);
    const device = (online: boolean) => ({ checkpoint: KT.id, device: 'gate-1', online, frames: 1, bad_frames: 0, lost_frames: 0, last_seen_s: 1, time: new Date(now).toISOString(), timeNs: msToNs(now) });
    expect(state.applyDevice(device(true)).map((e) => e.type)).toEqual(['device']);
    now += 89_000;
    expect(state.tick()).toEqual([]);
    now += 1000;
    expect(state.tick()).toEqual([{ type: 'alert', checkpoint: KT.id, alert: expect.objectContaining({ kind: 'deviceSilent', subject: 'gate-1', active: true }) }]);
    expect(state.tick()).toEqual([]);
    expect(state.applyDevice(device(true))[1]).toMatchObject({ alert: { kind: 'deviceSilent', active: false } });
    expect(state.applyDevice(device(false))[1]).toMatchObject({ alert: { kind: 'deviceSilent', active: true } });
    expect(state.applyStatus(KT.id, 'offline')[1]).toMatchObject({ alert: { id: `${KT.id}:checkpointOffline:${KT.id}`, active: true } });
    expect(state.applyStatus(KT.id, 'online')[1]).toMatchObject({ alert: { kind: 'checkpointOffline', active: false } });
  });

  it('keeps the latest clearances, newest first; ignores checkpoints it does not know', () => {
    const state = new LiveState([KT], () => T0);
    for (let i = 0; i < 60; i++) {
      const ms = T0 + i * 1000;
      state.applyClearance({ checkpoint: KT.id, lane: 'IN-1', kind: 'truck', channel: 'green', outcome: 'released', unit: `U${i}`, time: new Date(ms).toISOString(), timeNs: msToNs(ms) });
    }
    const list = state.snapshot(KT.id)!.clearances;
    expect(list).toHaveLength(MAX_CLEARANCES);
    expect(list[0]!.unit).toBe('U59');
    expect(state.applyQueue({ ...q('IN-1', T0), checkpoint: 'elsewhere' })).toEqual([]);
    expect(state.corridor().checkpoints.map((c) => c.checkpoint)).toEqual([KT.id]);
  });

  it('shows a lane its config lacks, but refuses an edge inventing lanes beyond the bound', () => {
    const state = new LiveState([KT], () => T0);
    for (let i = 0; i < MAX_LANES_PER_CHECKPOINT; i++) state.applyQueue(q(`X-${i}`, T0));
    expect(() => state.applyQueue(q('X-new', T0))).toThrow(/^lane: the checkpoint already has 64 lanes \(is 'X-new'\)$/);
    // Lanes it holds still update.
    expect(state.applyQueue(q('X-0', T0 + 10_000, { length: 7 }))[0]).toMatchObject({ record: { lane: 'X-0', length: 7 } });
    expect(state.snapshot(KT.id)!.lanes).toHaveLength(MAX_LANES_PER_CHECKPOINT);
    // A seed beyond the bound is skipped, not thrown.
    expect(() => state.seedQueue([q('X-seed', T0)])).not.toThrow();
  });
});

describe('payloads from the edges', () => {
  const buf = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
  it('reads good records and drops unknown fields', () => {
    const r = decodePayload('queue', KT.id, buf({ ...q('IN-1', T0), extra: 'x' }));
    expect(r).toEqual({ ok: true, value: { kind: 'queue', record: q('IN-1', T0) } });
    expect(decodePayload('status', KT.id, buf('offline'))).toEqual({ ok: true, value: { kind: 'status', status: 'offline' } });
  });

  it('refuses bad ones with a reason', () => {
    expect(decodePayload('queue', KT.id, buf('{'))).toEqual({ ok: false, reason: 'not JSON' });
    expect(decodePayload('queue', KT.id, buf({ ...q('IN-1', T0), length: -1 }))).toMatchObject({ ok: false, reason: expect.stringMatching(/^length: /) });
    expect(decodePayload('queue', KT.id, buf({ ...q('IN-1', T0), time: 'yesterday' }))).toMatchObject({ ok: false, reason: 'time: not a time' });
    expect(decodePayload('queue', 'other', buf(q('IN-1', T0)))).toMatchObject({ ok: false, reason: expect.stringContaining("differs from the topic's") });
    expect(decodePayload('units', KT.id, buf([]))).toMatchObject({ ok: false });
    expect(decodePayload('status', KT.id, buf('maybe'))).toMatchObject({ ok: false });
  });

  it('keeps times as UTC, so a +07:00 time orders with the others', () => {
    const local = { ...q('IN-1', T0), time: '2026-11-25T08:00:00.500+07:00' };
    const r = decodePayload('queue', KT.id, buf(local), T0);
    expect(r).toMatchObject({ ok: true, value: { record: { time: '2026-11-25T01:00:00.500Z' } } });
  });

  it('refuses a record dated ahead of the server clock, which would stick as the lane latest', () => {
    const ahead = new Date(T0 + 6 * 60_000).toISOString();
    expect(decodePayload('queue', KT.id, buf({ ...q('IN-1', T0), time: ahead }), T0)).toEqual({
      ok: false,
      reason: `time: more than 5 minutes ahead of the server's clock (is '${ahead}')`,
    });
    // A little skew is an edge clock, not a fault.
    expect(decodePayload('queue', KT.id, buf({ ...q('IN-1', T0), time: new Date(T0 + 60_000).toISOString() }), T0)).toMatchObject({ ok: true });
  });
});
