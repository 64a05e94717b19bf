/**
 * The manager view's 30-day throughput query over backfilled corridor history, from the raw
 * clearances and from the downsampled daily measurement (infra's `agg_1d.clearance_1d`).
 *
 * The history is made as the run command makes it: the simulated corridor replayed through each
 * crossing's edge code into a database of its own (backfill.ts), aggregates computed after. The
 * statements are the dashboard's own (dashboard/server/src/history/queries.ts,
 * `throughputStatement`, interval 'day'): the manager's view from agg_1d, and the same released
 * units per local day, checkpoint and channel counted from `raw.clearance`. Both must
 * count the same units, or the run fails: a fast wrong answer is not a figure.
 */
import { join } from 'node:path';
import { parseSiteConfig } from '@gatewatch/edge';
import { throughputStatement } from '@gatewatch/dashboard';
import { applySchema, influxQuery, startInfluxd } from '@gatewatch/infra';
import { backfill, type DeviceEmission } from '../backfill.js';
import { crossing, CROSSING_IDS, siteDescription, simulate, type CrossingId } from '../corridor/index.js';
import { DAY_MS, localMidnight } from '../corridor/profile.js';
import { nowMs } from './clock.js';
import { BenchFailure } from './mqtt.js';

export interface ManagerQueryResult {
  days: number;
  crossings: string[];
  backfillSeconds: number;
  points: number;
  /** Released units in the 30 days, as each query counted them. */
  units: number;
  rounds: number;
  /** Median of `rounds` runs after one unmeasured run (a manager who looked once already). */
  rawMs: number;
  downsampledMs: number;
  /** The first run of each, on a database that had not answered it yet. */
  rawFirstMs: number;
  downsampledFirstMs: number;
  rawRows: number;
  downsampledRows: number;
}

const DB = 'gatewatch';
const SEED = 20261125;

/** The dashboard's own statement (downsampled) and the same count from the raw clearances. */
export function throughputStatements(checkpoints: readonly string[], from: number, to: number): { raw: string; downsampled: string } {
  const range = { from: new Date(from), to: new Date(to) };
  return {
    raw: throughputStatement(DB, checkpoints, range, 'day', 'raw'),
    downsampled: throughputStatement(DB, checkpoints, range, 'day'),
  };
}

async function timed(url: string, q: string): Promise<{ ms: number; rows: number; units: number }> {
  const t0 = nowMs();
  const r = await influxQuery({ url }, q, { db: DB, epoch: 'ms', timeoutMs: 120_000 });
  const ms = nowMs() - t0;
  let rows = 0;
  let units = 0;
  for (const s of r.series ?? []) {
    const i = s.columns.indexOf('units');
    for (const v of s.values ?? []) {
      rows++;
      units += typeof v[i] === 'number' ? v[i] : 0;
    }
  }
  return { ms, rows, units };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function managerQuery(opts: { dir: string; days: number; crossings?: readonly CrossingId[]; rounds: number; log: (line: string) => void }): Promise<ManagerQueryResult> {
  const ids = opts.crossings ?? CROSSING_IDS;
  const influxd = await startInfluxd({ dataDir: join(opts.dir, 'manager-influxdb') });
  try {
    await applySchema(influxd.url);
    const now = Date.now();
    const from = localMidnight(now) - opts.days * DAY_MS;
    opts.log(`bench: manager's query: backfilling ${opts.days} days of ${ids.join(', ')} through the edge code`);
    const t0 = nowMs();
    const result = await backfill({
      influxUrl: influxd.url,
      from,
      to: now,
      crossings: ids.map((id, i) => {
        const c = crossing(id);
        const site = parseSiteConfig({ ...siteDescription(c), mqtt: { url: 'mqtt://127.0.0.1:1' }, influx: { url: influxd.url }, storage: { dir: join(opts.dir, 'manager-edge', id) } }, opts.dir, {});
        return {
          site,
          *emissions(a: number, b: number): Iterable<DeviceEmission> {
            for (const item of simulate({ crossing: c, seed: SEED + i, fromMs: a, toMs: b, drain: false })) if (item.kind !== 'truth') yield item;
          },
        };
      }),
    });
    const backfillSeconds = (nowMs() - t0) / 1000;
    if (!result.downsampled) throw new BenchFailure("manager's query: the backfill did not compute the aggregates");
    const points = result.crossings.reduce((n, c) => n + c.points, 0);
    opts.log(`  manager's query: ${points} points in ${backfillSeconds.toFixed(0)} s; timing the 30-day query, ${opts.rounds} rounds each`);

    // The manager's 30 days up to today (local days), over the whole corridor of the region view.
    const to = localMidnight(now) + DAY_MS;
    const q = throughputStatements(ids, to - 30 * DAY_MS, to);
    const rawFirst = await timed(influxd.url, q.raw);
    const downFirst = await timed(influxd.url, q.downsampled);
    const rawMs: number[] = [];
    const downMs: number[] = [];
    for (let i = 0; i < opts.rounds; i++) {
      rawMs.push((await timed(influxd.url, q.raw)).ms);
      downMs.push((await timed(influxd.url, q.downsampled)).ms);
    }
    if (rawFirst.units !== downFirst.units || rawFirst.units === 0) {
      throw new BenchFailure(`manager's query: the raw clearances count ${rawFirst.units} released units over 30 days, the daily aggregates ${downFirst.units}`);
    }
    return {
      days: opts.days,
      crossings: [...ids],
      backfillSeconds,
      points,
      units: rawFirst.units,
      rounds: opts.rounds,
      rawMs: median(rawMs),
      downsampledMs: median(downMs),
      rawFirstMs: rawFirst.ms,
      downsampledFirstMs: downFirst.ms,
      rawRows: rawFirst.rows,
      downsampledRows: downFirst.rows,
    };
  } finally {
    await influxd.stop();
  }
}
