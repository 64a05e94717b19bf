import type { ClearanceRecord } from '@gatewatch/shared';
import { describe, expect, it } from 'vitest';
import {
  cam,
  CHECKPOINT,
  clearances,
  decision,
  declScan,
  iso,
  loop,
  newCore,
  ns,
  run,
  scan,
  T,
  T0,
  tick,
  W,
  weigh,
} from './core.fixtures.js';
import type { ClearanceCore, Emission } from './tracker.js';

/** Ticks once a second from `from` to `to` (inclusive) and returns the clearances written. */
function tickThrough(core: ClearanceCore, from: number, to: number): ClearanceRecord[] {
  const out: ClearanceRecord[] = [];
  for (let t = from; t <= to; t += 1000) out.push(...clearances(core.apply(tick(t))));
  return out;
}

const byUnit = (rs: readonly ClearanceRecord[]): Record<string, ClearanceRecord> => Object.fromEntries(rs.map((r) => [r.unit, r]));

describe('a unit from queue to exit', () => {
  it('is written once the lateness window after its exit was received, with exact timings and the decided channel', () => {
    const core = newCore();
    const q = T0 + 120;
    const g = T0 + 312_620;
    const x = T0 + 407_870;
    run(core, [
      cam('queue', '24C-123.45', q, { rx: q + 200 }),
      decision('24C-123.45', 'green', T0 + 30_000, { declaration: '105123456789' }),
      cam('gate', '24C-123.45', g, { rx: g + 180 }),
      cam('exit', '24C-123.45', x, { rx: x + 150 }),
    ]);
    expect(clearances(core.apply(tick(x + 150 + W - 1)))).toEqual([]);
    expect(core.openUnits()).toEqual([{ unit: '24C-123.45', lane: 'IN-1', kind: 'truck', channel: 'green', queueMs: q, gateMs: g, exitMs: x, held: true }]);
    const out = core.apply(tick(x + 150 + W));
    // 41 queue boundaries × 2 lanes were emitted by the tick before: this is emission 83.
    expect(out).toStrictEqual([
      {
        emitSeq: 83,
        measurement: 'clearance',
        record: {
          checkpoint: CHECKPOINT,
          lane: 'IN-1',
          kind: 'truck',
          channel: 'green',
          outcome: 'released',
          unit: '24C-123.45',
          wait_s: 312.5,
          process_s: 95.25,
          total_s: 407.75,
          time: '2026-11-25T01:36:47.870Z',
          timeNs: '1795570607870000000',
        },
      },
    ]);
    expect(core.openUnits()).toEqual([]);
    expect(core.counters()).toMatchObject({ released: 1, inputs: 4, duplicates: 0 });
  });

  it('counts a gate reading that arrives after the exit reading, within the window', () => {
    const core = newCore();
    const x = T0 + 60_000;
    run(core, [
      cam('queue', 'MSKU1234565', T0 + 1000, { lane: 'IN-2', kind: 'container' }),
      cam('exit', 'MSKU1234565', x, { lane: 'IN-2', kind: 'container', rx: x + 100 }),
      tick(x + 3000),
      cam('gate', 'MSKU1234565', T0 + 45_500, { lane: 'IN-2', kind: 'container', rx: x + 3100 }),
    ]);
    expect(clearances(core.apply(tick(x + 100 + W - 1)))).toEqual([]);
    expect(clearances(core.apply(tick(x + 100 + W)))).toStrictEqual([
      {
        checkpoint: CHECKPOINT,
        lane: 'IN-2',
        kind: 'container',
        channel: 'unknown',
        outcome: 'released',
        unit: 'MSKU1234565',
        wait_s: 44.5,
        process_s: 14.5,
        total_s: 59,
        time: '2026-11-25T01:31:00.000Z',
        timeNs: ns(x),
      },
    ]);
  });

  it('keeps units verbatim (Yunnan plates, line-protocol specials)', () => {
    const core = newCore();
    for (const [i, unit] of ['云A12345', 'TEST, A="1" \\ 2', ' 24C-123.45 '].entries()) {
      run(core, [cam('gate', unit, T0 + i * 1000), cam('exit', unit, T0 + 30_000 + i)]);
    }
    expect(tickThrough(core, T0 + 30_000, T0 + 40_000).map((r) => r.unit)).toEqual(['云A12345', 'TEST, A="1" \\ 2', ' 24C-123.45 ']);
  });
});

describe('repeats', () => {
  it('ignores a repeated id, whatever it carries, also after the unit was written', () => {
    const core = newCore();
    run(core, [
      cam('queue', '29A-12345', T0 + 1000, { id: 'cam-q-7' }),
      cam('queue', '29A-12345', T0 + 5000, { id: 'cam-q-7' }),
      decision('29A-12345', 'red', T0 + 2000, { id: 'dec-1' }),
      decision('29A-12345', 'green', T0 + 3000, { id: 'dec-1' }),
      cam('gate', '29A-12345', T0 + 21_000),
      cam('exit', '29A-12345', T0 + 40_000, { id: 'cam-x-9' }),
    ]);
    const written = tickThrough(core, T0 + 40_000, T0 + 46_000);
    expect(written).toHaveLength(1);
    expect(written[0]).toMatchObject({ channel: 'red', wait_s: 20, process_s: 19, total_s: 39 });
    // The exit message redelivered a minute later (QoS 1), even with a changed stamp.
    run(core, [cam('exit', '29A-12345', T0 + 100_000, { id: 'cam-x-9', rx: T0 + 100_000 })]);
    expect(tickThrough(core, T0 + 100_000, T0 + 120_000)).toEqual([]);
    expect(core.openUnits()).toEqual([]);
    expect(core.counters()).toMatchObject({ duplicates: 3, lateAfterWrite: 0, released: 1 });
  });

  it('keeps the earliest time when the same stage is seen again under another id', () => {
    const core = newCore();
    run(core, [
      cam('queue', '51LD-123.45', T0),
      cam('gate', '51LD-123.45', T0 + 30_000),
      cam('gate', '51LD-123.45', T0 + 32_000),
      scan('51LD-123.45', T0 + 33_000),
      cam('exit', '51LD-123.45', T0 + 50_000),
      // An earlier gate reading from a camera whose message was delayed.
      cam('gate', '51LD-123.45', T0 + 28_500, { rx: T0 + 51_000 }),
    ]);
    const [r] = tickThrough(core, T0 + 51_000, T0 + 56_000);
    expect(r).toMatchObject({ wait_s: 28.5, process_s: 21.5, total_s: 50, kind: 'truck' });
    expect(core.counters().stageRepeats).toBe(3);
  });
});

describe('stages never seen', () => {
  it('leaves out wait_s and total_s without a queue, and wait_s and process_s without a gate', () => {
    const core = newCore();
    run(core, [
      cam('gate', 'NOQUEUE', T0 + 10_000),
      cam('exit', 'NOQUEUE', T0 + 25_250),
      cam('queue', 'NOGATE', T0 + 1000, { lane: 'IN-2' }),
      cam('exit', 'NOGATE', T0 + 25_251, { lane: 'IN-2' }),
    ]);
    const rs = byUnit(tickThrough(core, T0 + 26_000, T0 + 31_000));
    expect(rs.NOQUEUE).toStrictEqual({
      checkpoint: CHECKPOINT, lane: 'IN-1', kind: 'truck', channel: 'unknown', outcome: 'released', unit: 'NOQUEUE',
      process_s: 15.25, time: iso(T0 + 25_250), timeNs: ns(T0 + 25_250),
    });
    expect(rs.NOGATE).toStrictEqual({
      checkpoint: CHECKPOINT, lane: 'IN-2', kind: 'truck', channel: 'unknown', outcome: 'released', unit: 'NOGATE',
      total_s: 24.251, time: iso(T0 + 25_251), timeNs: ns(T0 + 25_251),
    });
  });
});

describe('decisions', () => {
  it('a decision stamped before the exit applies even when it arrives after the exit, within the window', () => {
    const core = newCore();
    const x = T0 + 60_000;
    run(core, [cam('gate', 'A', T0), cam('exit', 'A', x), decision('A', 'yellow', x - 1000, { rx: x + 4000 })]);
    expect(tickThrough(core, x + 1000, x + W)[0]).toMatchObject({ unit: 'A', channel: 'yellow' });
  });

  it('a decision stamped after the exit does not apply to that visit (counted), but waits for the next one', () => {
    const core = newCore();
    const x = T0 + 60_000;
    run(core, [cam('gate', 'B', T0), cam('exit', 'B', x), decision('B', 'red', x + 1000, { rx: x + 1500 })]);
    expect(tickThrough(core, x + 1000, x + W)[0]).toMatchObject({ unit: 'B', channel: 'unknown' });
    expect(core.counters().decisionsAfterExit).toBe(1);
    run(core, [cam('gate', 'B', x + 600_000), cam('exit', 'B', x + 700_000)]);
    expect(tickThrough(core, x + 700_000, x + 705_000)[0]).toMatchObject({ unit: 'B', channel: 'red', process_s: 100 });
  });

  it('the latest-stamped of several decisions wins, whatever order they arrive in', () => {
    const core = newCore();
    const g = T0 + 30_000;
    run(core, [
      decision('C', 'red', g - 2000, { rx: g - 1000 }),
      cam('gate', 'C', g),
      decision('C', 'yellow', g - 10_000, { rx: g + 1000 }),
      cam('exit', 'C', g + 20_000),
    ]);
    expect(tickThrough(core, g + 20_000, g + 25_000)[0]).toMatchObject({ unit: 'C', channel: 'red' });
  });

  it('a decision that arrives before the unit is first seen waits for it, up to the unit timeout', () => {
    const core = newCore();
    run(core, [decision('D', 'green', T0), decision('E', 'red', T0)]);
    core.apply(tick(T0 + T));
    run(core, [cam('gate', 'D', T0 + T), cam('exit', 'D', T0 + T + 10_000)]);
    core.apply(tick(T0 + T + 1)); // E's decision is now older than the unit timeout
    run(core, [cam('gate', 'E', T0 + T + 2), cam('exit', 'E', T0 + T + 10_001)]);
    const rs = byUnit(tickThrough(core, T0 + T + 11_000, T0 + T + 16_000));
    expect(rs.D).toMatchObject({ channel: 'green' });
    expect(rs.E).toMatchObject({ channel: 'unknown' });
    expect(core.counters().decisionsExpired).toBe(1);
  });
});

describe('after a unit was written', () => {
  it('ignores and counts inputs stamped at or before its written exit', () => {
    const core = newCore();
    const x = T0 + 60_000;
    run(core, [cam('queue', 'F', T0), cam('exit', 'F', x)]);
    expect(tickThrough(core, x, x + W)).toHaveLength(1);
    run(core, [
      cam('gate', 'F', T0 + 30_000, { rx: x + 6000 }),
      decision('F', 'green', T0 + 20_000, { rx: x + 7000 }),
      cam('exit', 'F', x, { rx: x + 8000 }),
    ]);
    expect(core.counters().lateAfterWrite).toBe(3);
    expect(core.openUnits()).toEqual([]);
    expect(tickThrough(core, x + 9000, x + 30_000)).toEqual([]);
    expect(clearances(core.apply(tick(x + 2 * T)))).toEqual([]);
  });

  it('starts a new visit for inputs stamped after it: the same plate comes back', () => {
    const core = newCore();
    run(core, [cam('queue', '24C-123.45', T0), cam('gate', '24C-123.45', T0 + 10_000), cam('exit', '24C-123.45', T0 + 20_000)]);
    const first = tickThrough(core, T0 + 20_000, T0 + 25_000);
    run(core, [
      cam('queue', '24C-123.45', T0 + 3_600_000),
      decision('24C-123.45', 'yellow', T0 + 3_600_500),
      cam('gate', '24C-123.45', T0 + 3_700_000),
      cam('exit', '24C-123.45', T0 + 3_760_000),
    ]);
    const second = tickThrough(core, T0 + 3_760_000, T0 + 3_765_000);
    expect([...first, ...second].map((r) => [r.channel, r.wait_s, r.process_s, r.time])).toEqual([
      ['unknown', 10, 10, iso(T0 + 20_000)],
      ['yellow', 100, 60, iso(T0 + 3_760_000)],
    ]);
  });

  it('keeps readings stamped after a held exit for the next visit', () => {
    const core = newCore();
    run(core, [cam('gate', 'G', T0), cam('exit', 'G', T0 + 10_000), cam('queue', 'G', T0 + 12_000)]);
    expect(core.openUnits()).toHaveLength(1);
    expect(tickThrough(core, T0 + 10_000, T0 + 15_000)).toMatchObject([{ unit: 'G', process_s: 10 }]);
    expect(core.openUnits()).toEqual([{ unit: 'G', lane: 'IN-1', kind: 'truck', channel: 'unknown', queueMs: T0 + 12_000, held: false }]);
    expect(core.counters().deferredToNextVisit).toBe(1);
  });
});

describe('timeout', () => {
  it('writes a unit not seen leaving at its latest stage + the unit timeout, once nothing was received for that long', () => {
    const core = newCore();
    const g = T0 + 40_000;
    run(core, [
      cam('queue', 'H', T0 + 1000, { lane: 'IN-2', kind: 'wagon' }),
      decision('H', 'yellow', T0 + 2000),
      cam('gate', 'H', g, { lane: 'IN-2', kind: 'wagon', rx: g + 100 }),
    ]);
    expect(clearances(core.apply(tick(g + 100 + T - 1)))).toEqual([]);
    expect(clearances(core.apply(tick(g + 100 + T)))).toStrictEqual([
      {
        checkpoint: CHECKPOINT, lane: 'IN-2', kind: 'wagon', channel: 'yellow', outcome: 'timeout', unit: 'H',
        wait_s: 39, time: iso(g + T), timeNs: ns(g + T),
      },
    ]);
    // Its exit, seen hours late: stamped before the written timeout, so ignored.
    run(core, [cam('exit', 'H', g + 3_600_000, { lane: 'IN-2', rx: g + T + 1000 })]);
    expect(core.counters()).toMatchObject({ timeouts: 1, lateAfterWrite: 1, openUnits: 0 });
  });
});

describe('nanosecond nudges', () => {
  it('keeps two units of the same tags leaving in the same millisecond apart by 1 ns, never by their tags', () => {
    const core = newCore();
    const x = T0 + 90_123;
    run(core, [
      cam('gate', '24C-101.11', T0),
      cam('gate', '24C-102.12', T0 + 1),
      cam('gate', '24C-103.13', T0 + 2, { lane: 'IN-2' }),
      cam('exit', '24C-101.11', x),
      cam('exit', '24C-102.12', x),
      cam('exit', '24C-103.13', x, { lane: 'IN-2' }),
    ]);
    const rs = tickThrough(core, x, x + W);
    expect(rs.map((r) => [r.unit, r.lane, r.time, r.timeNs])).toEqual([
      ['24C-101.11', 'IN-1', iso(x), ns(x, 0)],
      ['24C-102.12', 'IN-1', iso(x), ns(x, 1)],
      ['24C-103.13', 'IN-2', iso(x), ns(x, 0)],
    ]);
    // A third of that series in that millisecond, written later.
    run(core, [cam('gate', '24C-104.14', T0 + 3), cam('exit', '24C-104.14', x, { rx: x + 9000 })]);
    expect(tickThrough(core, x + 14_000, x + 14_000).map((r) => r.timeNs)).toEqual([ns(x, 2)]);
  });
});

describe('serial devices only', () => {
  it('a scanned truck leaves by the exit loop (FIFO rule) as a truck, with its decision and weight', () => {
    const core = newCore({ lanesWithLoops: ['IN-1'] });
    run(core, [
      decision('24H-777.77', 'yellow', T0, { declaration: '105100000042' }),
      loop('queue', T0 + 10_000),
      loop('gate', T0 + 70_000),
      scan('24H-777.77', T0 + 71_000),
      weigh(31_500, T0 + 80_000),
      loop('exit', T0 + 130_000),
    ]);
    expect(tickThrough(core, T0 + 130_000, T0 + 134_999)).toEqual([]);
    expect(clearances(core.apply(tick(T0 + 135_000)))).toStrictEqual([
      {
        checkpoint: CHECKPOINT, lane: 'IN-1', kind: 'truck', channel: 'yellow', outcome: 'released', unit: '24H-777.77',
        process_s: 59, weight_kg: 31_500, time: iso(T0 + 130_000), timeNs: ns(T0 + 130_000),
      },
    ]);
    expect(core.counters()).toMatchObject({ exitLoopsFifo: 1, weightsAssigned: 1 });
  });

  it('an exit-loop edge goes to the unit longest at the gate, unless an exit camera reading claims it', () => {
    const core = newCore({ lanesWithLoops: ['IN-2'] });
    const lane = 'IN-2';
    run(core, [
      scan('A-1', T0 + 1000, { lane }),
      scan('B-2', T0 + 2000, { lane }),
      cam('gate', 'C-3', T0 + 3000, { lane, kind: 'container' }),
      loop('exit', T0 + 10_000, { lane }),
    ]);
    const first = tickThrough(core, T0 + 10_000, T0 + 15_000);
    expect(first.map((r) => [r.unit, r.process_s])).toEqual([['A-1', 9]]);
    // C's exit camera and the next edge: the camera claims it, B stays at the gate.
    run(core, [cam('exit', 'C-3', T0 + 19_000, { lane, kind: 'container' }), loop('exit', T0 + 20_000, { lane })]);
    // An edge whose camera reading (stamped 200 ms later) arrives 3 s after it: still claimed.
    run(core, [loop('exit', T0 + 30_000, { lane }), cam('exit', 'B-2', T0 + 30_200, { lane, kind: 'truck', rx: T0 + 33_000 })]);
    const rest = tickThrough(core, T0 + 16_000, T0 + 40_000);
    expect(rest.map((r) => [r.unit, r.kind, r.process_s, r.time])).toEqual([
      ['C-3', 'container', 16, iso(T0 + 19_000)],
      ['B-2', 'truck', 28.2, iso(T0 + 30_200)],
    ]);
    expect(core.counters()).toMatchObject({ exitLoopsFifo: 1, exitLoopsClaimed: 2, exitLoopsUnmatched: 0 });
  });

  it('on a lane whose units leave in any order, an unclaimed exit-loop edge is counted and given to nobody', () => {
    // Kim Thanh with an inspection yard: the red truck A entered the booth first and is in the
    // yard; green B drove out, its exit reading missed. FIFO would give B's edge to A.
    const core = newCore({ lanesWithLoops: ['IN-1'], lanesExitingInAnyOrder: ['IN-1'] });
    run(core, [
      cam('gate', 'A-1', T0 + 1000),
      decision('A-1', 'red', T0 + 2000),
      cam('gate', 'B-2', T0 + 300_000),
      loop('exit', T0 + 420_000),
    ]);
    expect(tickThrough(core, T0 + 420_000, T0 + 430_000)).toEqual([]);
    expect(core.counters()).toMatchObject({ exitLoopsUnassigned: 1, exitLoopsFifo: 0 });
    expect(core.openUnits().map((u) => [u.unit, u.exitMs])).toEqual([
      ['A-1', undefined],
      ['B-2', undefined],
    ]);
    // A comes out of the yard past the exit camera: its own exit, an hour and more after its gate.
    run(core, [loop('exit', T0 + 5_000_000), cam('exit', 'A-1', T0 + 5_000_200, { rx: T0 + 5_001_000 })]);
    expect(tickThrough(core, T0 + 5_000_000, T0 + 5_010_000).map((r) => [r.unit, r.channel, r.process_s])).toEqual([['A-1', 'red', 4999.2]]);
    expect(core.counters()).toMatchObject({ exitLoopsUnassigned: 1, exitLoopsClaimed: 1, exitLoopsFifo: 0 });
    // The same inputs on a FIFO lane hand B's edge to A.
    const fifo = newCore({ lanesWithLoops: ['IN-1'] });
    run(fifo, [cam('gate', 'A-1', T0 + 1000), cam('gate', 'B-2', T0 + 300_000), loop('exit', T0 + 420_000)]);
    expect(tickThrough(fifo, T0 + 420_000, T0 + 430_000).map((r) => r.unit)).toEqual(['A-1']);
  });

  it('an exit-loop edge with nobody at the gate is counted and dropped', () => {
    const core = newCore();
    run(core, [loop('exit', T0), tick(T0 + W)]);
    expect(core.counters().exitLoopsUnmatched).toBe(1);
  });
});

describe('declaration scans', () => {
  it('a scanned declaration is a gate sighting of the unit its decision names', () => {
    const core = newCore();
    run(core, [
      decision('MSKU1234565', 'green', T0, { declaration: '105123456789' }),
      cam('queue', 'MSKU1234565', T0 + 10_000, { kind: 'container' }),
      declScan('105123456789', T0 + 50_000),
      cam('exit', 'MSKU1234565', T0 + 80_000, { kind: 'container' }),
    ]);
    expect(tickThrough(core, T0 + 80_000, T0 + 85_000)).toMatchObject([
      { unit: 'MSKU1234565', kind: 'container', channel: 'green', wait_s: 40, process_s: 30, total_s: 70 },
    ]);
  });

  it('a scan before its decision waits, and counts at its own time once the decision names the unit', () => {
    const core = newCore();
    run(core, [
      declScan('105100000007', T0 + 50_000, { lane: 'IN-2' }),
      decision('29C-555.55', 'red', T0 + 49_000, { declaration: '105100000007', rx: T0 + 51_000 }),
      cam('exit', '29C-555.55', T0 + 90_000, { lane: 'IN-2' }),
    ]);
    expect(tickThrough(core, T0 + 90_000, T0 + 95_000)).toMatchObject([{ unit: '29C-555.55', lane: 'IN-2', channel: 'red', process_s: 40 }]);
    expect(core.counters()).toMatchObject({ declarationScansPending: 1, declarationScansResolved: 1 });
  });
});

describe('weighings', () => {
  it('go to the unit most recently at the gate within 5 minutes, or wait for the next one; one per unit', () => {
    const core = newCore();
    run(core, [
      cam('gate', 'A', T0 + 1000),
      weigh(24_350, T0 + 20_000), // → A
      weigh(18_000, T0 + 100_000), // A already weighed: the next vehicle, not yet seen
      cam('gate', 'B', T0 + 110_000), // → B
      weigh(5000, T0 + 500_000), // A and B reached the gate more than 5 min before: waits
      cam('gate', 'C', T0 + 900_000), // 400 s after that weighing: not C's
      cam('gate', 'D', T0 + 1_000_000),
      cam('gate', 'E', T0 + 1_010_000),
      weigh(30_000, T0 + 1_020_000), // → E, the most recent
      weigh(12_000, T0 + 1_020_500, { lane: 'IN-2' }), // another lane's weighbridge: nobody there
    ]);
    run(core, ['A', 'B', 'C', 'D', 'E'].map((u, i) => cam('exit', u, T0 + 1_100_000 + i)));
    const rs = byUnit(tickThrough(core, T0 + 1_100_000, T0 + 1_106_000));
    expect(Object.fromEntries(Object.entries(rs).map(([u, r]) => [u, r.weight_kg]))).toEqual({
      A: 24_350, B: 18_000, C: undefined, D: undefined, E: 30_000,
    });
    expect('weight_kg' in rs.C!).toBe(false);
    expect(core.counters()).toMatchObject({ weightsAssigned: 3, weightsPending: 3 });
  });
});

describe('weighings and late repeats', () => {
  it('a late repeat of an earlier truck at the gate does not take the next truck\'s weighing', () => {
    const core = newCore();
    run(core, [
      cam('gate', 'A', T0 + 1000),
      weigh(24_000, T0 + 20_000), // → A
      scan('B', T0 + 60_000),
      // A late second reading of A at the gate (stamped later than its first): A is not back.
      cam('gate', 'A', T0 + 5000, { rx: T0 + 61_000 }),
      weigh(30_000, T0 + 62_000), // → B, the truck on the weighbridge
    ]);
    run(core, [cam('exit', 'A', T0 + 70_000), cam('exit', 'B', T0 + 70_001)]);
    const rs = byUnit(tickThrough(core, T0 + 70_000, T0 + 76_000));
    expect(rs.A?.weight_kg).toBe(24_000);
    expect(rs.B?.weight_kg).toBe(30_000);
  });
});

describe('ticks that hold', () => {
  it('release nothing while inputs may still be on their way, then release with what came meanwhile', () => {
    const core = newCore();
    run(core, [cam('queue', 'A', T0), cam('gate', 'A', T0 + 10_000), cam('exit', 'A', T0 + 20_000)]);
    // The broker link is down for a minute: the window passes, but nothing is written.
    const held: Emission[] = [];
    for (let t = T0 + 21_000; t <= T0 + 80_000; t += 1000) held.push(...core.apply({ type: 'tick', now: t, hold: true }));
    expect(clearances(held)).toEqual([]);
    // Queue intervals still close while holding.
    expect(held.some((e) => e.measurement === 'queue')).toBe(true);
    // The decision queued at the broker arrives after the reconnect, stamped before the exit.
    core.apply(decision('A', 'red', T0 + 15_000, { rx: T0 + 81_000 }));
    const rs = byUnit(tickThrough(core, T0 + 81_000, T0 + 82_000));
    expect(rs.A).toMatchObject({ channel: 'red', wait_s: 10, process_s: 10 });
    expect(core.counters()).toMatchObject({ heldTicks: 60 });
  });
});

describe('resuming after the outbox', () => {
  it('continues the emit sequence after what the outbox already holds, never below it', () => {
    const core = newCore();
    expect(core.resumeAfter(41)).toBe(true);
    expect(core.resumeAfter(7)).toBe(false);
    run(core, [cam('gate', 'A', T0), cam('exit', 'A', T0 + 1000)]);
    const es = run(core, [tick(T0 + 7000)]);
    expect(es.map((e) => e.emitSeq)).toEqual(es.map((_, i) => 42 + i));
    expect(es.length).toBeGreaterThan(0);
  });
});

