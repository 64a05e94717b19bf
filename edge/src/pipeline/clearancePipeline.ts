/**
 * The durable path of every input: journal → clearance core → outbox.
 *
 * Order matters for exactly-once. An input is written to the journal first; only then does
 * the core see it, and the records it makes go to the outbox. If the agent dies anywhere in
 * between, the restart restores the core's last snapshot and replays the journal: the core is
 * deterministic, so it emits the same records with the same emit sequence numbers, and the
 * outbox skips those it already holds. Nothing is lost and nothing is written twice.
 */
import { GateWatchError } from '@gatewatch/shared';
import type { EventBus } from '../eventBus.js';
import type { ClearanceCore, Emission } from '../core/index.js';
import type { CoreInput } from '../core/inputs.js';
import type { Journal } from '../storage/journal.js';
import type { Outbox, OutboxPoint } from '../storage/outbox.js';
import type { Log } from '../log.js';
import { RateLimitedLog } from '../log.js';
import { clearancePoint, queuePoint } from './points.js';

/** What the pipeline needs of the journal; the history backfill, with nothing to recover, passes a null one. */
export type InputJournal = Pick<Journal, 'append' | 'sync' | 'checkpoint'>;

export interface PipelineDeps {
  core: ClearanceCore;
  journal: InputJournal;
  outbox: Outbox;
  bus: EventBus;
  log: Log;
  /** 'always': fsync journal and outbox before returning from submit (before the MQTT ack). */
  fsync: 'always' | 'interval';
  /**
   * A write to the journal or the outbox failed (disk full, I/O error). The core may already
   * have moved on, so going on would lose records for good; the agent must stop and be
   * restarted, and the replay rebuilds what was not stored.
   */
  onStorageFailure(error: unknown): void;
}

/** Thrown once storage has failed: nothing more is accepted (and so nothing is acknowledged). */
export class StorageFailure extends GateWatchError {
  constructor(cause: unknown) {
    super('STORAGE_FAILED', `journal or outbox write failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

export interface PipelineStats {
  inputs: number;
  replayed: number;
  emitted: number;
  skippedOnReplay: number;
  refused: number;
}

export class ClearancePipeline {
  private readonly counters: PipelineStats = { inputs: 0, replayed: 0, emitted: 0, skippedOnReplay: 0, refused: 0 };
  private readonly warnLog: RateLimitedLog;
  private failure: StorageFailure | undefined;

  constructor(private readonly deps: PipelineDeps) {
    this.warnLog = new RateLimitedLog(deps.log);
  }

  /** Replays what the journal holds beyond the core's snapshot. Call once, before any submit. */
  replay(records: readonly unknown[]): void {
    for (const record of records) {
      this.counters.replayed++;
      this.store(this.deps.core.apply(record as CoreInput), false);
    }
    if (records.length > 0) this.deps.log.info({ ...this.counters, journalRecords: records.length }, 'journal replayed');
    const stored = this.deps.outbox.stats().lastEmitSeq;
    if (this.deps.core.resumeAfter(stored)) {
      // The core started behind the outbox (its snapshot was moved away or lost): without this,
      // every new record up to `stored` would be skipped as already sent.
      this.deps.log.warn({ lastEmitSeq: stored }, 'clearance core was behind the outbox; continuing after it');
    }
  }

  /** Journals and applies one input. Returns once its effect is on disk (see MqttLink). */
  submit(input: CoreInput): void {
    this.guarded(() => {
      this.counters.inputs++;
      this.deps.journal.append(input);
      const emissions = this.deps.core.apply(input);
      this.store(emissions, true);
      if (this.deps.fsync === 'always') this.sync();
    });
  }

  /** Points that do not come from the core (device health): straight to the outbox. */
  appendTelemetry(points: readonly OutboxPoint[]): void {
    this.guarded(() => this.appendPoints(points));
  }

  sync(): void {
    this.guarded(() => {
      this.deps.journal.sync();
      this.deps.outbox.sync();
    });
  }

  /** Snapshot of the core; the journal before it is no longer needed. Outbox first: a snapshot must never be ahead of it on disk. */
  checkpoint(): void {
    this.guarded(() => {
      this.deps.outbox.sync();
      this.deps.journal.checkpoint(this.deps.core.snapshot());
    });
  }

  /** True once storage failed; the pipeline then refuses everything. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  private guarded(fn: () => void): void {
    if (this.failure) throw this.failure;
    try {
      fn();
    } catch (error) {
      this.failure = new StorageFailure(error);
      this.deps.log.fatal({ err: error }, 'storage failed: the agent must restart (the journal replay rebuilds what was not stored)');
      this.deps.onStorageFailure(error);
      throw this.failure;
    }
  }

  stats(): PipelineStats {
    return { ...this.counters };
  }

  private store(emissions: readonly Emission[], live: boolean): void {
    if (emissions.length === 0) return;
    const last = this.deps.outbox.stats().lastEmitSeq;
    const points: OutboxPoint[] = [];
    for (const e of emissions) {
      if (e.emitSeq <= last) {
        this.counters.skippedOnReplay++;
        continue;
      }
      points.push(e.measurement === 'clearance' ? clearancePoint(e.record, e.emitSeq) : queuePoint(e.record, e.emitSeq));
      if (live) {
        if (e.measurement === 'clearance') this.deps.bus.emit('clearance', e.record);
        else this.deps.bus.emit('queue', e.record);
      }
    }
    this.counters.emitted += points.length;
    this.appendPoints(points);
  }

  private appendPoints(points: readonly OutboxPoint[]): void {
    if (points.length === 0) return;
    const result = this.deps.outbox.append(points);
    const refused = Object.values(result.refused).reduce((a, b) => a + b, 0);
    if (refused > 0) {
      this.counters.refused += refused;
      this.warnLog.warn('outbox-full', { refused: result.refused, pending: this.deps.outbox.stats().pending }, 'outbox at its size bound: points refused');
    }
  }
}
