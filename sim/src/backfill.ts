/**
 * History backfill: the past days of a corridor written to InfluxDB by replaying simulated
 * device traffic through each crossing's edge code on a virtual clock (ReplayAgent), so that
 * history views have real data from the first minute. The records are the ones the live agents
 * would have written for that traffic: same decoding, same clearance core, same points, same
 * InfluxSender. Afterwards the aggregates are computed for the range (continuous queries only
 * see recent intervals).
 */
import { createLog, InfluxSender, MemoryOutbox, ReplayAgent, type SiteConfig } from '@gatewatch/edge';
import { downsample } from '@gatewatch/infra';

/** What a device sends at a moment: the simulator's output, as a live driver would write it. */
export type DeviceEmission =
  | { at: number; kind: 'mqtt'; topic: string; payload: string }
  // Bytes, not text: line noise on a serial line need not be valid UTF-8.
  | { at: number; kind: 'serial'; device: string; bytes: string | Uint8Array };

export interface BackfillCrossing {
  site: SiteConfig;
  /** Emissions of this crossing in [from, to), in time order (streamed: days of traffic do not fit in memory). */
  emissions(from: number, to: number): Iterable<DeviceEmission>;
}

export interface BackfillOptions {
  influxUrl: string;
  database?: string;
  from: number;
  to: number;
  crossings: readonly BackfillCrossing[];
  /** Called now and then with the share done (0..1) and what is being replayed. */
  onProgress?: (done: number, what: string) => void;
}

export interface BackfillResult {
  crossings: { checkpoint: string; skipped: boolean; emissions: number; points: number }[];
  downsampled: boolean;
  elapsedMs: number;
}

/** Points waiting for InfluxDB before the replay pauses to let the sender catch up. */
const HIGH_WATER = 50_000;
/** Virtual time replayed between progress reports and backpressure checks. */
const SLICE_MS = 3600_000;

const quiet = createLog({ level: 'warn', destination: process.stderr });

/** Whether InfluxDB already holds clearances of this crossing in the range (then it is skipped). */
async function alreadyThere(url: string, database: string, checkpoint: string, from: number, to: number): Promise<boolean> {
  const q = `SELECT count(unit) FROM clearance WHERE checkpoint = '${checkpoint.replace(/['\\]/g, '\\$&')}' AND time >= ${from}ms AND time < ${to}ms`;
  const res = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q, db: database }) });
  if (!res.ok) return false;
  const body = (await res.json()) as { results?: { series?: { values?: unknown[][] }[] }[] };
  const count = body.results?.[0]?.series?.[0]?.values?.[0]?.[1];
  return typeof count === 'number' && count > 0;
}

export async function backfill(opts: BackfillOptions): Promise<BackfillResult> {
  const started = Date.now();
  const database = opts.database ?? 'gatewatch';
  const result: BackfillResult = { crossings: [], downsampled: false, elapsedMs: 0 };
  const span = Math.max(1, opts.to - opts.from);
  for (const [i, crossing] of opts.crossings.entries()) {
    const checkpoint = crossing.site.checkpoint.id;
    const share = (t: number): number => (i + (t - opts.from) / span) / opts.crossings.length;
    if (await alreadyThere(opts.influxUrl, database, checkpoint, opts.from, opts.to)) {
      result.crossings.push({ checkpoint, skipped: true, emissions: 0, points: 0 });
      opts.onProgress?.(share(opts.to), `${checkpoint}: already in InfluxDB, skipped`);
      continue;
    }
    const outbox = new MemoryOutbox({ maxPoints: 10_000_000, telemetryShare: 0.99 });
    await outbox.open();
    const sender = new InfluxSender({
      outbox,
      influx: { ...crossing.site.influx, url: opts.influxUrl, database },
      batch: { maxPoints: 5000, maxDelayMs: 200 },
      log: quiet,
    });
    await sender.start();
    const agent = new ReplayAgent(crossing.site, { outbox, log: quiet }, opts.from);
    let emissions = 0;
    let sliceEnd = opts.from + SLICE_MS;
    for (const e of crossing.emissions(opts.from, opts.to)) {
      while (e.at >= sliceEnd) {
        agent.advance(sliceEnd);
        opts.onProgress?.(share(sliceEnd), `${checkpoint} ${new Date(sliceEnd).toISOString().slice(0, 13)}h`);
        while (outbox.stats().pending > HIGH_WATER) await new Promise((r) => setTimeout(r, 20));
        sliceEnd += SLICE_MS;
      }
      emissions++;
      if (e.kind === 'mqtt') agent.mqttMessage(e.at, e.topic, e.payload);
      else agent.serialBytes(e.at, e.device, e.bytes);
    }
    agent.advance(opts.to);
    await sender.stop({ drain: true, timeoutMs: 120_000 });
    const points = sender.stats().pointsSent;
    result.crossings.push({ checkpoint, skipped: false, emissions, points });
    opts.onProgress?.(share(opts.to), `${checkpoint}: ${points} points`);
  }
  // Always, also when every crossing was skipped: a run stopped before this step left raw
  // history without its aggregates (idempotent: SELECT … INTO rewrites the same points).
  await downsample(opts.influxUrl, { from: opts.from, to: opts.to, database });
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
