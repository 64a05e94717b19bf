/**
 * A scripted morning at a two-lane road crossing, played through real devices: cameras and the
 * customs feed over MQTT, gate controller, scanner and weighbridge over serial ptys. Camera and
 * decision times are planned to the millisecond (in the recent past), so the clearance each
 * unit must produce follows from the script alone; serial frames are stamped by the edge on
 * reception and only ever come later than the cameras' readings of the same stage.
 */
import { parseSiteConfig, type SiteConfig } from '@gatewatch/edge';
import type { DeviceEmission } from '@gatewatch/sim';
import { GateSequence, iso6346CheckDigit, isoVietnam, loopFields, scanLine, topics, weightLine, type Channel, type UnitKind } from '@gatewatch/shared';

export const CHECKPOINT = 'kim-thanh-road';
export const CAM = { queue: 'cam-q', gate: 'cam-g', exit: 'cam-x' } as const;
/** Named only by a refused message: must never appear in a clearance. */
export const BAD_INPUT_UNIT = 'ZZ-BAD-INPUT';
/** Bad frames and messages the scenario sends, per device (with serial devices). */
export const BAD_FRAMES = { 'cam-g': 1, 'cam-q': 1, 'gate-ctl': 2, 'scanner-IN-1': 1 } as const;

/** Device steps on a virtual clock, 1 ms apart, pauses passing: for replay and backfill. */
export function stepsAt(steps: readonly Step[], start: number): DeviceEmission[] {
  const out: DeviceEmission[] = [];
  let at = start;
  for (const step of steps) {
    at += 1;
    if (step.kind === 'pause') at += step.ms;
    else if (step.kind === 'mqtt') out.push({ at, kind: 'mqtt', topic: step.topic, payload: step.payload });
    else out.push({ at, kind: 'serial', device: step.port, bytes: step.bytes });
  }
  return out;
}

export type Step =
  | { kind: 'mqtt'; topic: string; payload: string }
  | { kind: 'serial'; port: 'gate-ctl' | 'scanner-IN-1' | 'weighbridge-IN-1'; bytes: string }
  | { kind: 'pause'; ms: number };

export interface ExpectedClearance {
  unit: string;
  lane: string;
  kind: UnitKind;
  channel: Channel | 'unknown';
  outcome: 'released';
  wait_s?: number;
  process_s?: number;
  total_s?: number;
  weight_kg?: number;
  /** Exit time, ms. */
  timeMs: number;
}

export interface Scenario {
  steps: Step[];
  expected: ExpectedClearance[];
  /** Loop rising edges sent per lane and point, to check the queue counts. */
  loopEdges: Record<string, { Q: number; G: number; X: number }>;
  /** The unit seen only by serial devices: its times are reception times. */
  serialOnly: { unit: string; lane: string; channel: Channel; weight_kg: number } | undefined;
}

const container = (owner: string, serial: number): string => {
  const prefix = `${owner}U${String(serial).padStart(6, '0')}`;
  return `${prefix}${iso6346CheckDigit(prefix)}`;
};

/** Units of the script; every one of them has something a user would check. */
function units(): { unit: string; kind: UnitKind; lane: 'IN-1' | 'IN-2' }[] {
  const list: { unit: string; kind: UnitKind; lane: 'IN-1' | 'IN-2' }[] = [];
  for (let i = 0; i < 24; i++) {
    const lane = i % 2 === 0 ? 'IN-1' : 'IN-2';
    let unit: string;
    let kind: UnitKind = 'truck';
    if (i % 6 === 1) {
      unit = container(['MSK', 'CMA', 'OOL', 'EGH'][i % 4]!, 100_000 + i * 7919);
      kind = 'container';
    } else if (i % 3 === 0) unit = `云A${String(10_000 + i * 321).padStart(5, '0')}`;
    else unit = `24C-${String(100 + i).padStart(3, '0')}.${String(10 + i).padStart(2, '0')}`;
    list.push({ unit, kind, lane });
  }
  // Units are written verbatim, line-protocol specials included (contract notes).
  list[22] = { unit: 'TEST, A="1" \\ 2', kind: 'truck', lane: 'IN-1' };
  // 13 leaves in the same millisecond as 12, with the same tags (lane, kind, channel).
  list[13] = { unit: '云A55555', kind: list[12]!.kind, lane: list[12]!.lane };
  return list;
}

export interface ScenarioOptions {
  /** false: cameras and the customs feed only (for drills where the agent is down while devices talk). */
  serial: boolean;
}

export function buildScenario(nowMs: number, opts: ScenarioOptions = { serial: true }): Scenario {
  const t0 = Math.floor(nowMs / 1000) * 1000 - 200_000;
  const steps: Step[] = [];
  const expected: ExpectedClearance[] = [];
  const seq = new GateSequence();
  const loopEdges: Scenario['loopEdges'] = { 'IN-1': { Q: 0, G: 0, X: 0 }, 'IN-2': { Q: 0, G: 0, X: 0 } };
  let msgId = 0;
  const cam = (point: 'queue' | 'gate' | 'exit', lane: string, unit: string, kind: UnitKind, ts: number, id = `${CAM[point]}-${++msgId}`): Step => ({
    kind: 'mqtt',
    topic: topics.camera(CHECKPOINT, CAM[point]),
    payload: JSON.stringify({ id, ts: isoVietnam(ts), lane, point, unit, kind, confidence: 0.96 }),
  });
  const decision = (unit: string, channel: Channel, ts: number): Step => ({
    kind: 'mqtt',
    topic: topics.decision(CHECKPOINT),
    payload: JSON.stringify({ id: `dec-${++msgId}`, ts: isoVietnam(ts), unit, declaration: `1051${String(msgId).padStart(8, '0')}`, channel }),
  });
  const loop = (lane: 'IN-1' | 'IN-2', at: 'Q' | 'G' | 'X'): Step[] => {
    loopEdges[lane]![at]++;
    return [
      { kind: 'serial', port: 'gate-ctl', bytes: seq.next(loopFields(lane, at, true)) },
      { kind: 'serial', port: 'gate-ctl', bytes: seq.next(loopFields(lane, at, false)) },
    ];
  };
  // The weighbridge is empty when the morning starts; the gate controller says it is alive.
  steps.push({ kind: 'serial', port: 'weighbridge-IN-1', bytes: weightLine('ST', 'GS', 0) });
  steps.push({ kind: 'serial', port: 'gate-ctl', bytes: seq.next('HB,1') });
  const channels: Channel[] = ['green', 'green', 'yellow', 'green', 'red', 'green', 'yellow', 'green'];

  units().forEach(({ unit, kind, lane }, i) => {
    const q = t0 + i * 3000 + ((i * 37) % 1000);
    let x = q + 20_000 + i * 1111 + 10_000 + i * 777;
    if (i === 13) x = expected[12]!.timeMs; // 12 and 13 leave in the same millisecond, same tags
    const g = x - (10_000 + i * 777);
    const channel = channels[(i === 13 ? 12 : i) % channels.length]!;
    const weight = opts.serial && lane === 'IN-1' ? 14_000 + i * 1000 : undefined;
    const e: ExpectedClearance = { unit, lane, kind, channel, outcome: 'released', timeMs: x };
    const seenQueue = i !== 10; // unit 10: the queue camera missed it
    const seenGate = i !== 11; // unit 11: nobody saw it at the gate
    if (seenQueue && seenGate) e.wait_s = (g - q) / 1000;
    if (seenGate) e.process_s = (x - g) / 1000;
    if (seenQueue) e.total_s = (x - q) / 1000;
    if (weight !== undefined && seenGate) e.weight_kg = weight;

    // Queue.
    if (seenQueue) steps.push(cam('queue', lane, unit, kind, q));
    if (i === 6) steps.push(cam('queue', lane, unit, kind, q + 4000, `${CAM.queue}-${msgId}`)); // repeated id, changed ts: ignored
    steps.push(...loop(lane, 'Q'));

    // Decision: usually before the gate. 3: after the exit but stamped before it. 5: stamped after
    // the exit (does not apply). 7: none. 9: two, the later-stamped one wins.
    if (i === 5 || i === 7) e.channel = 'unknown';
    else if (i === 9) {
      steps.push(decision(unit, 'yellow', g - 10_000), decision(unit, 'red', g - 2000));
      e.channel = 'red';
    } else if (i !== 3) steps.push(decision(unit, channel, g - 5000));

    // Gate, then booth devices while the unit stands on the weighbridge (scanned and weighed
    // before it leaves, whatever order the cameras' messages arrive in).
    const booth: Step[] = [];
    if (lane === 'IN-1' && seenGate) {
      if (i !== 22) booth.push({ kind: 'serial', port: 'scanner-IN-1', bytes: scanLine(unit) });
      booth.push(
        { kind: 'serial', port: 'weighbridge-IN-1', bytes: weightLine('US', 'GS', weight! / 2) },
        { kind: 'serial', port: 'weighbridge-IN-1', bytes: weightLine('ST', 'GS', weight!) },
        { kind: 'serial', port: 'weighbridge-IN-1', bytes: weightLine('ST', 'GS', weight!) },
        { kind: 'pause', ms: 120 },
        { kind: 'serial', port: 'weighbridge-IN-1', bytes: weightLine('ST', 'GS', 0) },
      );
    }
    if (i === 4) {
      // Out of order: the exit reading arrives before the gate reading.
      steps.push(...booth, cam('exit', lane, unit, kind, x), cam('gate', lane, unit, kind, g));
    } else if (seenGate) {
      steps.push(cam('gate', lane, unit, kind, g));
      if (i === 8) steps.push(cam('gate', lane, unit, kind, g + 2000)); // same stage again under another id: the first time stays
      steps.push({ kind: 'pause', ms: 60 }, ...booth);
    }
    steps.push(...loop(lane, 'G'));

    // Exit.
    if (i !== 4) steps.push(cam('exit', lane, unit, kind, x));
    if (i === 3) steps.push(decision(unit, channel, x - 1000));
    if (i === 5) steps.push(decision(unit, 'red', x + 1000));
    steps.push({ kind: 'pause', ms: 40 });
    expected.push(e);

    if (i === 5) {
      // Bad input in the middle of good traffic: refused, counted per device, nothing else changes.
      steps.push(
        { kind: 'mqtt', topic: topics.camera(CHECKPOINT, CAM.gate), payload: '{"id":"broken' },
        { kind: 'mqtt', topic: topics.camera(CHECKPOINT, CAM.queue), payload: JSON.stringify({ id: 'no-offset', ts: '2026-11-25T08:30:00', lane, point: 'queue', unit: BAD_INPUT_UNIT, kind: 'truck' }) },
        { kind: 'serial', port: 'gate-ctl', bytes: '\u0000\u00ffnoise' },
        { kind: 'serial', port: 'gate-ctl', bytes: '$PGWG,999,LOOP,IN-1,Q,1*00\r\n' },
        { kind: 'serial', port: 'scanner-IN-1', bytes: scanLine('CSQU3054384') },
      );
    }
  });

  // Seen only by serial devices and the customs feed: loops, the booth scanner, the
  // weighbridge, and the exit loop that no exit camera claims (FIFO rule). Its times are
  // reception times, so only its identity, channel and weight are exact.
  const serialOnly = { unit: '24H-777.77', lane: 'IN-1', channel: 'yellow' as Channel, weight_kg: 31_500 };
  steps.push(...loop('IN-1', 'Q'), { kind: 'pause', ms: 300 }, ...loop('IN-1', 'G'));
  steps.push(decision(serialOnly.unit, serialOnly.channel, nowMs - 1000));
  steps.push({ kind: 'serial', port: 'scanner-IN-1', bytes: scanLine(serialOnly.unit) });
  steps.push(
    { kind: 'serial', port: 'weighbridge-IN-1', bytes: weightLine('ST', 'GS', serialOnly.weight_kg) },
    { kind: 'pause', ms: 700 },
    { kind: 'serial', port: 'weighbridge-IN-1', bytes: weightLine('ST', 'GS', 0) },
  );
  steps.push(...loop('IN-1', 'X'));
  if (opts.serial) return { steps, expected, loopEdges, serialOnly };
  return { steps: steps.filter((s) => s.kind !== 'serial'), expected, loopEdges: {}, serialOnly: undefined };
}

/** The scenario's crossing as a validated site config (for the replay and the backfill; no devices are opened). */
export function scenarioSite(): SiteConfig {
  return parseSiteConfig(
    {
      checkpoint: { id: CHECKPOINT, name: { vi: 'Cửa khẩu Kim Thành', en: 'Kim Thanh border gate' }, kind: 'road' },
      lanes: [
        { id: 'IN-1', direction: 'inbound' },
        { id: 'IN-2', direction: 'inbound' },
      ],
      devices: {
        serial: [
          { id: 'gate-ctl', kind: 'gate-controller', path: '/dev/ttyGW0' },
          { id: 'scanner-IN-1', kind: 'scanner', path: '/dev/ttyGW1', lane: 'IN-1' },
          { id: 'weighbridge-IN-1', kind: 'weighbridge', path: '/dev/ttyGW2', lane: 'IN-1' },
        ],
        cameras: Object.values(CAM).map((id) => ({ id })),
      },
      mqtt: { url: 'mqtt://127.0.0.1:1' },
      influx: { url: 'http://127.0.0.1:1' },
      storage: { dir: '/nonexistent' },
      clearance: { latenessWindowMs: 2000, queueIntervalMs: 2000, deviceIntervalMs: 2000 },
    },
    '/',
    {},
  );
}
