import { describe, expect, it } from 'vitest';
import { BATCH_GAP_MS, estimateWaitS, type LaneUnit, type WaitEstimateInput } from './estimate.js';
import type { Channel } from './records.js';

const NOW = Date.UTC(2026, 10, 25, 1, 30, 0);
const S = 1000;
const MIN = 60 * S;

/**
 * A booth lane's recent history: a busy spell in which each unit was waiting when the one
 * before reached the booth, so the booth took the next one `cycleS` after it took this one (its
 * booth time and the pull-forward), by channel; green and yellow units drive out a minute after
 * the booth, red ones go on to the inspection yard (`yard`: exit an hour later) or are
 * inspected at the booth. Before it, three units that found the booth free (60 s from queue
 * to gate). The spell ends at `endMs`.
 */
function history(cycles: readonly [Channel | undefined, number][], endMs = NOW - 10 * MIN, yard = false): LaneUnit[] {
  const out: LaneUnit[] = [];
  let gate = endMs - cycles.reduce((sum, [, c]) => sum + c * S, 0);
  for (let i = 3; i > 0; i--) {
    const q = gate - (10 * i + 5) * MIN;
    out.push({ queueMs: q, gateMs: q + 60 * S, exitMs: q + 60 * S + 200 * S, channel: 'green' });
  }
  let queue = gate - 60 * S;
  for (const [channel, cycleS] of cycles) {
    const exitMs = channel === 'red' && yard ? gate + 3600 * S : gate + (cycleS - 15) * S + 60 * S;
    const u: LaneUnit = { queueMs: queue, gateMs: gate, exitMs };
    if (channel) u.channel = channel;
    out.push(u);
    // The next one was already waiting when this one reached the booth.
    queue = gate - 5 * S;
    gate += cycleS * S;
  }
  return out;
}

const mix = (n: number): [Channel, number][] =>
  Array.from({ length: n }, (_, i): [Channel, number] => (i % 10 === 9 ? ['red', 4000 + 200 * (i % 7)] : i % 3 === 2 ? ['yellow', 1000 + 20 * i] : ['green', 200 + 10 * (i % 5)]));

const booth = (units: LaneUnit[], queueLength = 0, over: Partial<WaitEstimateInput> = {}): number =>
  estimateWaitS({ nowMs: NOW, service: 'unit', queueLength, units, defaultServiceS: 300, ...over });

describe('estimateWaitS at a booth (one unit at a time)', () => {
  const past = history(mix(30));

  it('an empty lane with a free booth: the approach time seen when the booth was free', () => {
    expect(booth(past)).toBe(60);
  });

  it('nothing cleared yet: the configured service per unit ahead, no approach', () => {
    expect(booth([], 0)).toBe(0);
    expect(booth([], 3)).toBe(900);
    expect(booth([{ queueMs: NOW - 5 * S }, { queueMs: NOW - 2 * S }], 2, { defaultServiceS: 45 })).toBe(90);
  });

  it('a red truck inspected at the booth, 30 minutes in: about what is left of a red inspection', () => {
    const red = [...past, { queueMs: NOW - 32 * MIN, gateMs: NOW - 30 * MIN, channel: 'red' as const }];
    // Red cycles learnt: 4000-5200 s; after 1800 s about 2200-3400 s are left.
    const w = booth(red);
    expect(w).toBeGreaterThan(2000);
    expect(w).toBeLessThan(3500);
    // A green one for as long: it should be done soon, not in an hour.
    const green = [...past, { queueMs: NOW - 5 * MIN, gateMs: NOW - 4 * MIN, channel: 'green' as const }];
    expect(booth(green)).toBeLessThan(120);
  });

  it('a red truck sent on to the inspection yard does not hold the booth: its exit an hour later says nothing of the booth', () => {
    // Red booth times of 3-4 min, red units leaving through the yard an hour after.
    const yardLane = history(mix(30).map(([c, s]): [Channel, number] => [c, c === 'red' ? 180 + (s % 60) : s]), NOW - 10 * MIN, true);
    const red = [...yardLane, { queueMs: NOW - 32 * MIN, gateMs: NOW - 30 * MIN, channel: 'red' as const }];
    expect(booth(red)).toBe(60);
    // Two units waiting behind a red truck that just reached the booth: its booth time, then theirs.
    const justIn = [...yardLane, { queueMs: NOW - 3 * MIN, gateMs: NOW - 30 * S, channel: 'red' as const }, { queueMs: NOW - 2 * MIN, channel: 'green' as const }];
    const w = booth(justIn, 1);
    expect(w).toBeGreaterThan(150 + 200);
    expect(w).toBeLessThan(240 + 250);
  });

  it('a unit of unknown channel long at the booth is probably not green: it waits for a longer service', () => {
    const fresh = booth([...past, { gateMs: NOW - 30 * S }]);
    // 30 min in: longer than any green or yellow service seen, so a red inspection.
    const long = booth([...past, { gateMs: NOW - 30 * MIN }]);
    expect(long).toBeGreaterThan(2000);
    expect(fresh).toBeLessThan(long);
  });

  it('prices the units ahead by their channels when decisions are known, by the lane\'s mix when not', () => {
    const ahead = (channels: (Channel | undefined)[]): LaneUnit[] =>
      channels.map((c, i) => ({ queueMs: NOW - (5 - i) * MIN, ...(c ? { channel: c } : {}) }));
    const greens = booth([...past, ...ahead(['green', 'green'])], 2);
    const reds = booth([...past, ...ahead(['red', 'red'])], 2);
    const unknown = booth([...past, ...ahead([undefined, undefined])], 2);
    expect(greens).toBeLessThan(600);
    expect(reds).toBeGreaterThan(7000);
    expect(unknown).toBeGreaterThan(greens);
    expect(unknown).toBeLessThan(reds);
  });

  it('without a queue camera the count says how many wait, priced by the mix', () => {
    const noQueueCamera = past.map(({ queueMs: _, ...seenAtGateAndExit }): LaneUnit => seenAtGateAndExit);
    expect(booth(noQueueCamera, 3)).toBeGreaterThan(booth(noQueueCamera, 1));
  });

  it('with a queue camera, a unit waits when both the count and the camera see it: a loop count that drifted up is not believed', () => {
    const one = [...past, { queueMs: NOW - MIN, channel: 'green' as const }];
    expect(booth(one, 7)).toBe(booth(one, 1));
    // The camera still lists one whose gate reading was missed; the loops saw it leave.
    expect(booth(one, 0)).toBe(booth(past, 0));
  });

  it('a unit still "waiting" that joined before one already at the gate was missed at the gate: not ahead', () => {
    // Joined a minute before the last unit that reached the gate.
    const stale: LaneUnit = { queueMs: past.at(-1)!.queueMs! - MIN, channel: 'red' };
    expect(booth([...past, stale], 0)).toBe(booth(past, 0));
  });

  it('a cycle spanning a unit whose gate reading was missed is not learnt as one long booth time', () => {
    const greens = history(Array.from({ length: 20 }, (): [Channel, number] => ['green', 200]));
    const busy = [...greens, { queueMs: NOW - 2 * MIN, gateMs: NOW - MIN, channel: 'green' as const }, { queueMs: NOW - 30 * S, channel: 'green' as const }];
    const before = booth(busy, 1);
    // Some units of the spell lost their gate reading: the cycles around them would be 400 s.
    const missed = greens.map((u, i) => (i % 5 === 4 ? { queueMs: u.queueMs!, exitMs: u.exitMs!, channel: u.channel! } : u));
    expect(booth([...missed, ...busy.slice(greens.length)], 1)).toBe(before);
  });
});

/** A batch lane's recent trains: `wagons` wagons 4 s apart, drawn in 10 min after arrival, released after `serviceS`. */
function trains(list: readonly { channels: Channel[]; serviceS: number }[], endMs = NOW - 60 * MIN): LaneUnit[] {
  const out: LaneUnit[] = [];
  let t = endMs;
  for (const { channels, serviceS } of [...list].reverse()) {
    const n = channels.length;
    const release = t - (n - 1) * 4 * S;
    const g0 = release - serviceS * S;
    const q0 = g0 - 10 * MIN;
    channels.forEach((channel, i) => out.push({ queueMs: q0 + i * 4 * S, gateMs: g0 + i * 4 * S, exitMs: release + i * 4 * S, channel }));
    t = q0 - 30 * MIN;
  }
  return out;
}

const wagons = (n: number, red: number[] = []): Channel[] => Array.from({ length: n }, (_, i) => (red.includes(i) ? 'red' : i % 3 === 0 ? 'yellow' : 'green'));

const rail = (units: LaneUnit[], over: Partial<WaitEstimateInput> = {}): number =>
  estimateWaitS({
    nowMs: NOW,
    service: 'batch',
    queueLength: units.filter((u) => u.queueMs !== undefined && u.gateMs === undefined && u.exitMs === undefined).length,
    units,
    defaultServiceS: 2250,
    ...over,
  });

describe('estimateWaitS on a batch lane (trains)', () => {
  // Red trains took 2-2.5 h; trains without a red wagon 40-50 min.
  const past = trains([
    { channels: wagons(20, [3]), serviceS: 7200 },
    { channels: wagons(25), serviceS: 2400 },
    { channels: wagons(30, [7, 20]), serviceS: 9000 },
    { channels: wagons(22, [1]), serviceS: 8000 },
    { channels: wagons(18), serviceS: 3000 },
  ]);
  /** A train of n wagons that reached the queue at q0 (and the gate at g0). */
  const train = (n: number, q0: number, channels: (Channel | undefined)[], g0?: number): LaneUnit[] =>
    Array.from({ length: n }, (_, i) => ({
      queueMs: q0 + i * 4 * S,
      ...(g0 !== undefined ? { gateMs: g0 + i * 4 * S } : {}),
      ...(channels[i] ? { channel: channels[i] } : {}),
    }));

  it('an empty control zone: the approach time seen when the zone was free (10 min)', () => {
    expect(rail(past)).toBe(600);
  });

  it('a train in the zone with a red wagon, an hour in: about the rest of a red train\'s inspection, then the train leaving', () => {
    const inZone = train(25, NOW - 75 * MIN, wagons(25, [4]), NOW - 60 * MIN);
    const w = rail([...past, ...inZone]);
    // Red trains took 7200-9000 s: 3600-5400 s are left, and 96 s for its 25 wagons to pass the exit.
    expect(w).toBeGreaterThan(3600);
    expect(w).toBeLessThan(5600);
    // Without a red wagon it is nearly done.
    const greenZone = train(25, NOW - 45 * MIN, wagons(25), NOW - 35 * MIN);
    expect(rail([...past, ...greenZone])).toBeLessThan(1500);
  });

  it('a wagon joining a train that is passing the queue camera waits as long as the train\'s first wagon', () => {
    const inZone = train(25, NOW - 75 * MIN, wagons(25, [4]), NOW - 60 * MIN);
    const passing = train(10, NOW - 40 * S, []);
    const first = rail([...past, ...inZone], { nowMs: NOW - 40 * S });
    const tenth = rail([...past, ...inZone, ...passing]);
    // Measured from the train's arrival, 40 s earlier than the tenth wagon's estimate.
    expect(Math.abs(tenth - first)).toBeLessThan(300);
    expect(tenth).toBeGreaterThan(3600);
  });

  it('a train waiting on the reception track ahead adds its own inspection', () => {
    const inZone = train(25, NOW - 75 * MIN, wagons(25, [4]), NOW - 60 * MIN);
    const waitingRed = train(30, NOW - 20 * MIN, wagons(30, [2]));
    const alone = rail([...past, ...inZone]);
    const behind = rail([...past, ...inZone, ...waitingRed]);
    expect(behind - alone).toBeGreaterThan(7000);
  });

  it('channels not yet known: a train of unknown channels draws from all trains\' times', () => {
    const known = rail([...past, ...train(25, NOW - 25 * MIN, wagons(25, [4]), NOW - 10 * MIN)]);
    const unknown = rail([...past, ...train(25, NOW - 25 * MIN, [], NOW - 10 * MIN)]);
    expect(unknown).toBeGreaterThan(1000);
    expect(unknown).toBeLessThanOrEqual(known);
  });

  it('a train being released: the zone is free once its last wagon passed the exit', () => {
    const g0 = NOW - 130 * MIN;
    const leaving = train(25, g0 - 10 * MIN, wagons(25, [4]), g0).map((u, i) => (i < 10 ? { ...u, exitMs: NOW - (10 - i) * 4 * S } : u));
    // 15 wagons still to pass (56 s), then the pull-forward (none seen: 0), and the approach dominates.
    expect(rail([...past, ...leaving])).toBe(600);
  });

  it('a wagon whose gate reading was missed is not a train waiting ahead', () => {
    const inZone = train(25, NOW - 75 * MIN, wagons(25, [4]), NOW - 60 * MIN);
    const missed = { queueMs: NOW - 75 * MIN + 25 * 4 * S, channel: 'green' as const };
    expect(rail([...past, ...inZone, missed], { queueLength: 1 })).toBe(rail([...past, ...inZone]));
    expect(BATCH_GAP_MS).toBeGreaterThan(4 * S);
  });

  it('nothing cleared yet: the configured service per train, and the wait seen as the time to move up', () => {
    // 2250 s of service, 600 s of it gone, 96 s for its 25 wagons to leave, 900 s: the wait the train had.
    expect(rail(train(25, NOW - 25 * MIN, [], NOW - 10 * MIN))).toBe(2250 - 600 + 96 + 900);
  });
});

describe('estimateWaitS with what live data brings', () => {
  const past = history(mix(20));
  const units = [...past, { queueMs: NOW - 10 * MIN, gateMs: NOW - 5 * MIN }, { queueMs: NOW - 4 * MIN }, { queueMs: NOW - MIN, channel: 'red' as const }];

  it('gives the same estimate whatever the order of the units, every time', () => {
    const a = booth(units, 2);
    expect(booth([...units].reverse(), 2)).toBe(a);
    expect(booth(units, 2)).toBe(a);
  });

  it('ignores non-finite times, times after now and unknown channels; never negative, rounded to 0.1 s', () => {
    const noisy = [...units, { queueMs: Number.NaN }, { gateMs: Number.POSITIVE_INFINITY }, { queueMs: NOW + 5 * MIN }, { exitMs: NOW + MIN }];
    expect(booth(noisy, 2)).toBe(booth(units, 2));
    expect(booth([...units, { queueMs: NOW - MIN / 2, channel: 'purple' as Channel }], 2)).toBe(booth([...units, { queueMs: NOW - MIN / 2 }], 2));
    for (const q of [-1, Number.NaN, 0]) expect(booth(past, q)).toBeGreaterThanOrEqual(0);
    expect(Object.is(booth([], 1, { defaultServiceS: -1 }), 0)).toBe(true);
    const w = booth(units, 2);
    expect(Math.round(w * 10) / 10).toBe(w);
  });
});
