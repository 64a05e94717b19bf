/**
 * Nanosecond nudges that keep apart points of one series (same measurement and tags) in the
 * same millisecond: the first gets +0 ns, the next +1 ns, and so on. InfluxDB would otherwise
 * keep only the last of them.
 *
 * Bounded: an entry is dropped once it was not used for NUDGE_RETENTION_MS of tick time (and
 * the oldest used goes first past MAX_NUDGE_ENTRIES). That is safe because a collision needs a
 * second point of the same series with the same millisecond emitted after the entry was
 * dropped, i.e. released more than an hour after the first. Clearances are released a
 * lateness window after their exit became known, so two units that left in the same
 * millisecond are written within seconds of each other; only an exit message delayed by more
 * than an hour relative to its twin could collide, and then only one of two points is lost.
 */
export interface NudgeSnapshot {
  keys: string[];
  counts: number[];
  usedAt: number[];
}

export class NudgeTable {
  private readonly map = new Map<string, { count: number; usedAt: number }>();

  constructor(
    private readonly retentionMs: number,
    private readonly cap: number,
  ) {}

  /** The nudge for the next point of `series` at `ms`, emitted at tick time `now`. */
  next(series: string, ms: number, now: number): number {
    const key = `${series}\u0000${ms}`;
    const e = this.map.get(key);
    // Checked here too, not only by prune(): the tick rate must not change a nudge.
    const count = e && now - e.usedAt <= this.retentionMs ? e.count : 0;
    this.map.delete(key);
    this.map.set(key, { count: count + 1, usedAt: now });
    while (this.map.size > this.cap) this.map.delete(this.map.keys().next().value as string);
    return count;
  }

  prune(now: number): void {
    // Entries are re-inserted on use, so the map is in order of last use.
    for (const [key, e] of this.map) {
      if (now - e.usedAt <= this.retentionMs) break;
      this.map.delete(key);
    }
  }

  get size(): number {
    return this.map.size;
  }

  toJSON(): NudgeSnapshot {
    const s: NudgeSnapshot = { keys: [], counts: [], usedAt: [] };
    for (const [k, e] of this.map) {
      s.keys.push(k);
      s.counts.push(e.count);
      s.usedAt.push(e.usedAt);
    }
    return s;
  }

  static from(s: NudgeSnapshot, retentionMs: number, cap: number): NudgeTable {
    const t = new NudgeTable(retentionMs, cap);
    s.keys.forEach((k, i) => t.map.set(k, { count: s.counts[i]!, usedAt: s.usedAt[i]! }));
    return t;
  }
}
