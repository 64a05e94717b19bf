import type { Channel, Point, UnitKind } from '@gatewatch/shared';
import { describe, expect, it } from 'vitest';
import {
  cam,
  coreConfig,
  decision,
  declScan,
  loop,
  newCore,
  run,
  scan,
  T0,
  tick,
  W,
  weigh,
} from './core.fixtures.js';
import type { CoreInput } from './inputs.js';
import { MAX_SEEN_IDS } from './limits.js';
import type { CoreSnapshot } from './state.js';
import { ClearanceCore, type CoreConfig, type Emission } from './tracker.js';

/** Runs `inputs`, snapshotting after input `cut` through JSON into a fresh core (a crash and restart). */
function runWithRestart(config: CoreConfig, inputs: readonly CoreInput[], cut: number): { out: Emission[]; core: ClearanceCore } {
  let core = new ClearanceCore(config);
  const out = run(core, inputs.slice(0, cut));
  const json = JSON.stringify(core.snapshot());
  core = new ClearanceCore(config, JSON.parse(json) as CoreSnapshot);
  out.push(...run(core, inputs.slice(cut)));
  return { out, core };
}

function expectSameAsUninterrupted(config: CoreConfig, inputs: readonly CoreInput[], cuts: readonly number[]): Emission[] {
  const core = new ClearanceCore(config);
  const whole = run(core, inputs);
  for (const cut of cuts) {
    const restarted = runWithRestart(config, inputs, cut);
    expect(restarted.out, `restart after input ${cut}`).toStrictEqual(whole);
    expect(restarted.core.counters(), `counters, restart after input ${cut}`).toStrictEqual(core.counters());
    expect(restarted.core.openUnits()).toStrictEqual(core.openUnits());
    expect(restarted.core.snapshot()).toStrictEqual(core.snapshot());
  }
  return whole;
}

/** mulberry32: the same seed, the same morning. */
function prng(seed: number): { next(): number; int(a: number, b: number): number; chance(p: number): boolean; pick<T>(xs: readonly T[]): T } {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (a, b) => a + Math.floor(next() * (b - a + 1)),
    chance: (p) => next() < p,
    pick: (xs) => xs[Math.floor(next() * xs.length)]!,
  };
}

/**
 * A busy, messy stretch at two lanes: IN-1 with cameras, scanner and weighbridge; IN-2 with
 * loops (counts and exits) and cameras that sometimes miss. Plates come back, messages are
 * late, repeated, out of order; some units never leave. Ticks once a second.
 */
function randomScenario(seed: number, units: number): CoreInput[] {
  const r = prng(seed);
  const plates = Array.from({ length: Math.ceil(units / 3) }, (_, i) => `29C-${String(100 + i).padStart(3, '0')}.${i % 100}`);
  const timed: CoreInput[] = [];
  let id = 0;
  const push = (input: CoreInput): void => {
    timed.push(input);
    if (input.type !== 'tick' && r.chance(0.05)) timed.push({ ...input, rx: input.rx + r.int(0, 20_000) } as CoreInput);
  };
  const delay = (): number => (r.chance(0.03) ? r.int(5000, 15_000) : r.int(0, 2500));
  let t = T0;
  for (let u = 0; u < units; u++) {
    t += r.int(0, 15_000);
    const unit = r.pick(plates);
    const lane = r.chance(0.5) ? 'IN-1' : 'IN-2';
    const kind: UnitKind = r.pick(['truck', 'truck', 'container', 'wagon'] as const);
    const q = t;
    const g = q + r.int(5000, 120_000);
    const x = g + r.int(2000, 60_000);
    const sight = (point: Point, ts: number): void => {
      const rxd = delay();
      push({ type: 'sighting', id: `c${++id}`, ts, rx: ts + rxd, lane, point, unit, kind, source: 'camera' });
    };
    if (r.chance(0.9)) sight('queue', q);
    if (lane === 'IN-2') push({ type: 'loop', id: `l${++id}`, ts: q + 300, rx: q + 300, lane, point: 'queue' });
    const declaration = `1051${String(u).padStart(8, '0')}`;
    if (r.chance(0.8)) {
      const channel: Channel = r.pick(['green', 'yellow', 'red'] as const);
      const ts = r.chance(0.85) ? g - r.int(0, 60_000) : x + r.int(-2000, 3000);
      push({ type: 'decision', id: `d${++id}`, ts, rx: ts + delay(), unit, declaration, channel });
    }
    if (r.chance(0.85)) sight('gate', g);
    if (lane === 'IN-1') {
      if (r.chance(0.5)) push({ type: 'sighting', id: `s${++id}`, ts: g + 800, rx: g + 800, lane, point: 'gate', unit, source: 'scanner' });
      else if (r.chance(0.3)) push({ type: 'declarationScan', id: `s${++id}`, ts: g + 900, rx: g + 900, lane, declaration });
      if (r.chance(0.7)) push({ type: 'weight', id: `w${++id}`, ts: g + r.int(-5000, 20_000), rx: g + 1500, lane, kg: r.int(3000, 40_000) });
    } else {
      push({ type: 'loop', id: `l${++id}`, ts: g + 200, rx: g + 200, lane, point: 'gate' });
    }
    const leaves = r.chance(0.92);
    if (leaves) {
      if (lane === 'IN-2') push({ type: 'loop', id: `l${++id}`, ts: x + 100, rx: x + 100, lane, point: 'exit' });
      if (lane === 'IN-1' || r.chance(0.5)) sight('exit', r.chance(0.05) ? x - r.int(0, 500) : x);
      // Two units of the same series in the same millisecond, now and then.
      if (r.chance(0.05)) {
        const twin = `${unit}-B`;
        push({ type: 'sighting', id: `c${++id}`, ts: g, rx: g + 10, lane, point: 'gate', unit: twin, kind, source: 'camera' });
        push({ type: 'sighting', id: `c${++id}`, ts: x, rx: x + 10, lane, point: 'exit', unit: twin, kind, source: 'camera' });
      }
    }
  }
  const end = t + 400_000;
  const stable = timed.map((input, i) => ({ input, i })).sort((a, b) => rxOf(a.input) - rxOf(b.input) || a.i - b.i);
  const out: CoreInput[] = [];
  let next = T0;
  for (const { input } of stable) {
    for (; next <= rxOf(input); next += 1000) out.push(tick(next));
    out.push(input);
  }
  for (; next <= end; next += 1000) out.push(tick(next));
  return out;
}

const rxOf = (i: CoreInput): number => (i.type === 'tick' ? i.now : i.rx);

describe('snapshot and restore', () => {
  it('a JSON round trip at every point of a scripted scenario gives exactly the emissions of an uninterrupted run', () => {
    const config = coreConfig({ lanesWithLoops: ['IN-2'], unitTimeoutMs: 120_000 });
    const inputs: CoreInput[] = [
      tick(T0),
      decision('24H-777.77', 'yellow', T0, { declaration: '105100000042' }),
      declScan('105100000043', T0 + 1000),
      cam('queue', 'A', T0 + 1500),
      loop('queue', T0 + 2000, { lane: 'IN-2' }),
      weigh(20_000, T0 + 2500),
      scan('24H-777.77', T0 + 3000, { lane: 'IN-2' }),
      decision('B', 'red', T0 + 3100, { declaration: '105100000043' }),
      tick(T0 + 4000),
      cam('gate', 'A', T0 + 4100),
      cam('exit', 'A', T0 + 6000),
      cam('exit', 'B', T0 + 6000),
      cam('queue', 'A', T0 + 7000),
      tick(T0 + 9000),
      loop('exit', T0 + 9500, { lane: 'IN-2' }),
      tick(T0 + 11_000),
      tick(T0 + 11_999),
      cam('gate', 'A', T0 + 12_000, { id: 'dup' }),
      cam('gate', 'A', T0 + 12_001, { id: 'dup' }),
      tick(T0 + 14_500),
      tick(T0 + 200_000),
      tick(T0 + 300_000),
    ];
    const whole = expectSameAsUninterrupted(config, inputs, inputs.map((_, i) => i));
    expect(whole.filter((e) => e.measurement === 'clearance').map((e) => e.record.unit)).toEqual(['A', 'B', '24H-777.77', 'A']);
  });

  it('a long randomised (seeded) scenario restarted at 25 points writes every record exactly as without restarts', () => {
    const config = coreConfig({ lanesWithLoops: ['IN-2'], unitTimeoutMs: 180_000 });
    const inputs = randomScenario(20261125, 600);
    const cuts = Array.from({ length: 25 }, (_, k) => Math.floor(((k + 1) * inputs.length) / 26));
    const whole = expectSameAsUninterrupted(config, inputs, cuts);
    // The scenario exercises what it should.
    const core = new ClearanceCore(config);
    run(core, inputs);
    const c = core.counters();
    for (const key of ['released', 'timeouts', 'duplicates', 'lateAfterWrite', 'decisionsAfterExit', 'exitLoopsFifo', 'exitLoopsClaimed', 'weightsAssigned', 'declarationScansResolved', 'stageRepeats'] as const) {
      expect(c[key], key).toBeGreaterThan(0);
    }
    expect(whole.map((e) => e.emitSeq)).toEqual(whole.map((_, i) => i + 1));
    const times = whole.flatMap((e) => (e.measurement === 'clearance' ? [e.record.timeNs + e.record.lane + e.record.kind + e.record.channel + e.record.outcome] : []));
    expect(new Set(times).size).toBe(times.length);
  });

  it('refuses a snapshot of an unknown version or another checkpoint', () => {
    const snap = newCore().snapshot();
    expect(() => new ClearanceCore(coreConfig(), { ...snap, version: 99 } as unknown as CoreSnapshot)).toThrow(/version/);
    expect(() => new ClearanceCore(coreConfig({ checkpoint: 'dinh-vu-port' }), snap)).toThrow(/checkpoint/);
  });

  it('takes a version 1 snapshot (an agent upgraded in place): its units go on, the estimate learns afresh', () => {
    const core = newCore();
    run(core, [cam('queue', 'A', T0), cam('gate', 'A', T0 + 60_000)]);
    const v2 = core.snapshot();
    // What version 1 wrote: no units the estimate learns from; departures and waits instead.
    const v1 = { ...v2, version: 1, lanes: v2.lanes.map(([id, l]) => [id, { length: l.length, closedLength: l.closedLength, buckets: l.buckets, departures: [], waits: [] }]) };
    const upgraded = new ClearanceCore(coreConfig(), v1 as unknown as CoreSnapshot);
    const out = run(upgraded, [cam('exit', 'A', T0 + 120_000), tick(T0 + 120_000 + W)]);
    expect(out.filter((e) => e.measurement === 'clearance').map((e) => [e.record.unit, e.record.wait_s, e.record.process_s])).toEqual([['A', 60, 60]]);
  });

  it('is a copy: the core going on does not change a snapshot taken before', () => {
    const core = newCore();
    run(core, [cam('gate', 'A', T0)]);
    const snap = core.snapshot();
    const before = JSON.stringify(snap);
    run(core, [cam('exit', 'A', T0 + 1000), tick(T0 + 1000 + W)]);
    expect(JSON.stringify(snap)).toBe(before);
  });
});

describe('memory bounds', () => {
  it('keeps at most maxSeenIds ids, evicting the oldest, and frees them after lateness window + unit timeout', () => {
    expect(MAX_SEEN_IDS).toBe(2_000_000);
    const config = coreConfig({ maxSeenIds: 1000 });
    const core = new ClearanceCore(config);
    for (let i = 0; i < 5000; i++) core.apply(cam('queue', `U${i % 50}`, T0 + i, { id: `id-${i}` }));
    expect(core.counters()).toMatchObject({ seenIds: 1000, seenIdsEvicted: 4000, duplicates: 0 });
    // The newest 1000 are still known; an evicted one is taken as new.
    core.apply(cam('gate', 'U1', T0 + 6000, { id: 'id-4999' }));
    expect(core.counters().duplicates).toBe(1);
    core.apply(cam('gate', 'U1', T0 + 6001, { id: 'id-0' }));
    expect(core.counters().duplicates).toBe(1);
    core.apply(tick(T0 + 6001 + config.latenessWindowMs + config.unitTimeoutMs + 1));
    expect(core.counters().seenIds).toBe(0);
  });

  it('treats a repeat received up to lateness window + unit timeout after the first as a repeat, and later as new', () => {
    const config = coreConfig();
    const keep = config.latenessWindowMs + config.unitTimeoutMs;
    const core = new ClearanceCore(config);
    run(core, [cam('queue', 'A', T0, { id: 'x1' }), cam('queue', 'B', T0, { id: 'x2' })]);
    core.apply(cam('queue', 'A', T0, { id: 'x1', rx: T0 + keep }));
    expect(core.counters().duplicates).toBe(1);
    core.apply(cam('queue', 'B', T0 + keep + 1, { id: 'x2' }));
    expect(core.counters().duplicates).toBe(1);
  });
});
