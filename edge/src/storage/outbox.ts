/**
 * The outbox: points on local disk before they count as sent, handed to InfluxDB in order,
 * removed only once InfluxDB accepted them. One interface, one contract test suite
 * (outbox.contract.ts) run against every implementation: MemoryOutbox and FileOutbox.
 */
import type { MEASUREMENTS } from '@gatewatch/shared';

export type FieldValue = number | string | boolean;

export interface OutboxPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, FieldValue>;
  /** Nanoseconds since the epoch, decimal string. */
  timeNs: string;
  /**
   * The clearance core's emit sequence number, for points the core made. After a restart the
   * core replays its journal and emits again; points whose emitSeq is not above `lastEmitSeq`
   * are already here and are skipped.
   */
  emitSeq?: number;
}

export interface AppendResult {
  accepted: number;
  /** Points refused at the size bound (see `OutboxLimits`), by measurement. */
  refused: Record<string, number>;
}

export interface OutboxBatch {
  points: readonly OutboxPoint[];
  /** Pass back to `ack` once InfluxDB accepted the batch. */
  readonly token: number;
}

export interface OutboxStats {
  pending: number;
  appended: number;
  sent: number;
  refused: Record<string, number>;
  lastEmitSeq: number;
}

export interface OutboxLimits {
  /** Hard bound: beyond it every new point is refused. */
  maxPoints: number;
  /**
   * Telemetry (every measurement but `clearance`) is refused once the outbox holds this share
   * of maxPoints, so that clearances, which cannot be measured again, keep the last room.
   */
  telemetryShare: number;
}

export interface Outbox {
  /** Does the work the constructor does not: opens files and recovers what a crash left. */
  open(): Promise<void>;
  /**
   * Appends in order. When it returns, accepted points survive a SIGKILL of this process
   * (written to the file); `sync()` makes them survive a power cut too.
   */
  append(points: readonly OutboxPoint[]): AppendResult;
  /** The oldest points not yet acknowledged, at most `max`, in append order. Same batch until acked. */
  peek(max: number): OutboxBatch | undefined;
  /** InfluxDB accepted the batch: its points leave the outbox (durably). */
  ack(token: number): void;
  sync(): void;
  stats(): OutboxStats;
  /**
   * Calls `listener` (synchronously, inside `append`) after every append that accepted points,
   * so that a sender can start its batch timer when the first point arrives instead of polling.
   * A throwing listener is caught and never fails the append. Returns the unsubscribe function.
   */
  onAppend(listener: () => void): () => void;
  close(): Promise<void>;
}

/** `clearance` points keep the last share of the room (see `OutboxLimits.telemetryShare`). */
// A literal checked against shared's name rather than an import of it: the storage files
// depend on node:fs only, so that a test can run them in a child process it SIGKILLs.
export const PROTECTED_MEASUREMENT: (typeof MEASUREMENTS)['clearance'] = 'clearance';

/** The size bound of `OutboxLimits`, one point at a time: may a point join `pending` others? */
export function admits(limits: OutboxLimits, measurement: string, pending: number): boolean {
  if (pending >= limits.maxPoints) return false;
  return measurement === PROTECTED_MEASUREMENT || pending < limits.telemetryShare * limits.maxPoints;
}

/**
 * A copy that the caller can no longer change: both implementations keep what was appended,
 * not what the caller's objects turn into later.
 */
export function copyPoint(p: OutboxPoint): OutboxPoint {
  const c: OutboxPoint = { measurement: p.measurement, tags: { ...p.tags }, fields: { ...p.fields }, timeNs: p.timeNs };
  if (p.emitSeq !== undefined) c.emitSeq = p.emitSeq;
  return c;
}
