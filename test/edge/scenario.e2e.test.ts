import { isoVietnam, parseTopic, topics, type DeviceRecord, type QueueRecord, type UnitsInsideRecord } from '@gatewatch/shared';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../harness/agentProcess.js';
import { expectClearances } from './expectations.js';
import { rfc3339, startStack, type Stack } from './fixture.js';
import { BAD_FRAMES, BAD_INPUT_UNIT, CAM, CHECKPOINT, buildScenario } from './scenario.js';

describe('edge agent at Kim Thanh road gate, real devices and services', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ name: 'scenario', serial: true });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('writes every clearance of a scripted morning exactly as the script implies', async () => {
    const scenario = buildScenario(Date.now());
    await stack.play(scenario.steps);
    const total = scenario.expected.length + 1;
    await waitFor(async () => (await stack.clearances()).length >= total, 30_000, `${total} clearances in InfluxDB`);
    const rows = await stack.clearances();
    expect(rows).toHaveLength(total);
    expectClearances(rows, scenario.expected);
    expect(rows.find((r) => r.unit === BAD_INPUT_UNIT)).toBeUndefined();

    // Same tags, same exit millisecond: both kept, 1 ns apart.
    const twins = [scenario.expected[12]!, scenario.expected[13]!];
    const twinTimes = rows.filter((r) => twins.some((t) => t.unit === r.unit)).map((r) => r.time).sort();
    expect(twinTimes).toEqual([rfc3339(twins[0]!.timeMs), rfc3339(twins[0]!.timeMs, 1)].sort());

    // Seen only by serial devices: a truck with the customs channel and its weight.
    const so = scenario.serialOnly!;
    const serialOnly = rows.find((r) => r.unit === so.unit);
    expect(serialOnly).toMatchObject({ lane: so.lane, kind: 'truck', channel: so.channel, weight_kg: so.weight_kg, wait_s: null, total_s: null });
    expect(serialOnly!.process_s).toBeGreaterThan(0.5);
    expect(serialOnly!.process_s).toBeLessThan(10);
  });

  it('counts queue arrivals and departures from the induction loops', async () => {
    const scenario = buildScenario(Date.now());
    await waitFor(async () => {
      const r = await stack.influxd.query("SELECT sum(arrivals), sum(departures) FROM queue WHERE lane = 'IN-1'", 'gatewatch');
      const v = r.results[0]?.series?.[0]?.values[0];
      return v !== undefined && v[1] === scenario.loopEdges['IN-1']!.Q && v[2] === scenario.loopEdges['IN-1']!.G;
    }, 15_000, 'queue counts of IN-1');
    const r = await stack.influxd.query("SELECT sum(arrivals), sum(departures) FROM queue WHERE lane = 'IN-2'", 'gatewatch');
    expect(r.results[0]?.series?.[0]?.values[0]?.slice(1)).toEqual([scenario.loopEdges['IN-2']!.Q, scenario.loopEdges['IN-2']!.G]);
  });

  it('reports every device as online with its frame counts, bad frames counted where they came', async () => {
    await waitFor(async () => {
      const r = await stack.influxd.query('SELECT last(frames), last(online) FROM device GROUP BY device', 'gatewatch');
      return (r.results[0]?.series ?? []).length >= 7;
    }, 15_000, 'device records');
    const r = await stack.influxd.query('SELECT last(online), last(frames), last(bad_frames) FROM device GROUP BY device', 'gatewatch');
    const byDevice: Record<string, unknown[]> = Object.fromEntries((r.results[0]?.series ?? []).map((s) => [s.tags!.device!, s.values[0]!.slice(1)]));
    expect(byDevice['gate-ctl']?.[0]).toBe(true);
    expect(byDevice['scanner-IN-1']?.[1]).toBeGreaterThan(0);
    expect(byDevice['weighbridge-IN-1']?.[1]).toBeGreaterThan(0);
    expect(byDevice['cam-g']?.[1]).toBeGreaterThan(0);
    expect(byDevice['customs-feed']?.[1]).toBeGreaterThan(0);
    const bad = Object.fromEntries(Object.entries(byDevice).map(([device, v]) => [device, v[2]]));
    const none = Object.fromEntries(['cam-q', 'cam-g', 'cam-x', 'customs-feed', 'gate-ctl', 'scanner-IN-1', 'weighbridge-IN-1'].map((d) => [d, 0]));
    expect(bad).toEqual({ ...none, ...BAD_FRAMES });
  });

  it('shows an unplugged scanner offline and reads it again once plugged back', async () => {
    const online = async (): Promise<boolean | undefined> => {
      const r = await stack.influxd.query("SELECT last(online) FROM device WHERE device = 'scanner-IN-1'", 'gatewatch');
      return r.results[0]?.series?.[0]?.values[0]?.[1] as boolean | undefined;
    };
    const pty = stack.ptys.get('scanner-IN-1')!;
    await pty.stop();
    await waitFor(async () => (await online()) === false, 15_000, 'scanner reported offline');
    await pty.start();
    await waitFor(async () => (await online()) === true, 20_000, 'scanner reported online again');
    // And it reads again: a scan now reaches the agent as a good frame.
    const frames = async (): Promise<number> => {
      const r = await stack.influxd.query("SELECT last(frames) FROM device WHERE device = 'scanner-IN-1'", 'gatewatch');
      return (r.results[0]?.series?.[0]?.values[0]?.[1] as number | undefined) ?? 0;
    };
    const before = await frames();
    await stack.play([{ kind: 'serial', port: 'scanner-IN-1', bytes: '24C-555.55\r\n' }]);
    await waitFor(async () => (await frames()) > before, 15_000, 'a scan read after the replug');
  });

  it('publishes live queues, device health and the units inside for the dashboard', async () => {
    const watcher = await mqtt.connectAsync(stack.broker.url, { clientId: 'test-dashboard-watcher' });
    const got = { queue: [] as QueueRecord[], device: [] as DeviceRecord[], units: [] as UnitsInsideRecord[] };
    watcher.on('message', (topic, payload) => {
      const kind = parseTopic(topic)?.kind;
      if (kind === 'liveQueue') got.queue.push(JSON.parse(payload.toString()) as QueueRecord);
      if (kind === 'liveDevice') got.device.push(JSON.parse(payload.toString()) as DeviceRecord);
      if (kind === 'liveUnits') got.units.push(JSON.parse(payload.toString()) as UnitsInsideRecord);
    });
    try {
      await watcher.subscribeAsync(`gw/v1/${CHECKPOINT}/live/+`, { qos: 0 });
      const seenAt = Date.now() - 1000;
      await watcher.publishAsync(
        topics.camera(CHECKPOINT, CAM.queue),
        JSON.stringify({ id: 'live-view-1', ts: isoVietnam(seenAt), lane: 'IN-2', point: 'queue', unit: '24H-999.01', kind: 'truck', confidence: 0.97 }),
        { qos: 1 },
      );
      const listed = (): UnitsInsideRecord | undefined => got.units.findLast((r) => r.units.some((u) => u.unit === '24H-999.01'));
      await waitFor(() => listed() !== undefined, 10_000, 'the new truck in the units inside');
      expect(listed()!.units.find((u) => u.unit === '24H-999.01')).toEqual({ unit: '24H-999.01', lane: 'IN-2', kind: 'truck', channel: 'unknown', queueAt: new Date(seenAt).toISOString() });
      await waitFor(() => new Set(got.queue.map((q) => q.lane)).size === 2 && got.device.length > 0, 10_000, 'queue records of both lanes and a device record');
      // Both lanes count from their induction loops here: a camera sighting alone adds no length.
      expect(got.queue.every((q) => q.checkpoint === CHECKPOINT && Number.isFinite(q.wait_estimate_s) && Number.isInteger(q.length))).toBe(true);
      expect(got.device.every((d) => d.checkpoint === CHECKPOINT)).toBe(true);
    } finally {
      await watcher.endAsync();
    }
  });
});
