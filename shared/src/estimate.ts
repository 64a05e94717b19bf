/**
 * Wait estimate for a unit joining a lane now (docs/interfaces.md, "Wait estimate").
 *
 * The lane is one control point serving its queue first in, first out. A unit's gate time
 * follows from the one ahead of it (Lindley's recursion, as the lanes work):
 *
 *     gate = max(own queue time + approach, previous exit + pull-forward)
 *
 * so the newcomer's wait is played forward from what the edge sees now: when the control
 * point will be free (the unit or batch in it, its channel and how long it has been there),
 * then each unit or batch waiting ahead (its channel when a decision is known), then the
 * newcomer. Every duration comes from the lane's own recent clearances:
 *
 *  - service (gate → exit) by channel: the remaining service of the unit in the control point
 *    is drawn from the recent service times of its channel that exceed its elapsed time (a red
 *    truck an hour into its inspection has less left than one that just arrived; a unit of
 *    unknown channel that has been there long is probably not green). A unit ahead with an
 *    unknown channel draws from all recent services, i.e. from the lane's channel mix;
 *  - approach (queue → gate when nothing is ahead) and pull-forward (previous exit → gate when
 *    the unit was waiting): the medians of what the lane showed;
 *  - with nothing measured yet: `defaultServiceS` per unit (per batch on a batch lane), no
 *    approach, no pull-forward.
 *
 * Batch lanes (`service: 'batch'`, a railway control zone): units are served as batches (a
 * train's wagons): drawn into the control zone together, released together when the slowest
 * is cleared. Units whose times at one point follow each other within BATCH_GAP_MS are one
 * batch; a batch's service is its first unit's gate → exit; its channel the worst of its
 * units'. A newcomer while a batch is passing the queue point joins that batch, and waits
 * as long as its head (all wagons of a train wait alike).
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
  remaining(g: Group | undefined, elapsedMs: number): number[] {
    const pool = this.pool(g);
    const left = pool.filter((s) => s > elapsedMs).map((s) => s - elapsedMs);
    // Longer than every recent one: it should end soon; say a tenth of a typical service.
    return left.length > 0 ? left : [median(pool) / 10];
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
