/**
 * The dead letter: points InfluxDB refused for good (an HTTP 400 such as a field type conflict,
 * see "Failed writes" in influxSender.ts). The sender does not retry them, since the same
 * points would be refused forever and stall the outbox behind them. It hands them here and
 * then acknowledges the batch.
 *
 * FileDeadLetter appends them to `rejected.ndjson` (in the outbox folder), one JSON object per
 * point and line:
 *   {"at":"2024-05-01T10:00:00.000Z","status":400,"error":"partial write: field type conflict: …","point":<OutboxPoint>}
 * so that an operator can read them with jq, fix the cause and write them again. The file is
 * bounded (default 100 MiB). Points that do not fit, or that cannot be written (disk error), are
 * counted and logged, never retried: a dead letter must not stall the outbox either.
 */
import { closeSync, fdatasyncSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import type { Log } from '../log.js';
import { appendAllSync, fileSize, fsyncDir } from './files.js';
import type { OutboxPoint } from './outbox.js';

export const DEAD_LETTER_FILE = 'rejected.ndjson';

/** Why InfluxDB refused a write: its HTTP status and error text, and when it answered. */
export interface Rejection {
  status: number;
  /** InfluxDB's own text, e.g. `partial write: field type conflict: input field "x" … dropped=1`. */
  error: string;
  at: Date;
}

/** One line of rejected.ndjson. */
export interface RejectedPoint {
  /** ISO 8601, when InfluxDB answered. */
  at: string;
  status: number;
  error: string;
  point: OutboxPoint;
}

export interface DeadLetter {
  /** Where the points go, for the log (a path, or "memory"). */
  readonly location: string;
  /**
   * Keeps the points of a write InfluxDB refused for good. Should not throw: a point it cannot
   * keep is counted as dropped (the sender catches and logs a throw anyway).
   */
  write(points: readonly OutboxPoint[], rejection: Rejection): void;
}

export interface DeadLetterStats {
  keptPoints: number;
  /** Points not kept: beyond the size bound, or the write failed. */
  droppedPoints: number;
}

export interface FileDeadLetterOptions {
  /** No line is written that would take the file beyond this size (default 100 MiB). */
  maxBytes?: number;
}

export class FileDeadLetter implements DeadLetter {
  readonly location: string;
  private readonly maxBytes: number;
  private readonly counters: DeadLetterStats = { keptPoints: 0, droppedPoints: 0 };
  private readonly logThrottle = new LogThrottle(60_000);

  constructor(
    private readonly dir: string,
    private readonly log: Log,
    options: FileDeadLetterOptions = {},
  ) {
    this.location = join(dir, DEAD_LETTER_FILE);
    this.maxBytes = options.maxBytes ?? 100 * 1024 * 1024;
  }

  write(points: readonly OutboxPoint[], rejection: Rejection): void {
    if (points.length === 0) return;
    const at = rejection.at.toISOString();
    let fd: number | undefined;
    let kept = 0;
    try {
      mkdirSync(this.dir, { recursive: true });
      fd = openSync(this.location, 'a');
      const size = fileSize(fd);
      if (size === 0) fsyncDir(this.dir); // the new name must survive a power cut too
      // Whole lines only, as many as fit under the bound.
      let text = '';
      let bytes = size;
      for (const point of points) {
        const line = JSON.stringify({ at, status: rejection.status, error: rejection.error, point } satisfies RejectedPoint) + '\n';
        const n = Buffer.byteLength(line, 'utf8');
        if (bytes + n > this.maxBytes) break;
        text += line;
        bytes += n;
        kept++;
      }
      if (kept > 0) {
        appendAllSync(fd, Buffer.from(text, 'utf8'), size);
        // The batch is acknowledged right after this: the dead letter is then its only copy.
        fdatasyncSync(fd);
      }
    } catch (error) {
      // appendAllSync cuts a failed write back: nothing of this batch is in the file.
      this.note(points.length, error);
      return;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    this.counters.keptPoints += kept;
    if (kept < points.length) this.note(points.length - kept, undefined);
  }

  stats(): DeadLetterStats {
    return { ...this.counters };
  }

  private note(dropped: number, error: unknown): void {
    this.counters.droppedPoints += dropped;
    const held = this.logThrottle.take();
    if (held === undefined) return;
    const fields = { file: this.location, dropped, droppedPoints: this.counters.droppedPoints, maxBytes: this.maxBytes, logsHeldBack: held };
    if (error === undefined) this.log.error(fields, 'dead-letter file full; rejected points not kept');
    else this.log.error({ ...fields, err: error }, 'cannot write the dead-letter file; rejected points not kept');
  }
}

/** The dead letter of a process that keeps nothing on disk (MemoryOutbox): the last `maxPoints`. */
export class MemoryDeadLetter implements DeadLetter {
  readonly location = 'memory';
  private readonly kept: RejectedPoint[] = [];
  private readonly counters: DeadLetterStats = { keptPoints: 0, droppedPoints: 0 };

  constructor(private readonly maxPoints = 10_000) {}

  write(points: readonly OutboxPoint[], rejection: Rejection): void {
    const at = rejection.at.toISOString();
    for (const point of points) {
      if (this.kept.length >= this.maxPoints) {
        this.counters.droppedPoints++;
        continue;
      }
      this.kept.push({ at, status: rejection.status, error: rejection.error, point });
      this.counters.keptPoints++;
    }
  }

  get points(): readonly RejectedPoint[] {
    return this.kept;
  }

  stats(): DeadLetterStats {
    return { ...this.counters };
  }
}

/** Lets one log line through per `intervalMs` and counts the ones held back meanwhile. */
export class LogThrottle {
  private last = -Infinity;
  private held = 0;

  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** undefined: stay quiet; else log now, mentioning this many lines held back since the last. */
  take(): number | undefined {
    const t = this.now();
    if (t - this.last < this.intervalMs) {
      this.held++;
      return undefined;
    }
    this.last = t;
    const held = this.held;
    this.held = 0;
    return held;
  }
}
