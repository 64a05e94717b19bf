import type { QueueRecord } from '@gatewatch/shared';
import { describe, expect, it } from 'vitest';
import { cam, CHECKPOINT, I, iso, loop, newCore, ns, queueRecords, run, T0, tick } from './core.fixtures.js';
import type { CoreInput } from './inputs.js';
import { MAX_BOUNDARIES_PER_TICK } from './limits.js';

const q = (lane: string, at: number, length: number, arrivals: number, departures: number, wait_estimate_s: number): QueueRecord => ({
  checkpoint: CHECKPOINT, lane, length, arrivals, departures, wait_estimate_s, time: iso(at), timeNs: ns(at),
});

describe('queue records from sightings (no loops)', () => {
  // IN-1: U1 and U2 join in the first interval, U3 in the second, when U1 reaches the gate;
  // U2's gate reading (stamped 26.1 s) is received at 30.5 s, in the fourth interval.
  const inputs: CoreInput[] = [
    cam('queue', 'U1', T0 + 1000),
    cam('queue', 'U2', T0 + 3000),
    cam('queue', 'U3', T0 + 12_000),
    cam('gate', 'U1', T0 + 13_900, { rx: T0 + 14_000 }),
    cam('gate', 'U2', T0 + 26_100, { rx: T0 + 30_500 }),
  ];

  const expected = [
    // Nothing measured yet: 60 s (the lane's defaultServiceS) per unit at the booth; moving up
    // to a free booth takes the approach seen (U1: 12.9 s), before that nothing. Once U2 reached
    // the gate after waiting behind U1, U1's cycle (gate to next gate: 12.2 s) is learnt.
    q('IN-1', T0 + 10_000, 2, 2, 0, 120), // U1 and U2 ahead
    q('IN-2', T0 + 10_000, 0, 0, 0, 0),
    q('IN-1', T0 + 20_000, 2, 1, 1, 173.9), // U1 at the booth since 13.9 s (53.9 s left), U2 and U3 ahead: 53.9 + 2 × 60
    q('IN-2', T0 + 20_000, 0, 0, 0, 0),
    q('IN-1', T0 + 30_000, 2, 0, 0, 163.9), // U2's gate was received after 30 s: not yet
    q('IN-2', T0 + 30_000, 0, 0, 0, 0),
    q('IN-1', T0 + 40_000, 1, 0, 1, 12.9), // U2 at the booth for 13.9 s, longer than the one cycle learnt (12.2 s): free; U3 takes it (12.2 s), the newcomer's approach (12.9 s) is longer
    q('IN-2', T0 + 40_000, 0, 0, 0, 0),
  ];

  it('counts arrivals and departures per interval by reception, with the length and estimate at each boundary', () => {
    const core = newCore();
    const out = run(core, [inputs[0]!, inputs[1]!, tick(T0 + 10_000), inputs[2]!, inputs[3]!, inputs[4]!, tick(T0 + 31_000), tick(T0 + 40_000)]);
    expect(queueRecords(out)).toStrictEqual(expected);
    expect(core.laneView('IN-1')).toEqual({ length: 1, waitEstimateS: 12.9 });
  });

  it('gives the same records whatever the tick rate', () => {
    const withTicks = (every: number): QueueRecord[] => {
      const core = newCore();
      const seq: CoreInput[] = [];
      let next = T0;
      for (const input of inputs) {
        if (input.type === 'tick') continue;
        for (; next <= input.rx; next += every) seq.push(tick(next));
        seq.push(input);
      }
      seq.push(tick(T0 + 40_000));
      return queueRecords(run(core, seq));
    };
    expect(withTicks(1000)).toStrictEqual(expected);
    expect(withTicks(7000)).toStrictEqual(expected);
    expect(withTicks(100_000)).toStrictEqual(expected);
  });
});

describe('a unit that times out in the queue', () => {
  it('leaves the queue length in the interval of the tick that times it out, without a departure', () => {
    const core = newCore({ unitTimeoutMs: 60_000 });
    const out = run(core, [tick(T0), cam('queue', 'LOST', T0 + 1000, { lane: 'IN-2' }), ...[1, 2, 3, 4, 5, 6, 7].map((k) => tick(T0 + 1000 + k * I))]);
    expect(queueRecords(out).filter((r) => r.lane === 'IN-2').map((r) => [r.time, r.length, r.arrivals, r.departures, r.wait_estimate_s])).toEqual([
      [iso(T0 + 10_000), 1, 1, 0, 90],
      [iso(T0 + 20_000), 1, 0, 0, 90],
      [iso(T0 + 30_000), 1, 0, 0, 90],
      [iso(T0 + 40_000), 1, 0, 0, 90],
      [iso(T0 + 50_000), 1, 0, 0, 90],
      [iso(T0 + 60_000), 1, 0, 0, 90],
      [iso(T0 + 70_000), 0, 0, 0, 0],
    ]);
    expect(out.filter((e) => e.measurement === 'clearance').map((e) => [e.record.unit, e.record.time])).toEqual([['LOST', iso(T0 + 61_000)]]);
  });
});

describe('queue records from induction loops', () => {
  it('counts queue-loop edges as arrivals and gate-loop edges as departures, never below 0', () => {
    const core = newCore({ lanesWithLoops: ['IN-1'] });
    const out = run(core, [
      tick(T0),
      loop('queue', T0 + 1000),
      loop('queue', T0 + 2000),
      loop('queue', T0 + 3000),
      cam('queue', 'NOT-COUNTED', T0 + 3500), // a loop lane counts loops only
      loop('gate', T0 + 4000),
      tick(T0 + 10_000),
      loop('gate', T0 + 12_000),
      loop('gate', T0 + 14_000),
      loop('gate', T0 + 16_000),
      tick(T0 + 20_000),
      loop('queue', T0 + 21_000),
      tick(T0 + 30_000),
    ]);
    expect(queueRecords(out).filter((r) => r.lane === 'IN-1')).toStrictEqual([
      // The loops count who waits (length 2); the estimate prices those both the loops and the
      // queue camera see (NOT-COUNTED: 60 s), as a loop count drifts for good with every lost edge.
      q('IN-1', T0 + 10_000, 2, 3, 1, 60),
      q('IN-1', T0 + 20_000, 0, 0, 3, 0),
      q('IN-1', T0 + 30_000, 1, 1, 0, 60),
    ]);
  });
});

describe('interval boundaries', () => {
  it('emits every boundary a tick jumps over, at most MAX_BOUNDARIES_PER_TICK, and counts the rest', () => {
    const core = newCore();
    core.apply(tick(T0));
    const out = queueRecords(core.apply(tick(T0 + 365 * I + 5000)));
    expect(out).toHaveLength(MAX_BOUNDARIES_PER_TICK * 2);
    expect(out[0]!.time).toBe(iso(T0 + I));
    expect(out.at(-1)!.time).toBe(iso(T0 + 360 * I));
    expect(core.counters().queueBoundariesSkipped).toBe(5);
    expect(queueRecords(core.apply(tick(T0 + 366 * I))).map((r) => r.time)).toEqual([iso(T0 + 366 * I), iso(T0 + 366 * I)]);
  });

  it('starts with the interval of the first time seen, and ignores a clock going back', () => {
    const core = newCore();
    expect(core.apply(tick(T0 + 4321))).toEqual([]);
    expect(queueRecords(core.apply(tick(T0 + 10_000))).map((r) => r.time)).toEqual([iso(T0 + 10_000), iso(T0 + 10_000)]);
    expect(core.apply(tick(T0 + 5000))).toEqual([]);
    expect(core.apply(tick(T0 + 19_999))).toEqual([]);
  });
});
