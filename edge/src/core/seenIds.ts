/**
 * The ids of inputs already applied, for dropping repeats (MQTT QoS 1 redelivery, a device
 * resending). An id counts as seen while the input repeating it was received (rx) at most
 * `retentionMs` after the first one; older entries are pruned on ticks with the same rule, so
 * the tick rate never changes which repeats are dropped. Bounded: past `cap` entries the
 * oldest inserted is evicted (and counted).
 */
export interface SeenIdsSnapshot {
  ids: string[];
  rx: number[];
}

export class SeenIds {
  private readonly map = new Map<string, number>();
  evicted = 0;

  constructor(
    private readonly retentionMs: number,
    private readonly cap: number,
  ) {}

  /** True when `id` was seen within the retention; otherwise records it and returns false. */
  check(id: string, rx: number): boolean {
    const prev = this.map.get(id);
    if (prev !== undefined) {
      if (rx - prev <= this.retentionMs) return true;
      this.map.delete(id);
    }
    this.map.set(id, rx);
    while (this.map.size > this.cap) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      this.evicted++;
    }
    return false;
  }

  /** Frees entries no input received at or after `now` could repeat. */
  prune(now: number): void {
    for (const [id, rx] of this.map) {
      if (now - rx <= this.retentionMs) break;
      this.map.delete(id);
    }
  }

  get size(): number {
    return this.map.size;
  }

  toJSON(): SeenIdsSnapshot {
    return { ids: [...this.map.keys()], rx: [...this.map.values()] };
  }

  static from(s: SeenIdsSnapshot, retentionMs: number, cap: number, evicted: number): SeenIds {
    const seen = new SeenIds(retentionMs, cap);
    s.ids.forEach((id, i) => seen.map.set(id, s.rx[i]!));
    seen.evicted = evicted;
    return seen;
  }
}
