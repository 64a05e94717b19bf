/**
 * Per-lane queue statistics: arrivals, departures and length per queue interval, and the
 * units of the lane behind the wait estimate (what was known of each, from when).
 *
 * Counts go to the interval containing the reception time (rx) of the input that caused them
 * (an rx before the newest open interval is counted in that one). An interval's record
 * therefore holds exactly the inputs received in it, and its `length` is the length after the
 * last of them: neither depends on when the tick that closes the interval comes. Only a
 * timeout (which happens at a tick) is counted in the interval of that tick.
 */
import { estimateWaitS, type Channel, type LaneUnit, type ServiceMode } from '@gatewatch/shared';
import { ESTIMATE_HISTORY_MS, MAX_ESTIMATE_ENTRIES_PER_LANE } from './limits.js';

interface Bucket {
  start: number;
  arrivals: number;
  departures: number;
  /** Queue length after the last change counted in this interval. */
  endLength: number;
}

/**
 * What the lane knows of one visit (`key`) from reception time `rx` on: its stage times and
 * channel then. A new entry per change, never an edit, so that an interval's estimate sees
 * each unit exactly as it was known before the interval's end. `gone`: the visit left this lane.
 */
export interface UnitEntry {
  key: number;
  rx: number;
  q?: number;
  g?: number;
  x?: number;
  ch?: Channel;
  gone?: true;
}

export interface LaneSettings {
  intervalMs: number;
  unitTimeoutMs: number;
  defaultServiceS: number;
  service: ServiceMode;
}

export interface LaneStatsSnapshot {
  length: number;
  closedLength: number;
  buckets: Bucket[];
  units: UnitEntry[];
}

export interface IntervalCounts {
  arrivals: number;
  departures: number;
  length: number;
  waitEstimateS: number;
}

export class LaneStats {
  /** Units waiting now. */
  length = 0;
  /** Length at the end of the last closed interval. */
  private closedLength = 0;
  private buckets: Bucket[] = [];
  private units: UnitEntry[] = [];
  /**
   * `from` of the last prune, while no entry received before it was added since: pruning again
   * with the same `from` would keep exactly the same entries. Not in the snapshot (a restored
   * lane prunes once more, with the same result). Ticks come up to 20 times a second under
   * load, `from` moves once a queue interval, and each prune walked every entry of the lane's
   * last 24 h: 4 % of the agent's CPU in the benchmark.
   */
  private prunedFrom: number | undefined;
  private readonly intervalMs: number;

  constructor(private readonly settings: LaneSettings) {
    this.intervalMs = settings.intervalMs;
  }

  /** One arrival and/or departure (and its length change) received at rx. `openStart`: start of the oldest open interval. */
  count(rx: number, openStart: number, change: { arrival?: boolean; departure?: boolean; delta: number }): void {
    const b = this.bucket(rx, openStart);
    if (change.arrival) b.arrivals++;
    if (change.departure) b.departures++;
    this.length = Math.max(0, this.length + change.delta);
    b.endLength = this.length;
  }

  /** A length change without arrival or departure (a unit timed out while waiting). */
  drop(now: number, openStart: number): void {
    this.count(now, openStart, { delta: -1 });
  }

  /** Visit `key` as known from rx on (its stages and channel on this lane), or gone from this lane. */
  unit(key: number, rx: number, state: Omit<UnitEntry, 'key' | 'rx'>): void {
    this.units.push({ key, rx, ...state });
    if (this.prunedFrom !== undefined && rx < this.prunedFrom) this.prunedFrom = undefined;
    if (this.units.length > MAX_ESTIMATE_ENTRIES_PER_LANE) this.units.shift();
  }

  /** Closes the interval ending at `boundary`: its counts, the length then, the estimate then. */
  close(boundary: number): IntervalCounts {
    const start = boundary - this.intervalMs;
    let arrivals = 0;
    let departures = 0;
    // Normally at most one bucket, the interval's own; an rx before the open interval was
    // already counted in it (see bucket()).
    while (this.buckets[0] && this.buckets[0].start <= start) {
      const b = this.buckets.shift()!;
      arrivals += b.arrivals;
      departures += b.departures;
      this.closedLength = b.endLength;
    }
    const length = this.closedLength;
    return { arrivals, departures, length, waitEstimateS: this.estimate(length, boundary, boundary) };
  }

  /** Drops the counts of intervals that end at or before `boundary` without a record. */
  skipTo(boundary: number): void {
    while (this.buckets[0] && this.buckets[0].start < boundary) this.closedLength = this.buckets.shift()!.endLength;
  }

  /** The estimate now, for live display. */
  live(now: number): number {
    return this.estimate(this.length, now, Infinity);
  }

  /** Frees what no estimate at or after `from` uses. */
  prune(from: number): void {
    if (from === this.prunedFrom) return;
    this.prunedFrom = from;
    // Of each visit, the entries from `from` on and the last one before: later estimates see no
    // other. Visits no later estimate shows (timed out, cleared too long ago, gone) are dropped.
    const last = new Map<number, number>();
    this.units.forEach((e, i) => {
      if (e.rx < from) last.set(e.key, i);
    });
    const keep = new Set<number>();
    for (const i of last.values()) if (this.shown(this.units[i]!, from)) keep.add(i);
    this.units = this.units.filter((e, i) => e.rx >= from || keep.has(i));
  }

  /** Whether a visit whose latest entry known is `e` counts at time `now`. */
  private shown(e: UnitEntry, now: number): boolean {
    if (e.gone) return false;
    if (e.x !== undefined) return e.x > now - ESTIMATE_HISTORY_MS;
    return e.rx > now - this.settings.unitTimeoutMs;
  }

  private estimate(length: number, now: number, knownBefore: number): number {
    // Each visit as last known before `knownBefore`.
    const latest = new Map<number, UnitEntry>();
    for (const e of this.units) if (e.rx < knownBefore) latest.set(e.key, e);
    const units: LaneUnit[] = [];
    for (const e of latest.values()) {
      if (!this.shown(e, now)) continue;
      const u: LaneUnit = {};
      if (e.q !== undefined) u.queueMs = e.q;
      if (e.g !== undefined) u.gateMs = e.g;
      if (e.x !== undefined) u.exitMs = e.x;
      if (e.ch !== undefined) u.channel = e.ch;
      units.push(u);
    }
    return estimateWaitS({ nowMs: now, service: this.settings.service, queueLength: length, units, defaultServiceS: this.settings.defaultServiceS });
  }

  private bucket(rx: number, openStart: number): Bucket {
    const last = this.buckets.at(-1);
    let start = Math.max(Math.floor(rx / this.intervalMs) * this.intervalMs, openStart);
    if (last && start < last.start) start = last.start;
    if (last && last.start === start) return last;
    const b: Bucket = { start, arrivals: 0, departures: 0, endLength: this.length };
    this.buckets.push(b);
    return b;
  }

  toJSON(): LaneStatsSnapshot {
    return { length: this.length, closedLength: this.closedLength, buckets: this.buckets, units: this.units };
  }

  static from(s: LaneStatsSnapshot, settings: LaneSettings): LaneStats {
    const l = new LaneStats(settings);
    l.length = s.length;
    l.closedLength = s.closedLength;
    l.buckets = s.buckets.map((b) => ({ ...b }));
    l.units = s.units.map((e) => ({ ...e }));
    return l;
  }
}
