/**
 * Fault drill: the outbox reaching its size bound (docs/interfaces.md, "Delivery guarantees").
 * InfluxDB is never reachable while a seeded stream of camera and decision events flows
 * through an agent whose outbox holds at most MAX points. Once it holds 90 % of them
 * (`outboxTelemetryShare`), new `queue` and `device` points are refused and clearances keep the
 * last room; at the bound every new point is refused; refusals are counted per measurement and
 * logged. Then InfluxDB is started and the agent stopped (SIGTERM drains the outbox).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@gatewatch/shared';
import { waitFor } from '../harness/agentProcess.js';
import { expectClearances } from './expectations.js';
import { startStack, type Stack } from './fixture.js';
import { buildScenario, CHECKPOINT } from './scenario.js';

const MAX = 30;
const SHARE = 0.9; // the default outboxTelemetryShare
const FULL_MSG = 'outbox at its size bound: points refused';

interface LogLine {
  msg?: string;
  refused?: Record<string, number>;
  pending?: number;
  outbox?: { pending: number; refused: Record<string, number> };
}

interface Live {
  clearance: { unit: string }[];
  /** `${lane or device}@${ms}` in the order the agent published them. */
  queue: string[];
  device: string[];
}

function logLines(path: string): LogLine[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LogLine);
}

/** `${tag}@${ms}` of every point of a measurement in InfluxDB. */
async function keys(stack: Stack, measurement: 'queue' | 'device', tag: 'lane' | 'device'): Promise<string[]> {
  const field = measurement === 'queue' ? 'length' : 'frames';
  const res = await stack.influxd.query(`SELECT ${field}, "${tag}" FROM ${measurement}`, 'gatewatch');
  const series = res.results[0]?.series?.[0];
  if (!series) return [];
  const t = series.columns.indexOf('time');
  const k = series.columns.indexOf(tag);
  // Times in epoch ns (the harness asks for them), as JSON numbers: ms survive the rounding.
  return series.values.map((row) => `${String(row[k])}@${Math.round(Number(row[t]) / 1e6)}`);
}

/** The points in the outbox's segment files, in append order (the format fileOutbox.ts documents). */
function outboxOnDisk(dir: string): { measurement: string }[] {
  const files = readdirSync(dir)
    .filter((f) => f.startsWith('segment-') && f.endsWith('.ndjson'))
    .sort();
  const points: { measurement: string }[] = [];
  for (const f of files) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line) continue;
      const o = JSON.parse(line) as { s?: number; p?: { measurement: string } };
      if (o.p) points.push(o.p);
    }
  }
  return points;
}

describe('outbox at its size bound', () => {
  let stack: Stack;
  let watcher: MqttClient | undefined;
  beforeAll(async () => {
    stack = await startStack({ name: 'outbox-bound', serial: false, outboxMaxPoints: MAX, influxDown: true });
  }, 60_000);
  afterAll(async () => {
    await watcher?.endAsync().catch(() => undefined);
    await stack?.close();
  }, 60_000);

  it('keeps and refuses exactly what the docs say, and counts every refusal', { timeout: 75_000 }, async () => {
    // What the agent measured, kept or not: its live records, published before the outbox append.
    const live: Live = { clearance: [], queue: [], device: [] };
    watcher = await mqtt.connectAsync(stack.broker.url, { clientId: 'test-live-outbox-bound', reconnectPeriod: 200 });
    watcher.on('message', (topic, payload) => {
      const r = JSON.parse(payload.toString('utf8')) as { unit?: string; lane?: string; device?: string; time: string };
      if (topic === topics.liveClearance(CHECKPOINT)) live.clearance.push({ unit: r.unit ?? '' });
      else if (topic === topics.liveQueue(CHECKPOINT)) live.queue.push(`${r.lane}@${Date.parse(r.time)}`);
      else if (topic === topics.liveDevice(CHECKPOINT)) live.device.push(`${r.device}@${Date.parse(r.time)}`);
    });
    await watcher.subscribeAsync([topics.liveClearance(CHECKPOINT), topics.liveQueue(CHECKPOINT), topics.liveDevice(CHECKPOINT)], { qos: 0 });

    const scenario = buildScenario(Date.now(), { serial: false });
    const logPath = stack.agent.logPath;
    const full = (): LogLine[] => logLines(logPath).filter((l) => l.msg === FULL_MSG);

    // 1. A first part of the morning: its clearances and the telemetry fill the outbox up to the
    //    90 % line, where the first queue/device points are refused.
    const cut = Math.floor(scenario.steps.length * 0.4);
    await stack.play(scenario.steps.slice(0, cut));
    await waitFor(() => full().length > 0, 25_000, 'the first refusal at the 90 % line');

    // 2. The rest: clearances take the last 10 % and then meet the bound.
    await stack.play(scenario.steps.slice(cut));
    await waitFor(() => live.clearance.length >= scenario.expected.length, 15_000, 'every clearance made by the agent');
    await sleep(2500); // one more queue and device report while full

    // What the outbox holds on disk at the bound, in append order.
    const kept = outboxOnDisk(join(stack.dir, 'edge', 'outbox'));

    // 3. InfluxDB back; SIGTERM: the agent stops making points and drains the outbox.
    await stack.influxd.service.start();
    expect(await stack.agent.stop()).toBe(0);
    const stopped = logLines(logPath).find((l) => l.msg === 'agent stopped');
    expect(stopped?.outbox, 'the agent stopped line').toBeDefined();
    const counted = stopped!.outbox!;
    expect(counted.pending).toBe(0);
    const refused = { clearance: 0, queue: 0, device: 0, ...counted.refused };

    const clearances = await stack.clearances();
    const queue = await keys(stack, 'queue', 'lane');
    const device = await keys(stack, 'device', 'device');

    // Kept: exactly MAX points, nothing beyond the bound; telemetry only below the 90 % line,
    // so the last 10 % of the room went to clearances alone.
    expect(kept).toHaveLength(MAX);
    const line = SHARE * MAX;
    kept.forEach((p, i) => {
      if (p.measurement !== 'clearance') expect(i, `${p.measurement} point kept with ${i} points pending`).toBeLessThan(line);
    });
    expect(kept.slice(Math.ceil(line)).every((p) => p.measurement === 'clearance')).toBe(true);
    expect(clearances.length + queue.length + device.length, 'points in InfluxDB').toBe(MAX);

    // Every clearance kept is in InfluxDB exactly once, with its exact fields: the first ones
    // the agent made, in the order it made them; the rest were refused at the bound.
    const arrivedUnits = new Set(clearances.map((r) => r.unit));
    expect(arrivedUnits.size).toBe(clearances.length);
    const made = live.clearance.map((c) => c.unit);
    expect(made).toHaveLength(scenario.expected.length);
    expect([...arrivedUnits].sort()).toEqual(made.slice(0, clearances.length).sort());
    expectClearances(
      clearances,
      scenario.expected.filter((e) => arrivedUnits.has(e.unit)),
    );

    // Telemetry: once refused at the line, refused for good while the outbox stays full (the
    // points that arrived come before every point that did not, in the order the agent made them).
    const missingQueue = live.queue.filter((k) => !queue.includes(k));
    const missingDevice = live.device.filter((k) => !device.includes(k));
    const firstMissing = (made: string[], arrived: string[]): void => {
      const i = made.findIndex((k) => !arrived.includes(k));
      expect(i).toBeGreaterThanOrEqual(0);
      expect(made.slice(i).filter((k) => arrived.includes(k)), 'telemetry kept after the first refusal').toEqual([]);
    };
    firstMissing(live.queue, queue);
    firstMissing(live.device, device);

    // Counted: the agent's refusals per measurement are exactly the points that did not arrive.
    expect(refused.clearance, 'clearances refused at the bound').toBeGreaterThan(0);
    expect(refused).toEqual({
      clearance: scenario.expected.length - clearances.length,
      queue: missingQueue.length,
      device: missingDevice.length,
    });

    // Logged: the first refusal was telemetry's, with the outbox at the 90 % line or above.
    const first = full()[0]!;
    expect(Object.keys(first.refused ?? {}).every((m) => m === 'queue' || m === 'device')).toBe(true);
    expect(first.pending).toBeGreaterThanOrEqual(line);
    expect(first.pending).toBeLessThanOrEqual(MAX);
    // The log is rate-limited (10 lines a minute per kind): it never says more than was counted,
    // and unless telemetry used up those lines first, it shows clearances refused at the bound.
    const lines = full();
    for (const m of ['clearance', 'queue', 'device'] as const) {
      expect(lines.reduce((n, l) => n + (l.refused?.[m] ?? 0), 0), `${m} refusals logged`).toBeLessThanOrEqual(refused[m]);
    }
    if (lines.length < 10) expect(lines.some((l) => (l.refused?.clearance ?? 0) > 0 && l.pending === MAX)).toBe(true);
  });
});
