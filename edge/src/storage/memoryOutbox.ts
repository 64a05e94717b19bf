/**
 * The outbox in RAM, for the history backfill: there nothing needs to survive the process, so
 * there is no file, but every other rule of the contract holds (order, same batch until ack,
 * size bound, refusals, lastEmitSeq), so code written against `Outbox` behaves the same on both.
 */
import {
  admits,
  copyPoint,
  type AppendResult,
  type Outbox,
  type OutboxBatch,
  type OutboxLimits,
  type OutboxPoint,
  type OutboxStats,
} from './outbox.js';

interface Entry {
  seq: number;
  point: OutboxPoint;
}

/** Compact the queue array once this many acknowledged entries sit at its head. */
const COMPACT_AFTER = 4096;

export class MemoryOutbox implements Outbox {
  private entries: Entry[] = [];
  /** Index of the oldest unacknowledged entry in `entries` (shift() on a big array is O(n)). */
  private head = 0;
  private nextSeq = 1;
  private ackedSeq = 0;
  /** Highest seq handed out by peek: ack may not go beyond what the sender has seen. */
  private peekedSeq = 0;
  private lastEmitSeq = 0;
  private appended = 0;
  private sent = 0;
  private readonly refused: Record<string, number> = {};
  private readonly listeners = new Set<() => void>();
  private opened = false;

  constructor(private readonly limits: OutboxLimits) {}

  open(): Promise<void> {
    this.opened = true;
    return Promise.resolve();
  }

  append(points: readonly OutboxPoint[]): AppendResult {
    this.assertOpen();
    const result: AppendResult = { accepted: 0, refused: {} };
    for (const p of points) {
      if (p.emitSeq !== undefined && p.emitSeq > this.lastEmitSeq) this.lastEmitSeq = p.emitSeq;
      if (!admits(this.limits, p.measurement, this.pending())) {
        result.refused[p.measurement] = (result.refused[p.measurement] ?? 0) + 1;
        this.refused[p.measurement] = (this.refused[p.measurement] ?? 0) + 1;
        continue;
      }
      this.entries.push({ seq: this.nextSeq++, point: copyPoint(p) });
      result.accepted++;
    }
    this.appended += result.accepted;
    if (result.accepted > 0) notify(this.listeners);
    return result;
  }

  peek(max: number): OutboxBatch | undefined {
    this.assertOpen();
    assertMax(max);
    const end = Math.min(this.entries.length, this.head + max);
    if (end <= this.head) return undefined;
    const slice = this.entries.slice(this.head, end);
    const token = slice[slice.length - 1]!.seq;
    if (token > this.peekedSeq) this.peekedSeq = token;
    return { points: slice.map((e) => e.point), token };
  }

  ack(token: number): void {
    this.assertOpen();
    if (token <= this.ackedSeq) return; // acknowledged already (a repeated ack is harmless)
    if (token > this.peekedSeq) throw new RangeError(`ack(${token}) beyond the last peeked point ${this.peekedSeq}`);
    while (this.head < this.entries.length && this.entries[this.head]!.seq <= token) {
      this.head++;
      this.sent++;
    }
    this.ackedSeq = token;
    if (this.head >= COMPACT_AFTER && this.head * 2 >= this.entries.length) {
      this.entries = this.entries.slice(this.head);
      this.head = 0;
    }
  }

  sync(): void {
    // Nothing to make durable: that is the point of this implementation.
  }

  stats(): OutboxStats {
    return { pending: this.pending(), appended: this.appended, sent: this.sent, refused: { ...this.refused }, lastEmitSeq: this.lastEmitSeq };
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    this.opened = false;
    return Promise.resolve();
  }

  private pending(): number {
    return this.entries.length - this.head;
  }

  private assertOpen(): void {
    if (!this.opened) throw new Error('outbox is not open');
  }
}

export function assertMax(max: number): void {
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`peek(max): max must be a positive integer, got ${max}`);
}

/** Listeners must not be able to fail an append (the points are already stored). */
export function notify(listeners: ReadonlySet<() => void>, onError?: (error: unknown) => void): void {
  for (const l of listeners) {
    try {
      l();
    } catch (error) {
      onError?.(error);
    }
  }
}
