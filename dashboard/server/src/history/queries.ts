/**
 * The manager's history, read from InfluxDB (docs/dashboard.md, "REST"): each function takes
 * validated values only (params.ts) and builds its InfluxQL with influxql.ts.
 */
import { CHANNELS, type ClearanceTimeRow, type HeatCell, type HistoryInterval, type QueuePoint, type ThroughputRow } from '@gatewatch/shared';
import { AGGREGATES, RAW_RP } from '@gatewatch/infra';
import type { InfluxClient } from '../influx.js';
import type { Range } from '../params.js';
import { HOUR_MS, localHourOfWeek, round1 } from '../stats.js';
import { from, tagIn, timeRange } from './influxql.js';

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' ? Math.round(v * 1000) / 1000 : null);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const RELEASED = `"outcome" = 'released'`;
const ALL_CHANNELS = [...CHANNELS, 'unknown'] as const;

/** Queue series resolution by range length: raw up to 6 h, 1-minute aggregates up to 7 days, hourly beyond. */
export const QUEUE_RAW_MAX_MS = 6 * HOUR_MS;
export const QUEUE_1M_MAX_MS = 7 * 24 * HOUR_MS;

/**
 * The statement of the manager's throughput view: released units per hour or local day, by
 * checkpoint and channel, from clearance_1h / clearance_1d (`raw`: counted from the single
 * clearances instead, as the benchmark compares).
 */
export function throughputStatement(database: string, checkpoints: readonly string[], r: Range, interval: HistoryInterval, source: 'downsampled' | 'raw' = 'downsampled'): string {
  const agg = interval === 'hour' ? AGGREGATES.clearance1h : AGGREGATES.clearance1d;
  // Buckets as the aggregate's: local days start at 17:00 UTC.
  const group = interval === 'hour' ? 'time(1h)' : 'time(1d, -7h)';
  const select = source === 'raw' ? `SELECT count("unit") AS "units" FROM ${from(database, RAW_RP, 'clearance')}` : `SELECT sum("units") AS "units" FROM ${from(database, agg.rp, agg.measurement)}`;
  return `${select} WHERE ${timeRange(r.from, r.to)} AND ${tagIn('checkpoint', checkpoints)} AND ${RELEASED} GROUP BY ${group}, "checkpoint", "channel" fill(none)`;
}

/** Released units per hour or local day, by channel, from clearance_1h / clearance_1d. */
export async function throughput(influx: InfluxClient, checkpoints: readonly string[], r: Range, interval: HistoryInterval): Promise<ThroughputRow[]> {
  const rows = await influx.rows(throughputStatement(influx.database, checkpoints, r, interval));
  const byKey = new Map<string, ThroughputRow>();
  for (const row of rows) {
    const checkpoint = str(row['checkpoint']);
    const time = new Date(row.time).toISOString();
    const key = `${time} ${checkpoint}`;
    let out = byKey.get(key);
    if (!out) byKey.set(key, (out = { time, checkpoint, units: 0, green: 0, yellow: 0, red: 0, unknown: 0 }));
    const channel = str(row['channel']);
    const units = num(row['units']);
    out.units += units;
    if ((ALL_CHANNELS as readonly string[]).includes(channel)) out[channel as (typeof ALL_CHANNELS)[number]] += units;
  }
  const order = new Map(checkpoints.map((c, i) => [c, i]));
  return [...byKey.values()].sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : (order.get(a.checkpoint) ?? 0) - (order.get(b.checkpoint) ?? 0)));
}

/**
 * Exact median / 90th / 99th percentile of `total_s` (queue → exit) of released units from raw
 * clearances, per checkpoint and channel; InfluxDB computes them (median: mean of the two middle
 * values; percentile: nearest rank). Every channel is listed, with nulls where none passed.
 */
export async function clearanceTimes(influx: InfluxClient, checkpoints: readonly string[], r: Range): Promise<ClearanceTimeRow[]> {
  const rows = await influx.rows(
    `SELECT count("total_s") AS "units", median("total_s") AS "median", percentile("total_s", 90) AS "p90", percentile("total_s", 99) AS "p99"` +
      ` FROM ${from(influx.database, RAW_RP, 'clearance')}` +
      ` WHERE ${timeRange(r.from, r.to)} AND ${tagIn('checkpoint', checkpoints)} AND ${RELEASED} GROUP BY "checkpoint", "channel"`,
  );
  const found = new Map(rows.map((row) => [`${str(row['checkpoint'])} ${str(row['channel'])}`, row]));
  return checkpoints.flatMap((checkpoint) =>
    ALL_CHANNELS.map((channel): ClearanceTimeRow => {
      const row = found.get(`${checkpoint} ${channel}`);
      return {
        checkpoint,
        channel,
        units: num(row?.['units']),
        medianS: numOrNull(row?.['median']),
        p90S: numOrNull(row?.['p90']),
        p99S: numOrNull(row?.['p99']),
      };
    }),
  );
}

/**
 * Mean released units per local hour of week: the hourly sums folded onto weekday × hour, each
 * divided by how many times that hour of the week lies in the range (an hour without clearances
 * counts as 0, not as missing). Hours count from the first whole hour at or after `from`, like
 * the aggregate's buckets that the range selects.
 */
export async function heatmap(influx: InfluxClient, checkpoints: readonly string[], r: Range): Promise<HeatCell[]> {
  const agg = AGGREGATES.clearance1h;
  const rows = await influx.rows(
    `SELECT sum("units") AS "units" FROM ${from(influx.database, agg.rp, agg.measurement)}` +
      ` WHERE ${timeRange(r.from, r.to)} AND ${tagIn('checkpoint', checkpoints)} AND ${RELEASED} GROUP BY time(1h), "checkpoint" fill(none)`,
  );
  const slots = new Array<number>(168).fill(0);
  for (let t = Math.ceil(r.from.getTime() / HOUR_MS) * HOUR_MS; t < r.to.getTime(); t += HOUR_MS) {
    const { weekday, hour } = localHourOfWeek(t);
    slots[weekday * 24 + hour]!++;
  }
  const sums = new Map<string, number[]>(checkpoints.map((c) => [c, new Array<number>(168).fill(0)]));
  for (const row of rows) {
    const { weekday, hour } = localHourOfWeek(row.time);
    const s = sums.get(str(row['checkpoint']));
    if (s) s[weekday * 24 + hour]! += num(row['units']);
  }
  return checkpoints.flatMap((checkpoint) =>
    slots.flatMap((n, i) => (n === 0 ? [] : [{ checkpoint, weekday: Math.floor(i / 24), hour: i % 24, units: round1(sums.get(checkpoint)![i]! / n) }])),
  );
}

export type QueueResolution = 'raw' | '1m' | '1h';

/** One checkpoint's queue length and wait estimate per lane, at the resolution the range allows. */
export async function queueSeries(influx: InfluxClient, checkpoint: string, r: Range): Promise<{ resolution: QueueResolution; points: QueuePoint[] }> {
  const span = r.to.getTime() - r.from.getTime();
  const resolution: QueueResolution = span <= QUEUE_RAW_MAX_MS ? 'raw' : span <= QUEUE_1M_MAX_MS ? '1m' : '1h';
  const where = `WHERE ${timeRange(r.from, r.to)} AND ${tagIn('checkpoint', [checkpoint])} GROUP BY "lane"`;
  const db = influx.database;
  const agg = resolution === '1m' ? AGGREGATES.queue1m : AGGREGATES.queue1h;
  const q =
    resolution === 'raw'
      ? `SELECT "length", "wait_estimate_s" AS "wait" FROM ${from(db, RAW_RP, 'queue')} ${where}`
      : `SELECT "length_mean" AS "length", "wait_estimate_s_mean" AS "wait" FROM ${from(db, agg.rp, agg.measurement)} ${where}`;
  const points = (await influx.rows(q))
    .map((row): QueuePoint => ({ time: new Date(row.time).toISOString(), lane: str(row['lane']), length: round1(num(row['length'])), waitS: Math.round(num(row['wait'])) }))
    .sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : a.lane < b.lane ? -1 : 1));
  return { resolution, points };
}
