/**
 * History backfill: the past days of a corridor written to InfluxDB by replaying simulated
 * device traffic through each crossing's edge code on a virtual clock (ReplayAgent), so that
 * history views have real data from the first minute. The records are the ones the live agents
 * would have written for that traffic: same decoding, same clearance core, same points, same
 * InfluxSender. Afterwards the aggregates are computed for the range (continuous queries only
 * see recent intervals).
 */
import { createLog, InfluxSender, MemoryOutbox, ReplayAgent, type AppendResult, type Outbox, type OutboxPoint, type SiteConfig } from '@gatewatch/edge';
import { AGGREGATES, downsample, influxQuery, InfluxQueryError, quoteIdent, quoteString, type InfluxCredentials, type InfluxStatementResult } from '@gatewatch/infra';
import { GateWatchError } from '@gatewatch/shared';
import { DAY_MS, HOUR_MS, localMidnight } from './corridor/profile.js';

/** What a device sends at a moment: the simulator's output, as a live driver would write it. */
export type DeviceEmission =
  | { at: number; kind: 'mqtt'; topic: string; payload: string }
  // Bytes, not text: line noise on a serial line need not be valid UTF-8.
  | { at: number; kind: 'serial'; device: string; bytes: string | Uint8Array };

export interface BackfillCrossing {
  /** Its `influx` section (credentials included) is what the backfill writes and reads with. */
  site: SiteConfig;
  /**
   * Emissions of this crossing in [from, to), in time order (streamed: days of traffic do not
   * fit in memory). `from` is always the start of the range or a local midnight in it, and the
   * same instant must give the same traffic whatever `from` was (the simulator seeds by day).
   */
  emissions(from: number, to: number): Iterable<DeviceEmission>;
}

export interface BackfillOptions {
  influxUrl: string;
  database?: string;
  /** For the aggregates (each crossing's own queries use its site's credentials). */
  credentials?: InfluxCredentials;
  from: number;
  to: number;
  crossings: readonly BackfillCrossing[];
  /** Called now and then with the share done (0..1) and what is being replayed. */
  onProgress?: (done: number, what: string) => void;
  /** How long the sender may take to hand the last points to InfluxDB (default 120 s). */
  drainTimeoutMs?: number;
}

export interface BackfillCrossingResult {
  checkpoint: string;
  /** InfluxDB already held the range: nothing replayed. */
  skipped: boolean;
  /**
   * Where writing started when InfluxDB held the start of the range (an earlier run stopped
   * part way, or the agents stopped for a while): epoch ms; undefined for a full backfill.
   */
  resumedFrom?: number;
  emissions: number;
  points: number;
}

export interface BackfillResult {
  crossings: BackfillCrossingResult[];
  downsampled: boolean;
  elapsedMs: number;
}

/** The sender could not hand every point to InfluxDB: the history has a hole, and the next run must fill it. */
export class BackfillError extends GateWatchError {}

/** Points waiting for InfluxDB before the replay pauses to let the sender catch up. */
const HIGH_WATER = 50_000;
/** Emissions replayed between two turns of the event loop. */
const YIELD_EVERY = 500;
/** Virtual time replayed between progress reports and backpressure checks. */
const SLICE_MS = 3600_000;
/** A resumed replay starts this much earlier, without writing, so that queues and trains in progress are there. */
const RESUME_WARMUP_MS = DAY_MS;

// Errors only: the replayed traffic carries the simulator's injected faults, each of which the
// agent logs as a warning; the device records count them.
const quiet = createLog({ level: 'error', destination: process.stderr });

/** One InfluxQL statement for a crossing, with its site's credentials; the first result. */
async function query(site: SiteConfig, url: string, database: string, q: string): Promise<InfluxStatementResult> {
  try {
    return await influxQuery({ url, ...(site.influx.credentials ? { credentials: site.influx.credentials } : {}) }, q, { db: database, epoch: 'ms' });
  } catch (error) {
    if (!(error instanceof InfluxQueryError)) throw error;
    throw new BackfillError(error.code === 'UNREACHABLE' ? 'INFLUX_UNREACHABLE' : 'INFLUX_QUERY', error.message, site.checkpoint.id);
  }
}


/**
 * Where this crossing's history in [from, to) has its first hole, or undefined when it has none.
 * The agents write a queue record per lane and interval, whatever the traffic, so an hour holds
 * a known number of them; the first hour short of it (beyond the intervals the ends of the
 * range may cut) is where writing stopped: a backfill stopped by Ctrl-C, the time `npm start`
 * was not running. Not the last record: live agents write on after a backfill that was stopped.
 */
async function firstGap(site: SiteConfig, url: string, database: string, from: number, to: number): Promise<number | undefined> {
  const I = site.clearance.queueIntervalMs;
  const lanes = site.lanes.length;
  const q = `SELECT count(length) FROM queue WHERE checkpoint = ${quoteString(site.checkpoint.id)} AND time >= ${from}ms AND time < ${to}ms GROUP BY time(1h) fill(0)`;
  const counts = new Map<number, number>();
  for (const [t, n] of (await query(site, url, database, q)).series?.[0]?.values ?? []) counts.set(Number(t), Number(n));
  for (let hour = Math.floor(from / HOUR_MS) * HOUR_MS; hour < to; hour += HOUR_MS) {
    const start = Math.max(hour, from);
    const end = Math.min(hour + HOUR_MS, to);
    // Records are stamped with their interval's start, one a tick after it closes: the first
    // interval of the range may be cut, and the last two before `to` not written yet. One more
    // per lane of slack anywhere: a hole shorter than about four intervals at the end of the
    // range (where the live agents just started writing) is not filled.
    const slack = lanes * (1 + (hour <= from ? 1 : 0) + (hour + HOUR_MS >= to ? 2 : 0));
    const expected = lanes * Math.floor((end - start) / I) - slack;
    if ((counts.get(hour) ?? 0) < expected) return start;
  }
  return undefined;
}

/**
 * The outbox of a resumed replay: points before `fromNs` are already in InfluxDB and are
 * dropped here, the rest go to the memory outbox the sender reads. The emit sequence goes on
 * counting the dropped points, as the pipeline expects of an outbox.
 */
class OutboxFrom implements Outbox {
  private lastEmitSeq = 0;
  constructor(
    private readonly inner: MemoryOutbox,
    private readonly fromNs: bigint,
  ) {}
  open(): Promise<void> {
    return this.inner.open();
  }
  append(points: readonly OutboxPoint[]): AppendResult {
    for (const p of points) if (p.emitSeq !== undefined && p.emitSeq > this.lastEmitSeq) this.lastEmitSeq = p.emitSeq;
    return this.inner.append(points.filter((p) => BigInt(p.timeNs) >= this.fromNs));
  }
  peek(max: number): ReturnType<Outbox['peek']> {
    return this.inner.peek(max);
  }
  ack(token: number): void {
    this.inner.ack(token);
  }
  sync(): void {
    this.inner.sync();
  }
  stats(): ReturnType<Outbox['stats']> {
    const s = this.inner.stats();
    return { ...s, lastEmitSeq: Math.max(s.lastEmitSeq, this.lastEmitSeq) };
  }
  onAppend(listener: () => void): () => void {
    return this.inner.onAppend(listener);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

/**
 * Replays [from, to) of each crossing into InfluxDB, or what of it InfluxDB does not hold yet:
 * a crossing whose history reaches `to` is skipped, one whose history stops earlier (a backfill
 * stopped by Ctrl-C, or the time the agents were not running) is completed from where it
 * stopped. Throws BackfillError when InfluxDB did not take every point (nothing is dropped
 * silently; the next run resumes).
 */
export async function backfill(opts: BackfillOptions): Promise<BackfillResult> {
  const started = Date.now();
  const database = opts.database ?? 'gatewatch';
  const result: BackfillResult = { crossings: [], downsampled: false, elapsedMs: 0 };
  const span = Math.max(1, opts.to - opts.from);
  let aggregateFrom = opts.to;
  for (const [i, crossing] of opts.crossings.entries()) {
    const checkpoint = crossing.site.checkpoint.id;
    const share = (t: number): number => (i + (t - opts.from) / span) / opts.crossings.length;
    const gap = await firstGap(crossing.site, opts.influxUrl, database, opts.from, opts.to);
    if (gap === undefined) {
      result.crossings.push({ checkpoint, skipped: true, emissions: 0, points: 0 });
      opts.onProgress?.(share(opts.to), `${checkpoint}: already in InfluxDB, skipped`);
      continue;
    }
    const resumed = gap > opts.from;
    const writeFrom = gap;
    // A local midnight a day earlier, as the simulator's days begin there and queues, trains and
    // inspections in progress at the gap must be there.
    const replayFrom = resumed ? Math.max(opts.from, localMidnight(writeFrom - RESUME_WARMUP_MS)) : opts.from;
    if (resumed) {
      // What is there from the gap on is replaced: clearances written live carry reception
      // stamps a few ms off the replay's, and would be there twice. So are the aggregates from
      // that local day on (recomputed below): a bucket keeps series the new points may not have.
      const aggFrom = localMidnight(writeFrom);
      const deletes = [
        ...['clearance', 'queue'].map((m) => [m, writeFrom] as const),
        ...Object.values(AGGREGATES).map((a) => [a.measurement, aggFrom] as const),
      ];
      for (const [m, t] of deletes) {
        await query(crossing.site, opts.influxUrl, database, `DELETE FROM ${quoteIdent(m)} WHERE checkpoint = ${quoteString(checkpoint)} AND time >= ${t}ms AND time < ${opts.to}ms`);
      }
      aggregateFrom = Math.min(aggregateFrom, aggFrom);
    }
    aggregateFrom = Math.min(aggregateFrom, writeFrom);
    const memory = new MemoryOutbox({ maxPoints: 10_000_000, telemetryShare: 0.99 });
    const outbox = writeFrom > replayFrom ? new OutboxFrom(memory, BigInt(writeFrom) * 1_000_000n) : memory;
    await outbox.open();
    const sender = new InfluxSender({
      outbox: memory,
      influx: { ...crossing.site.influx, url: opts.influxUrl, database },
      batch: { maxPoints: 5000, maxDelayMs: 200 },
      log: quiet,
    });
    await sender.start();
    const agent = new ReplayAgent(crossing.site, { outbox, log: quiet }, replayFrom);
    let emissions = 0;
    let sliceEnd = replayFrom + SLICE_MS;
    for (const e of crossing.emissions(replayFrom, opts.to)) {
      while (e.at >= sliceEnd) {
        agent.advance(sliceEnd);
        opts.onProgress?.(share(Math.max(sliceEnd, writeFrom)), `${checkpoint} ${new Date(sliceEnd).toISOString().slice(0, 13)}h`);
        while (memory.stats().pending > HIGH_WATER) await new Promise((r) => setTimeout(r, 20));
        sliceEnd += SLICE_MS;
      }
      emissions++;
      if (e.kind === 'mqtt') agent.mqttMessage(e.at, e.topic, e.payload);
      else agent.serialBytes(e.at, e.device, e.bytes);
      // The run command replays in the process that plays the live corridor: let its timers run
      // (a few ms at a time), or live frames would go out seconds late.
      if (emissions % YIELD_EVERY === 0) await new Promise((r) => setImmediate(r));
    }
    agent.advance(opts.to);
    const drainMs = opts.drainTimeoutMs ?? 120_000;
    await sender.stop({ drain: true, timeoutMs: drainMs });
    const left = memory.stats().pending;
    if (left > 0) {
      throw new BackfillError(
        'NOT_DRAINED',
        `InfluxDB at ${opts.influxUrl} took only ${sender.stats().pointsSent} of ${sender.stats().pointsSent + left} points within ${drainMs / 1000} s; run again to resume`,
        checkpoint,
      );
    }
    const points = sender.stats().pointsSent;
    result.crossings.push({ checkpoint, skipped: false, ...(resumed ? { resumedFrom: writeFrom } : {}), emissions, points });
    opts.onProgress?.(share(opts.to), `${checkpoint}: ${points} points`);
  }
  // Always, also when every crossing was skipped: a run stopped before this step left raw
  // history without its aggregates (idempotent: SELECT … INTO rewrites the same points).
  // From the earliest point written this time, or the whole range when nothing was.
  const aggFrom = aggregateFrom < opts.to ? aggregateFrom : opts.from;
  await downsample(opts.influxUrl, { from: aggFrom, to: opts.to, database, ...(opts.credentials ? { credentials: opts.credentials } : {}) });
  result.downsampled = true;
  result.elapsedMs = Date.now() - started;
  return result;
}

/** A one-line progress bar on a terminal (stderr), redrawn in place. */
export function progressBar(stream: NodeJS.WriteStream = process.stderr): (done: number, what: string) => void {
  let last = '';
  let lastTenth = -1;
  return (done, what) => {
    const width = 30;
    const share = Math.min(1, Math.max(0, done));
    const filled = Math.round(share * width);
    const line = `[${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${String(Math.round(share * 100)).padStart(3)}% ${what}`;
    if (line === last) return;
    last = line;
    if (stream.isTTY) {
      stream.write(`\r${line.padEnd(100)}`);
      return;
    }
    // In a log (not a terminal): one line per tenth, not one per replayed hour.
    const tenth = Math.floor(share * 10);
    if (tenth > lastTenth) {
      lastTenth = tenth;
      stream.write(`${line}\n`);
    }
  };
}
