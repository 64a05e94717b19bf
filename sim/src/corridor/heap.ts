/**
 * The simulator's agenda: a binary min-heap of things due at a time. Ties are broken by the
 * order in which they were scheduled, so that a run is a function of the seed alone (a heap on
 * time only would pop equal times in an order that depends on the heap's shape).
 */
export interface Due<T> {
  at: number;
  order: number;
  value: T;
}

export class Agenda<T> {
  private readonly items: Due<T>[] = [];
  private order = 0;

  get size(): number {
    return this.items.length;
  }

  push(at: number, value: T): void {
    const items = this.items;
    items.push({ at, order: this.order++, value });
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): Due<T> | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < items.length && before(items[l]!, items[m]!)) m = l;
      if (r < items.length && before(items[r]!, items[m]!)) m = r;
      if (m === i) break;
      [items[i], items[m]] = [items[m]!, items[i]!];
      i = m;
    }
    return top;
  }
}

const before = <T>(a: Due<T>, b: Due<T>): boolean => a.at < b.at || (a.at === b.at && a.order < b.order);
