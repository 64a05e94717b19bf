/**
 * Wait estimate for a unit joining a lane now (docs/interfaces.md, "Wait estimate").
 *
 * The lane is one control point serving its queue first in, first out; the newcomer's wait is
 * played forward from what the edge sees now: when the control point will be free (the unit
 * or batch in it, its channel and how long it has been there), then each unit or batch waiting
 * ahead (its channel when a decision is known, the lane's mix when not), then the newcomer.
 * Every duration comes from the lane's own recent units.
 *
 *  - Booth lanes (`service: 'unit'`, unitLaneWaitS): the booth's time per unit is learnt as
 *    gate-to-next-gate *cycles* under backlog, by channel, not as gate → exit: behind a booth
 *    red units may spend an hour in an inspection yard while the booth serves others.
 *  - Batch lanes (`service: 'batch'`, a railway control zone): units are served as batches (a
 *    train's wagons): drawn into the control zone together, released together when the slowest
 *    is cleared, so there the exit does mark the end of a service. Units whose times at one
 *    point follow each other within BATCH_GAP_MS are one batch; a batch's service is its first
 *    unit's gate → exit; its channel the worst of its units'. A batch's gate follows Lindley's
 *    recursion, gate = max(own queue time + approach, previous release + pull-forward). A
 *    newcomer while a batch is passing the queue point joins that batch, and waits as long as
 *    its head (all wagons of a train wait alike).
 *  - With nothing measured yet: `defaultServiceS` per unit (per batch on a batch lane).
 *
 * The waits are sums of skewed terms (most clearances are quick, a red inspection takes an
 * hour or more), so the estimate is the median of the played-forward wait over
 * RESAMPLES draws of the service times (a fixed-seed resampling: the same input gives the
 * same estimate on the edge, in the backfill and in the dashboard). Pure and deterministic,
 * robust to live data: units need not be sorted, non-finite times are ignored, times in the
 * future of `nowMs` do not count, never negative. Rounded to 0.1 s.
 */
import type { Channel } from './records.js';

export type ServiceMode = 'unit' | 'batch';

/** One unit of the lane as the edge knows it now; a time absent: that stage not seen (yet). */
export interface LaneUnit {
  queueMs?: number;
  gateMs?: number;
  exitMs?: number;
  /** The customs channel when a decision is known. */
  channel?: Channel;
}

export interface WaitEstimateInput {
  nowMs: number;
  /** `unit`: one unit at a time at the control point (a booth); `batch`: batches (trains). */
  service: ServiceMode;
  /** Units in the queue now (joined, not yet at the gate), as counted (loops or cameras). */
  queueLength: number;
  /**
   * The lane's units as known now: those between queue and exit, and those cleared in the
   * last hours (what the durations are learnt from). Any order.
   */
  units: readonly LaneUnit[];
  /** Seconds of service per unit (per batch on a batch lane) while none was measured (site config). */
  defaultServiceS: number;
}

/** Times at one point closer than this belong to one batch (wagons of a train pass seconds apart). */
export const BATCH_GAP_MS = 60_000;
/** Draws of the service times behind the median. */
export const RESAMPLES = 201;

const SEVERITY: Readonly<Record<Channel, number>> = { green: 0, yellow: 1, red: 2 };

/** A unit, or a batch of units, of the lane. */
interface Group {
  queueMs?: number;
  gateMs?: number;
  exitMs?: number;
  /** Last gate (exit) time in the group minus the first: how long it takes to pass a point. */
  spreadMs: number;
  /** Worst channel among the units with a known one. */
  worst?: Channel;
  /** Some unit's channel is not known. */
  unknown: boolean;
}

interface Sample {
  serviceMs: number;
  channel?: Channel;
}

export function estimateWaitS(input: WaitEstimateInput): number {
  const { nowMs: now, service, defaultServiceS } = input;
  if (!Number.isFinite(now)) return 0;
  const batch = service === 'batch';
  const units = input.units.map((u) => known(u, now));
  if (!batch) return unitLaneWaitS(input, units);

  // Cleared units: what the durations are learnt from.
  const done = groups(units.filter((u) => u.gateMs !== undefined && u.exitMs !== undefined), 'gateMs', batch);
  const samples: Sample[] = done.map((g) => ({ serviceMs: g.exitMs! - g.gateMs!, ...(g.worst && !g.unknown ? { channel: g.worst } : {}) }));
  samples.forEach((s) => (s.serviceMs = Math.max(0, s.serviceMs)));
  const { approachMs, pullMs } = approachAndPull(groups(units.filter((u) => u.gateMs !== undefined), 'gateMs', batch));

  // First in, first out: a unit that passed the queue point after another joined after it;
  // an older one still "waiting" was missed at the gate (on a batch lane: or is of a batch that
  // passed). The control point holds the last unit (batch) that reached the gate, until it left.
  let lastExit = -Infinity;
  let lastPassedQueue = -Infinity;
  for (const u of units) {
    if (u.exitMs !== undefined) lastExit = Math.max(lastExit, u.exitMs);
    if (u.queueMs !== undefined && (u.gateMs !== undefined || u.exitMs !== undefined)) lastPassedQueue = Math.max(lastPassedQueue, u.queueMs);
  }
  const waiting = units.filter(
    (u) => u.queueMs !== undefined && u.gateMs === undefined && u.exitMs === undefined && u.queueMs > lastPassedQueue + (batch ? BATCH_GAP_MS : 0),
  );

  // What is ahead of the newcomer, and when its own batch (or itself) joined.
  let ahead: Group[];
  let joinedMs = now;
  if (batch) {
    ahead = groups(waiting, 'queueMs', true);
    const last = ahead.at(-1);
    if (last && last.queueMs! + last.spreadMs >= now - BATCH_GAP_MS) {
      ahead.pop();
      joinedMs = last.queueMs!;
    }
  } else {
    // The count says how many wait; the newest waiting units seen by camera say which.
    const n = Math.max(0, Math.floor(Number.isFinite(input.queueLength) ? input.queueLength : 0));
    const seen = n === 0 ? [] : [...waiting].sort((a, b) => a.queueMs! - b.queueMs!).slice(-n);
    ahead = Array.from({ length: n - seen.length }, (): Group => ({ spreadMs: 0, unknown: true }));
    ahead.push(...groups(seen, 'queueMs', false));
  }

  // The unit or batch in the control point now: the last one at the gate, while none of it left.
  const zone = groups(units.filter((u) => u.gateMs !== undefined), 'gateMs', batch).at(-1);
  const current = zone && zone.exitMs === undefined ? zone : undefined;
  // Left (or leaving: a train's wagons pass the exit one after another): free after its last.
  if (zone?.exitMs !== undefined) lastExit = Math.max(lastExit, zone.exitMs + zone.spreadMs);

  const pools = new Pools(samples, defaultServiceS * 1000);
  const inZone = current ? pools.remaining(current, now - current.gateMs!) : [];
  const services = ahead.map((g) => pools.remaining(g, 0));
  const draws: number[] = [];
  const rng = new SplitMix(0x9e3779b9);
  const repeat = current !== undefined || ahead.length > 0 ? RESAMPLES : 1;
  const pick = (pool: readonly number[]): number => pool[Math.floor(rng.next() * pool.length)]!;
  for (let k = 0; k < repeat; k++) {
    let free = current ? now + pick(inZone) + current.spreadMs : lastExit;
    ahead.forEach((g, i) => {
      const gate = Math.max(free + pullMs, now, g.queueMs !== undefined ? g.queueMs + approachMs : -Infinity);
      free = gate + pick(services[i]!) + g.spreadMs;
    });
    const gate = Math.max(joinedMs + approachMs, free + pullMs, now);
    draws.push(gate - joinedMs);
  }
  return round1(Math.max(0, median(draws)) / 1000);
}

/**
 * A lane served one unit at a time (a booth). Its units need not leave in the order they came
 * (behind the booth red units go on to an inspection yard for an hour or more while green ones
 * drive out), so the exit says little about when the booth was free. The gates do: while
 * units wait, each reaches the gate when the one before was released and it pulled forward,
 * so the time from one unit's gate to the next's (its *cycle*), measured when the next one was
 * already waiting, is exactly how long the booth is busy per unit, by that unit's channel.
 */
function unitLaneWaitS(input: WaitEstimateInput, units: readonly LaneUnit[]): number {
  const now = input.nowMs;
  const atGate = units.filter((u) => u.gateMs !== undefined).sort((a, b) => a.gateMs! - b.gateMs!);
  // Every queue time, to tell a cycle that spans a unit whose gate reading was missed.
  const queued = units.flatMap((u) => (u.queueMs !== undefined ? [u.queueMs] : [])).sort((a, b) => a - b);
  const joinedBetween = (a: number, b: number): boolean => {
    const i = firstAbove(queued, a);
    return i < queued.length && queued[i]! < b;
  };
  const cycles: Sample[] = [];
  for (let i = 0; i + 1 < atGate.length; i++) {
    const u = atGate[i]!;
    const next = atGate[i + 1]!;
    // The next one was waiting when this one reached the booth: nothing but this unit held it
    // up, unless another joined between them (first in, first out: it had the booth between).
    if (next.queueMs !== undefined && next.queueMs < u.gateMs! && u.queueMs !== undefined && !joinedBetween(u.queueMs, next.queueMs)) {
      cycles.push({ serviceMs: next.gateMs! - u.gateMs!, ...(u.channel !== undefined ? { channel: u.channel } : {}) });
    }
  }
  const cycleMedian = cycles.length > 0 ? median(cycles.map((c) => c.serviceMs)) : input.defaultServiceS * 1000;
  // Approach: queue → gate of units that found the booth free (joined a cycle after the one
  // before reached it). Else the quicker waits seen.
  const approach: number[] = [];
  const waits: number[] = [];
  atGate.forEach((u, i) => {
    if (u.queueMs === undefined) return;
    waits.push(u.gateMs! - u.queueMs);
    const prev = atGate[i - 1];
    if (prev === undefined || u.queueMs >= prev.gateMs! + cycleMedian) approach.push(u.gateMs! - u.queueMs);
  });
  const approachMs = Math.max(0, approach.length > 0 ? median(approach) : waits.length > 0 ? quantile(waits, 0.25) : 0);

  // Units waiting ahead: the count says how many, the newest seen by camera say which.
  let lastPassedQueue = -Infinity;
  for (const u of units) if (u.queueMs !== undefined && (u.gateMs !== undefined || u.exitMs !== undefined)) lastPassedQueue = Math.max(lastPassedQueue, u.queueMs);
  const waiting = units.filter((u) => u.queueMs !== undefined && u.gateMs === undefined && u.exitMs === undefined && u.queueMs > lastPassedQueue);
  // Who waits: counted only when both the count and the queue camera's list have it. A loop
  // count drifts up for good with every lost gate-loop edge; the camera's list keeps a unit
  // whose gate reading was missed until one behind it passes. Each mends the other's error
  // (and a unit missed by both is missed). Where no camera sees the queue: the count.
  const counted = Math.max(0, Math.floor(Number.isFinite(input.queueLength) ? input.queueLength : 0));
  const queueCamera = units.some((u) => u.queueMs !== undefined);
  const n = queueCamera ? Math.min(waiting.length, counted) : counted;
  const seen = n === 0 ? [] : [...waiting].sort((a, b) => a.queueMs! - b.queueMs!).slice(-n);
  const ahead: Group[] = Array.from({ length: n - seen.length }, (): Group => ({ spreadMs: 0, unknown: true }));
  ahead.push(...groups(seen, 'queueMs', false));

  // The unit at the booth: the last one at the gate, unless it already left (then it is free).
  const last = atGate.at(-1);
  const current = last !== undefined && last.exitMs === undefined ? groups([last], 'gateMs', false)[0] : undefined;

  const pools = new Pools(cycles, input.defaultServiceS * 1000);
  // A booth busy longer than every recent cycle of its unit's channel is most likely free by now.
  const inBooth = current ? pools.remaining(current, now - current.gateMs!, 0) : [];
  const services = ahead.map((g) => pools.remaining(g, 0));
  const rng = new SplitMix(0x9e3779b9);
  const pick = (pool: readonly number[]): number => pool[Math.floor(rng.next() * pool.length)]!;
  const repeat = current !== undefined || ahead.length > 0 ? RESAMPLES : 1;
  const draws: number[] = [];
  for (let k = 0; k < repeat; k++) {
    // When the booth takes its next unit.
    let next = current ? now + pick(inBooth) : now;
    for (const [i, g] of ahead.entries()) {
      const gate = Math.max(next, now, g.queueMs !== undefined ? g.queueMs + approachMs : -Infinity);
      next = gate + pick(services[i]!);
    }
    draws.push(Math.max(now + approachMs, next) - now);
  }
  return round1(Math.max(0, median(draws)) / 1000);
}

/** Index of the first value above `x` in ascending `sorted`. */
function firstAbove(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The q-quantile (nearest rank) of non-empty values. */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

/** The unit with only its stages known by now (finite, not after `now`). */
function known(u: LaneUnit, now: number): LaneUnit {
  const out: LaneUnit = {};
  for (const k of ['queueMs', 'gateMs', 'exitMs'] as const) {
    const t = u[k];
    if (typeof t === 'number' && Number.isFinite(t) && t <= now) out[k] = t;
  }
  if (u.channel !== undefined && u.channel in SEVERITY) out.channel = u.channel;
  return out;
}

/** Units ordered by `key`, as one group each, or (batch) as runs within BATCH_GAP_MS of each other. */
function groups(units: readonly LaneUnit[], key: 'queueMs' | 'gateMs', batch: boolean): Group[] {
  const sorted = [...units].sort((a, b) => a[key]! - b[key]!);
  const out: Group[] = [];
  let prev = -Infinity;
  for (const u of sorted) {
    const t = u[key]!;
    let g = out.at(-1);
    if (!g || !batch || t - prev > BATCH_GAP_MS) {
      g = { spreadMs: 0, unknown: false };
      if (u.queueMs !== undefined) g.queueMs = u.queueMs;
      if (u.gateMs !== undefined) g.gateMs = u.gateMs;
      out.push(g);
    } else {
      g.spreadMs = t - g[key]!;
    }
    prev = t;
    // A batch leaves when released: its first exit (later exits are the wagons passing the camera).
    if (u.exitMs !== undefined && (g.exitMs === undefined || u.exitMs < g.exitMs)) g.exitMs = u.exitMs;
    if (u.channel === undefined) g.unknown = true;
    else if (g.worst === undefined || SEVERITY[u.channel] > SEVERITY[g.worst]) g.worst = u.channel;
  }
  return out;
}

/**
 * Approach: queue → gate of a unit (batch) that joined after the one before it had left.
 * Pull-forward: previous exit → gate of one that joined while the one before was still there.
 * Medians. One never seen: the other (both are the time to move up to the gate); neither
 * (e.g. the first units after a start): the median wait seen, else 0.
 */
function approachAndPull(gs: readonly Group[]): { approachMs: number; pullMs: number } {
  const approach: number[] = [];
  const pull: number[] = [];
  const waits: number[] = [];
  for (let i = 0; i < gs.length; i++) {
    const g = gs[i]!;
    if (g.queueMs === undefined) continue;
    waits.push(g.gateMs! - g.queueMs);
    const prev = gs[i - 1];
    if (prev?.exitMs === undefined) continue;
    const prevLast = prev.exitMs + prev.spreadMs;
    if (g.queueMs >= prevLast) approach.push(g.gateMs! - g.queueMs);
    else pull.push(g.gateMs! - prevLast);
  }
  const m = (xs: number[]): number | undefined => (xs.length > 0 ? Math.max(0, median(xs)) : undefined);
  const a = m(approach);
  const p = m(pull);
  const fallback = m(waits) ?? 0;
  return { approachMs: a ?? p ?? fallback, pullMs: p ?? a ?? fallback };
}

/** Recent service times by channel, and the conditional pools drawn from. */
class Pools {
  private readonly all: number[];
  private readonly byChannel = new Map<Channel, number[]>();
  private readonly atLeast = new Map<Channel, number[]>();

  constructor(samples: readonly Sample[], defaultMs: number) {
    this.all = samples.map((s) => s.serviceMs);
    if (this.all.length === 0) this.all = [Math.max(0, Number.isFinite(defaultMs) ? defaultMs : 0)];
    for (const ch of ['green', 'yellow', 'red'] as const) {
      this.byChannel.set(ch, samples.filter((s) => s.channel === ch).map((s) => s.serviceMs));
      this.atLeast.set(ch, samples.filter((s) => s.channel === undefined || SEVERITY[s.channel] >= SEVERITY[ch]).map((s) => s.serviceMs));
    }
  }

  /** Service times for the group: of its channel when all of its units' are known, else of that channel or worse. */
  private pool(g: Group | undefined): number[] {
    if (!g?.worst) return this.all;
    const exact = this.byChannel.get(g.worst)!;
    if (!g.unknown && exact.length > 0) return exact;
    const atLeast = this.atLeast.get(g.worst)!;
    return atLeast.length > 0 ? atLeast : this.all;
  }

  /** What is left of the service after `elapsedMs`: pool values beyond it, minus it. */
  remaining(g: Group | undefined, elapsedMs: number, whenNoneLeft?: number): number[] {
    const pool = this.pool(g);
    const left = pool.filter((s) => s > elapsedMs).map((s) => s - elapsedMs);
    if (left.length > 0) return left;
    // Longer than every recent one: it should end soon; say a tenth of a typical service.
    return [whenNoneLeft ?? median(pool) / 10];
  }
}

/** A small deterministic generator (SplitMix32) for the resampling. */
class SplitMix {
  constructor(private state: number) {}
  next(): number {
    this.state = (this.state + 0x9e3779b9) | 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return ((z ^ (z >>> 16)) >>> 0) / 2 ** 32;
  }
}

/** Median; the mean of the two middle values for an even count. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Rounds to 0.1, never returning -0. */
const round1 = (x: number): number => Math.round(x * 10) / 10 + 0;
