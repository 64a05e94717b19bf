/**
 * Fault drill (issue 5): the weighbridge's cable is pulled in the middle of the morning (its
 * pty closes, the device path disappears) and plugged back under the same path, while cameras,
 * customs, the gate controller and the booth scanner go on. The drill ends by counting in
 * InfluxDB: every clearance exactly once at its exit time, and every weighing the indicator sent
 * while it was plugged in on exactly one of them.
 *
 * What the indicator prints while its cable is out reaches nobody, by nature: the drill does
 * not write those lines (a write would create a plain file where the device path was), counts
 * them as never sent, and expects the units weighed meanwhile to have no weight.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@gatewatch/shared';
import { waitFor } from '../harness/agentProcess.js';
import { expectClearances } from './expectations.js';
import { startStack, type ClearanceRow, type Stack } from './fixture.js';
import { buildScenario, CAM, CHECKPOINT, type ExpectedClearance, type Step } from './scenario.js';

const WB = 'weighbridge-IN-1';
const isWeighbridge = (s: Step): boolean => s.kind === 'serial' && s.port === WB;

/** Index just past the exit camera reading of `unit` and the pause after it: a unit boundary of the script. */
function afterExit(steps: readonly Step[], unit: string): number {
  const exitTopic = topics.camera(CHECKPOINT, CAM.exit);
  const i = steps.findIndex((s) => s.kind === 'mqtt' && s.topic === exitTopic && (JSON.parse(s.payload) as { unit: string }).unit === unit);
  if (i < 0) throw new Error(`no exit reading of ${unit} in the script`);
  return steps[i + 1]?.kind === 'pause' ? i + 2 : i + 1;
}

/** The vehicle weights (kg) of stable gross lines among `steps`: the weighings they make. */
function weighings(steps: readonly Step[]): Set<number> {
  const kg = steps.filter(isWeighbridge).map((s) => /^ST,GS,\+(\d+) kg/.exec((s as { bytes: string }).bytes)?.[1]);
  return new Set(kg.filter((k) => k !== undefined).map(Number).filter((k) => k >= 1000));
}

/** Units in InfluxDB's time order; units in the same millisecond by name (their nanosecond nudge follows arrival). */
const timeOrder = (points: readonly { unit: string; timeMs: number }[]): string[] =>
  [...points].sort((a, b) => a.timeMs - b.timeMs || (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0)).map((p) => p.unit);

interface DevicePoint {
  time: number;
  online: boolean;
  frames: number;
  bad_frames: number;
  lost_frames: number;
}

describe('weighbridge unplugged and plugged back under the same path mid-morning', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ name: 'unplug', serial: true });
  });
  afterAll(async () => {
    await stack?.close();
  });

  /** The weighbridge's device points (one per 2 s interval) after `sinceMs`; `time` in ms (the harness asks for epoch ns). */
  const devicePoints = async (sinceMs = 0): Promise<DevicePoint[]> => {
    const r = await stack.influxd.query(`SELECT online, frames, bad_frames, lost_frames FROM device WHERE device = '${WB}' AND time > ${sinceMs}ms`, 'gatewatch');
    const s = r.results[0]?.series?.[0];
    return (s?.values ?? []).map((v) => ({ ...(Object.fromEntries(s!.columns.map((c, i) => [c, v[i]])) as unknown as DevicePoint), time: Math.round((v[0] as number) / 1e6) }));
  };
  const last = async (): Promise<DevicePoint | undefined> => (await devicePoints()).at(-1);

  it('writes every clearance once, with every weighing sent while plugged in, and shows the weighbridge offline then online', { timeout: 60_000 }, async () => {
    const scenario = buildScenario(Date.now());
    const { steps } = scenario;
    // Plugged in for units 0-7, out for units 8-15, back for 16-23 and the serial-only truck.
    const unplugAt = afterExit(steps, scenario.expected[7]!.unit);
    const replugAt = afterExit(steps, scenario.expected[15]!.unit);
    const before = steps.slice(0, unplugAt);
    const during = steps.slice(unplugAt, replugAt);
    const after = steps.slice(replugAt);
    const pty = stack.ptys.get(WB)!;

    await stack.play(before);
    // Everything printed so far has been read before the cable goes (else the last "empty"
    // line could be cut off, and the next truck would find the scale not seen empty).
    const sentBefore = before.filter(isWeighbridge).length;
    await waitFor(async () => (await last())?.frames === sentBefore, 15_000, `${sentBefore} weighbridge frames read before the unplug`);
    const plugged = (await last())!;
    expect(plugged.online).toBe(true);

    const unpluggedAt = Date.now();
    await pty.stop();
    // The morning goes on without the weighbridge: its lines are not sent (see the header).
    await stack.play(during.filter((s) => !isWeighbridge(s)));
    await waitFor(async () => (await devicePoints(unpluggedAt)).some((p) => !p.online), 15_000, 'the weighbridge reported offline');

    const pluggedAt = Date.now();
    await pty.start();
    // The agent reopens the same path on its own (backoff up to 10 s); the indicator prints
    // again once the agent reads it, as a real device's output is read once the cable is in.
    await waitFor(async () => (await devicePoints(pluggedAt)).some((p) => p.online), 20_000, 'the weighbridge reported online again');
    await stack.play(after);

    // The count. Units weighed while the cable was out have no weight; all others theirs.
    const missed = weighings(during);
    const expected: ExpectedClearance[] = scenario.expected.map((e) => {
      if (e.weight_kg === undefined || !missed.has(e.weight_kg)) return e;
      const { weight_kg: _lost, ...rest } = e;
      return rest;
    });
    const unweighed = scenario.expected.filter((e) => e.weight_kg !== undefined && missed.has(e.weight_kg)).map((e) => e.unit);
    expect(unweighed.length, 'units weighed while unplugged').toBe(5);
    expect(expected.filter((e) => e.weight_kg !== undefined).length, 'units weighed while plugged in').toBe(8);

    const so = scenario.serialOnly!;
    const total = expected.length + 1;
    await waitFor(async () => (await stack.clearances()).length >= total, 30_000, `${total} clearances in InfluxDB`);
    const sentAll = sentBefore + after.filter(isWeighbridge).length;
    await waitFor(async () => (await last())?.frames === sentAll, 15_000, `all ${sentAll} weighbridge frames sent while plugged in read`);
    // A doubled point would come with later writes of the outbox: give them time to show.
    await sleep(1500);
    const rows: ClearanceRow[] = await stack.clearances();
    expect(rows).toHaveLength(total);
    expectClearances(rows, expected);
    // In order: the points' times put the units in the order they left (the serial-only truck,
    // stamped on reception, last).
    const fromInflux = timeOrder(rows.map((r) => ({ unit: r.unit, timeMs: Date.parse(r.time) })));
    expect(fromInflux).toEqual([...timeOrder(expected), so.unit]);
    // Weighed after the replug: the weighbridge reads again and its weighing lands once.
    expect(rows.find((r) => r.unit === so.unit)).toMatchObject({ lane: so.lane, channel: so.channel, weight_kg: so.weight_kg });

    // The device as the dashboard shows it: online, offline while unplugged, online again; every
    // line printed while plugged in read exactly once, none cut in half, none lost.
    const points = await devicePoints(plugged.time - 1);
    const firstOff = points.findIndex((p) => !p.online);
    expect(firstOff).toBeGreaterThan(0);
    expect(points.slice(firstOff).some((p) => p.online)).toBe(true);
    expect(points.at(-1)).toMatchObject({ online: true, frames: sentAll, bad_frames: 0, lost_frames: 0 });
  });
});
