/**
 * The GateWatch database schema in InfluxDB 1.x: retention policies and downsampling.
 *
 * Retention (docs/interfaces.md, "Retention and downsampling"):
 * - `raw` (DEFAULT, 30 days, 1-day shards) holds what the edge agents write (`clearance`,
 *   `queue`, `device`). The agents write without naming a retention policy, so their points go
 *   to the database's DEFAULT policy: `raw` must be it, also in a database that already exists
 *   with `autogen` (infinite) as default (the agent's sender runs CREATE DATABASE when the
 *   database is missing). 30 days: the live views need the last hours; the manager view's
 *   ranges up to a month (and the 14-day backfill) are answered exactly from raw data (exact
 *   percentiles of single clearances); an edge may be away up to 30 days and still deliver its
 *   outbox (InfluxDB refuses points older than the policy's duration, which the agent would
 *   dead-letter). InfluxDB drops a shard only when all of it is older than the duration, so the
 *   last full 30 days are always there.
 * - `agg_1m` (400 days, 30-day shards): 1-minute queue aggregates, enough to compare a week
 *   with the same week a year ago at minute resolution.
 * - `agg_1h` (5 years, 90-day shards): hourly queue and clearance aggregates (throughput per
 *   hour, hour-of-week heat map, typical wait by hour of day, hourly distributions).
 * - `agg_1d` (infinite, 52-week shards): daily clearance aggregates by local day
 *   (Asia/Ho_Chi_Minh), a handful of rows a day per series, kept for good.
 * Long shard durations for the aggregate policies keep the number of shards (files, index,
 * handles) small; their data are tiny. Expiry happens shard by shard, so a policy can hold up
 * to one shard duration more than its duration.
 *
 * Downsampling: every aggregate is one SELECT … INTO statement built from one definition
 * (AGGREGATE_DEFS). The continuous query wraps it in CREATE CONTINUOUS QUERY … RESAMPLE; the
 * explicit `downsample()` (history written after the fact: backfill, an edge back after a long
 * outage) runs the very same statement with a time range, in chunks aligned to the aggregate's
 * buckets. A SELECT … INTO overwrites the points of the same series and time, so running it
 * again over the same range (or a CQ re-running a window) replaces, never adds.
 *
 * Every statement is built here from constants and from the database name, which is quoted
 * as an identifier; times are ISO strings of Date values. Nothing else goes into InfluxQL.
 */

import { influxQuery, InfluxQueryError, type InfluxCredentials, type InfluxStatementResult, type InfluxTarget } from './influxQuery.js';

export type { InfluxCredentials, InfluxTarget };

// ---------------------------------------------------------------------------------------------
// Durations and InfluxQL text

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const WEEK = 7 * DAY;

/**
 * A duration literal the way InfluxDB prints it (influxql.FormatDuration): the largest unit
 * that divides it. Continuous queries are stored and shown in this canonical form, so the
 * text we build can be compared with SHOW CONTINUOUS QUERIES verbatim (7d is shown as 1w).
 */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms)) throw new RangeError(`not a whole number of milliseconds: ${ms}`);
  if (ms === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  const a = Math.abs(ms);
  for (const [unit, size] of [
    ['w', WEEK],
    ['d', DAY],
    ['h', HOUR],
    ['m', MINUTE],
    ['s', SECOND],
  ] as const) {
    if (a % size === 0) return `${sign}${a / size}${unit}`;
  }
  return `${sign}${a}ms`;
}

/** Parses a Go duration as InfluxDB prints it in SHOW RETENTION POLICIES ("720h0m0s", "0s"). */
export function parseGoDuration(text: string): number {
  const units: Record<string, number> = { h: HOUR, m: MINUTE, s: SECOND, ms: 1, us: 1e-3, 'µs': 1e-3, ns: 1e-6 };
  const re = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/gy;
  let total = 0;
  let matched = 0;
  for (const m of text.matchAll(re)) {
    total += Number(m[1]) * (units[m[2]!] ?? Number.NaN);
    matched += m[0].length;
  }
  if (matched !== text.length || text.length === 0 || !Number.isFinite(total)) {
    throw new Error(`cannot parse InfluxDB duration ${JSON.stringify(text)}`);
  }
  return Math.round(total);
}

/** InfluxQL keywords (influxql/scanner.go): an identifier spelled like one must be quoted. */
const KEYWORDS = new Set(
  (
    'ALL ALTER ANALYZE ANY AS ASC BEGIN BY CARDINALITY CREATE CONTINUOUS DATABASE DATABASES DEFAULT ' +
    'DELETE DESC DESTINATIONS DIAGNOSTICS DISTINCT DROP DURATION END EVERY EXACT EXPLAIN FIELD FOR ' +
    'FROM GRANT GRANTS GROUP GROUPS IN INF INSERT INTO KEY KEYS KILL LIMIT MEASUREMENT MEASUREMENTS ' +
    'NAME OFFSET ON ORDER PASSWORD POLICIES POLICY PRIVILEGES QUERIES QUERY READ REPLICATION RESAMPLE ' +
    'RETENTION REVOKE SELECT SERIES SET SHARD SHARDS SLIMIT SOFFSET STATS SUBSCRIPTION SUBSCRIPTIONS ' +
    'TAG TO USER USERS VALUES WHERE WITH WRITE'
  ).split(' '),
);

/**
 * An InfluxQL identifier, quoted exactly when InfluxDB itself would quote it (influxql.QuoteIdent):
 * a keyword, or anything but [A-Za-z_][A-Za-z0-9_]*. Inside the quotes `\`, `"` and newlines are
 * escaped, so any name (a database name from configuration) stays one identifier.
 */
export function quoteIdent(name: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !KEYWORDS.has(name.toUpperCase())) return name;
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

/** An InfluxQL string literal. */
export function quoteString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

// ---------------------------------------------------------------------------------------------
// Retention policies

export interface RetentionPolicyDef {
  readonly name: string;
  /** 0: infinite. */
  readonly durationMs: number;
  readonly shardDurationMs: number;
  readonly isDefault: boolean;
}

export const RETENTION_POLICIES = {
  raw: { name: 'raw', durationMs: 30 * DAY, shardDurationMs: DAY, isDefault: true },
  agg1m: { name: 'agg_1m', durationMs: 400 * DAY, shardDurationMs: 30 * DAY, isDefault: false },
  agg1h: { name: 'agg_1h', durationMs: 1825 * DAY, shardDurationMs: 90 * DAY, isDefault: false },
  agg1d: { name: 'agg_1d', durationMs: 0, shardDurationMs: 52 * WEEK, isDefault: false },
} as const satisfies Record<string, RetentionPolicyDef>;

/** The policy the agents write to (the DEFAULT one) and the aggregates read from. */
export const RAW_RP = RETENTION_POLICIES.raw.name;

// ---------------------------------------------------------------------------------------------
// Aggregates

type AggFn = 'count' | 'sum' | 'mean' | 'median' | 'max' | 'percentile';

/** One field of an aggregate: `fn(of[, arg]) AS field`. */
export interface AggregateExpr {
  readonly field: string;
  readonly fn: AggFn;
  readonly of: string;
  /** The percentile for `percentile`. */
  readonly arg?: number;
}

export interface AggregateDef {
  /** Name of the continuous query (all GateWatch CQs start with `gw_`). */
  readonly cq: string;
  readonly rp: string;
  readonly measurement: string;
  /** Raw measurement in RAW_RP it is computed from. */
  readonly source: 'queue' | 'clearance';
  readonly intervalMs: number;
  /** GROUP BY time(interval, offset): buckets start at k·interval + offset (UTC). */
  readonly offsetMs: number;
  /** The tags kept (GROUP BY): the aggregate's series keep exactly these. */
  readonly tags: readonly string[];
  readonly exprs: readonly AggregateExpr[];
  readonly fields: readonly string[];
  /** RESAMPLE EVERY … FOR …: how often the CQ runs and how far back it recomputes. */
  readonly resample: { readonly everyMs: number; readonly forMs: number };
  /** downsample() runs one statement per chunk of this length (a multiple of intervalMs). */
  readonly chunkMs: number;
}

/**
 * Queue: per checkpoint and lane. `samples` (number of 10 s points) says how complete a bucket
 * is; arrivals and departures are sums, so throughput over any range is a sum of sums; the
 * lengths and wait estimates are the mean and max of the 10 s samples.
 */
const QUEUE_EXPRS = [
  { field: 'samples', fn: 'count', of: 'length' },
  { field: 'length_mean', fn: 'mean', of: 'length' },
  { field: 'length_max', fn: 'max', of: 'length' },
  { field: 'arrivals', fn: 'sum', of: 'arrivals' },
  { field: 'departures', fn: 'sum', of: 'departures' },
  { field: 'wait_estimate_s_mean', fn: 'mean', of: 'wait_estimate_s' },
  { field: 'wait_estimate_s_max', fn: 'max', of: 'wait_estimate_s' },
] as const satisfies readonly AggregateExpr[];

/**
 * The statistics of one clearance duration. `_count` and `_sum` let a reader combine buckets
 * into an exact mean over any range (sum(x_sum) / sum(x_count)); median and percentiles are
 * exact within the bucket (InfluxDB's nearest-rank percentile) but cannot be merged across
 * buckets, which is why the daily aggregate exists and why ranges within the raw retention
 * read raw `clearance` for exact distributions.
 */
function durationStats<F extends string>(of: F) {
  return [
    { field: `${of}_count`, fn: 'count', of },
    { field: `${of}_sum`, fn: 'sum', of },
    { field: `${of}_mean`, fn: 'mean', of },
    { field: `${of}_median`, fn: 'median', of },
    { field: `${of}_p90`, fn: 'percentile', of, arg: 90 },
    { field: `${of}_p99`, fn: 'percentile', of, arg: 99 },
    { field: `${of}_max`, fn: 'max', of },
  ] as const satisfies readonly AggregateExpr[];
}

/** Clearance: `units` counts the `unit` field, which every clearance point has. */
const CLEARANCE_EXPRS = [
  { field: 'units', fn: 'count', of: 'unit' },
  ...durationStats('total_s'),
  ...durationStats('wait_s'),
  ...durationStats('process_s'),
  { field: 'weighed', fn: 'count', of: 'weight_kg' },
  { field: 'weight_kg_sum', fn: 'sum', of: 'weight_kg' },
] as const satisfies readonly AggregateExpr[];

const QUEUE_TAGS = ['checkpoint', 'lane'] as const;
const CLEARANCE_TAGS = ['checkpoint', 'lane', 'kind', 'channel', 'outcome'] as const;

/**
 * Asia/Ho_Chi_Minh is UTC+7 all year (no daylight saving): local days start at 17:00 UTC, i.e.
 * GROUP BY time(1d, -7h). Hours need no offset (whole-hour zone), so hourly buckets are local
 * hours too and the hour-of-week heat map folds them directly.
 */
export const LOCAL_DAY_OFFSET_MS = -7 * HOUR;

function fieldNames<T extends readonly { field: string }[]>(exprs: T): T[number]['field'][] {
  return exprs.map((e) => e.field);
}

/**
 * RESAMPLE choices. A CQ by default computes only the interval that just ended; points that
 * arrive after that are never aggregated. FOR makes every run recompute that much history:
 * - queue_1m, EVERY 1m FOR 30m: queue points reach InfluxDB within about a second (outbox
 *   batches) but an outbox drains late after an InfluxDB or link outage; 30 minutes covers the
 *   outages the agent rides out routinely (the 2-minute drill many times over) for the cost of
 *   reading 30 × 6 points per lane each minute.
 * - queue_1h, EVERY 5m FOR 3h and clearance_1h, EVERY 5m FOR 3h: the current (partial) hour
 *   appears within 5 minutes and is completed as it goes; clearances are written a lateness
 *   window (5 s) after their exit time, and held while the broker is away, so a closed hour is
 *   still recomputed for two more hours.
 * - clearance_1d, EVERY 1h FOR 2d: today so far, refreshed hourly; yesterday recomputed for a day.
 * Anything later than that (a backfill, an edge back after hours or days) is downsample()'s job.
 */
export const AGGREGATE_DEFS = {
  queue1m: {
    cq: 'gw_queue_1m',
    rp: RETENTION_POLICIES.agg1m.name,
    measurement: 'queue_1m',
    source: 'queue',
    intervalMs: MINUTE,
    offsetMs: 0,
    tags: QUEUE_TAGS,
    exprs: QUEUE_EXPRS,
    fields: fieldNames(QUEUE_EXPRS),
    resample: { everyMs: MINUTE, forMs: 30 * MINUTE },
    // A day of a corridor's queue points (~100k) per statement.
    chunkMs: DAY,
  },
  queue1h: {
    cq: 'gw_queue_1h',
    rp: RETENTION_POLICIES.agg1h.name,
    measurement: 'queue_1h',
    source: 'queue',
    intervalMs: HOUR,
    offsetMs: 0,
    tags: QUEUE_TAGS,
    exprs: QUEUE_EXPRS,
    fields: fieldNames(QUEUE_EXPRS),
    resample: { everyMs: 5 * MINUTE, forMs: 3 * HOUR },
    chunkMs: DAY,
  },
  clearance1h: {
    cq: 'gw_clearance_1h',
    rp: RETENTION_POLICIES.agg1h.name,
    measurement: 'clearance_1h',
    source: 'clearance',
    intervalMs: HOUR,
    offsetMs: 0,
    tags: CLEARANCE_TAGS,
    exprs: CLEARANCE_EXPRS,
    fields: fieldNames(CLEARANCE_EXPRS),
    resample: { everyMs: 5 * MINUTE, forMs: 3 * HOUR },
    // Clearances are few (thousands a day): a week per statement.
    chunkMs: WEEK,
  },
  clearance1d: {
    cq: 'gw_clearance_1d',
    rp: RETENTION_POLICIES.agg1d.name,
    measurement: 'clearance_1d',
    source: 'clearance',
    intervalMs: DAY,
    offsetMs: LOCAL_DAY_OFFSET_MS,
    tags: CLEARANCE_TAGS,
    exprs: CLEARANCE_EXPRS,
    fields: fieldNames(CLEARANCE_EXPRS),
    resample: { everyMs: HOUR, forMs: 2 * DAY },
    chunkMs: WEEK,
  },
} as const satisfies Record<string, AggregateDef>;

export type AggregateName = keyof typeof AGGREGATE_DEFS;
export const AGGREGATE_NAMES = Object.keys(AGGREGATE_DEFS) as AggregateName[];

/**
 * What the dashboard queries: `SELECT … FROM "<db>"."<rp>"."<measurement>"`, with `tags` as
 * tags and `fields` as fields. Time of a point is the start of its bucket (`intervalMs`, local
 * days for clearance1d).
 */
export const AGGREGATES: {
  readonly [K in AggregateName]: Pick<(typeof AGGREGATE_DEFS)[K], 'rp' | 'measurement' | 'tags' | 'fields' | 'intervalMs' | 'offsetMs'>;
} = AGGREGATE_DEFS;

function exprText(e: AggregateExpr): string {
  const arg = e.arg === undefined ? '' : `, ${e.arg}`;
  return `${e.fn}(${quoteIdent(e.of)}${arg}) AS ${quoteIdent(e.field)}`;
}

function qualified(db: string, rp: string, measurement: string): string {
  return `${quoteIdent(db)}.${quoteIdent(rp)}.${quoteIdent(measurement)}`;
}

/**
 * The SELECT … INTO of an aggregate, in InfluxDB's canonical form. Without a range it is the
 * body of the continuous query (the CQ adds its own time range); with one, a backfill statement.
 * fill(none): a bucket without raw points writes nothing (count() would otherwise write zeros
 * for every empty bucket of every series).
 */
export function selectIntoStatement(def: AggregateDef, database: string, range?: { from: Date; to: Date }): string {
  const where = range ? ` WHERE time >= ${quoteString(range.from.toISOString())} AND time < ${quoteString(range.to.toISOString())}` : '';
  const offset = def.offsetMs === 0 ? '' : `, ${formatDuration(def.offsetMs)}`;
  const groupBy = [`time(${formatDuration(def.intervalMs)}${offset})`, ...def.tags.map(quoteIdent)].join(', ');
  return (
    `SELECT ${def.exprs.map(exprText).join(', ')}` +
    ` INTO ${qualified(database, def.rp, def.measurement)}` +
    ` FROM ${qualified(database, RAW_RP, def.source)}` +
    `${where} GROUP BY ${groupBy} fill(none)`
  );
}

/** CREATE CONTINUOUS QUERY exactly as SHOW CONTINUOUS QUERIES prints it back. */
export function continuousQueryStatement(def: AggregateDef, database: string): string {
  const { everyMs, forMs } = def.resample;
  return (
    `CREATE CONTINUOUS QUERY ${quoteIdent(def.cq)} ON ${quoteIdent(database)}` +
    ` RESAMPLE EVERY ${formatDuration(everyMs)} FOR ${formatDuration(forMs)}` +
    ` BEGIN ${selectIntoStatement(def, database)} END`
  );
}

// ---------------------------------------------------------------------------------------------
// HTTP

export class InfluxSchemaError extends Error {
  constructor(
    message: string,
    readonly statement: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'InfluxSchemaError';
  }
}

export const DEFAULT_DATABASE = 'gatewatch';
const GW_CQ_PREFIX = 'gw_';

/** One statement; a failure as InfluxSchemaError, which the run command and tests report. */
async function runStatement(target: InfluxTarget, q: string, timeoutMs: number): Promise<InfluxStatementResult> {
  try {
    return await influxQuery(target, q, { timeoutMs });
  } catch (error) {
    if (error instanceof InfluxQueryError) throw new InfluxSchemaError(error.message, q, error.status);
    throw error;
  }
}

function rows(result: Awaited<ReturnType<typeof runStatement>>): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const s of result.series ?? []) {
    for (const v of s.values ?? []) out.push(Object.fromEntries(s.columns.map((c, i) => [c, v[i]])));
  }
  return out;
}

function toTarget(influx: string | InfluxTarget, credentials?: InfluxCredentials): InfluxTarget {
  if (typeof influx !== 'string') return influx;
  return credentials ? { url: influx, credentials } : { url: influx };
}

// ---------------------------------------------------------------------------------------------
// applySchema

export interface ApplySchemaOptions {
  database?: string;
  credentials?: InfluxCredentials;
  /** Per statement (default 30 s). */
  timeoutMs?: number;
}

export interface SchemaAction {
  object: 'database' | 'retention-policy' | 'continuous-query';
  name: string;
  action: 'created' | 'altered' | 'replaced' | 'dropped' | 'unchanged';
  /** The statements run for it (none when unchanged). */
  statements: string[];
}

export interface ApplySchemaResult {
  database: string;
  /** Whether anything was created, altered or dropped. */
  changed: boolean;
  actions: SchemaAction[];
}

/**
 * Brings a database to the schema above, idempotently; a second run changes nothing.
 * - Database: created with `raw` as its first and default policy when missing. An existing one
 *   (e.g. created by an agent, with `autogen`) keeps its other policies and their data; `raw`
 *   is added and made DEFAULT, so new writes go there. Data already in `autogen` stays there.
 * - Retention policies: created when missing, ALTERed when duration, shard duration or the
 *   default flag differ.
 * - Continuous queries: InfluxDB 1.x cannot alter a CQ, and CREATE with the name of an existing
 *   CQ of another text fails. So a CQ whose stored text (canonical form, see
 *   continuousQueryStatement) differs from ours is dropped and created again: "create only if
 *   missing" would leave an old definition running forever after a change. The new CQ runs at
 *   once and its RESAMPLE FOR window covers the moment it was away. `gw_` CQs that are no
 *   longer defined are dropped; other CQs are left alone.
 */
export async function applySchema(influx: string | InfluxTarget, opts: ApplySchemaOptions = {}): Promise<ApplySchemaResult> {
  const database = opts.database ?? DEFAULT_DATABASE;
  const target = toTarget(influx, opts.credentials);
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const run = (q: string) => runStatement(target, q, timeoutMs);
  const db = quoteIdent(database);
  const actions: SchemaAction[] = [];

  const databases = rows(await run('SHOW DATABASES')).map((r) => r['name']);
  if (!databases.includes(database)) {
    const raw = RETENTION_POLICIES.raw;
    const q =
      `CREATE DATABASE ${db} WITH DURATION ${formatDuration(raw.durationMs)} REPLICATION 1` +
      ` SHARD DURATION ${formatDuration(raw.shardDurationMs)} NAME ${quoteIdent(raw.name)}`;
    await run(q);
    actions.push({ object: 'database', name: database, action: 'created', statements: [q] });
  } else {
    actions.push({ object: 'database', name: database, action: 'unchanged', statements: [] });
  }

  const existingRps = new Map(rows(await run(`SHOW RETENTION POLICIES ON ${db}`)).map((r) => [String(r['name']), r]));
  for (const rp of Object.values(RETENTION_POLICIES) as RetentionPolicyDef[]) {
    const spec =
      `DURATION ${rp.durationMs === 0 ? 'INF' : formatDuration(rp.durationMs)} REPLICATION 1` +
      ` SHARD DURATION ${formatDuration(rp.shardDurationMs)}${rp.isDefault ? ' DEFAULT' : ''}`;
    const have = existingRps.get(rp.name);
    if (!have) {
      const q = `CREATE RETENTION POLICY ${quoteIdent(rp.name)} ON ${db} ${spec}`;
      await run(q);
      actions.push({ object: 'retention-policy', name: rp.name, action: 'created', statements: [q] });
      continue;
    }
    const same =
      parseGoDuration(String(have['duration'])) === rp.durationMs &&
      parseGoDuration(String(have['shardGroupDuration'])) === rp.shardDurationMs &&
      // A policy can only be made default (which unsets the others), not un-defaulted: our
      // non-default policies become non-default when `raw` is made default.
      (!rp.isDefault || have['default'] === true);
    if (same) {
      actions.push({ object: 'retention-policy', name: rp.name, action: 'unchanged', statements: [] });
    } else {
      const q = `ALTER RETENTION POLICY ${quoteIdent(rp.name)} ON ${db} ${spec}`;
      await run(q);
      actions.push({ object: 'retention-policy', name: rp.name, action: 'altered', statements: [q] });
    }
  }

  const existingCqs = new Map<string, string>();
  for (const s of (await run('SHOW CONTINUOUS QUERIES')).series ?? []) {
    if (s.name !== database) continue;
    const nameAt = s.columns.indexOf('name');
    const queryAt = s.columns.indexOf('query');
    for (const v of s.values ?? []) existingCqs.set(String(v[nameAt]), String(v[queryAt]));
  }
  const wanted = new Set<string>();
  for (const def of Object.values(AGGREGATE_DEFS) as AggregateDef[]) {
    wanted.add(def.cq);
    const create = continuousQueryStatement(def, database);
    const have = existingCqs.get(def.cq);
    if (have === create) {
      actions.push({ object: 'continuous-query', name: def.cq, action: 'unchanged', statements: [] });
      continue;
    }
    const statements: string[] = [];
    if (have !== undefined) {
      const drop = `DROP CONTINUOUS QUERY ${quoteIdent(def.cq)} ON ${db}`;
      await run(drop);
      statements.push(drop);
    }
    await run(create);
    statements.push(create);
    actions.push({ object: 'continuous-query', name: def.cq, action: have === undefined ? 'created' : 'replaced', statements });
  }
  for (const name of existingCqs.keys()) {
    if (!name.startsWith(GW_CQ_PREFIX) || wanted.has(name)) continue;
    const drop = `DROP CONTINUOUS QUERY ${quoteIdent(name)} ON ${db}`;
    await run(drop);
    actions.push({ object: 'continuous-query', name, action: 'dropped', statements: [drop] });
  }

  return { database, changed: actions.some((a) => a.action !== 'unchanged'), actions };
}

// ---------------------------------------------------------------------------------------------
// downsample

export interface DownsampleOptions {
  /** Range of raw data to aggregate; widened to whole buckets of each aggregate. */
  from: Date | number;
  to: Date | number;
  database?: string;
  credentials?: InfluxCredentials;
  /** Default: all of AGGREGATE_NAMES. */
  aggregates?: readonly AggregateName[];
  /** Per statement (default 5 minutes). */
  timeoutMs?: number;
  /** Called after each statement (for a progress bar). */
  onProgress?: (p: { aggregate: AggregateName; from: Date; to: Date; done: number; total: number; written: number }) => void;
  /** "Now" for clamping `from` to the raw retention (tests). */
  now?: Date | number;
}

export interface DownsampleResult {
  statements: number;
  /** Points written per aggregate (as InfluxDB reports them). */
  written: Record<AggregateName, number>;
  elapsedMs: number;
}

/** Start of the bucket containing t. */
function bucketStart(t: number, def: AggregateDef): number {
  return Math.floor((t - def.offsetMs) / def.intervalMs) * def.intervalMs + def.offsetMs;
}

/** The chunks downsample() runs for one aggregate: whole buckets covering [from, to). */
export function downsampleChunks(def: AggregateDef, from: number, to: number): { from: Date; to: Date }[] {
  const out: { from: Date; to: Date }[] = [];
  if (!(to > from)) return out;
  const start = bucketStart(from, def);
  const end = bucketStart(to - 1, def) + def.intervalMs;
  for (let t = start; t < end; t += def.chunkMs) {
    out.push({ from: new Date(t), to: new Date(Math.min(t + def.chunkMs, end)) });
  }
  return out;
}

/**
 * Aggregates raw data of [from, to) explicitly, with the continuous queries' own statements
 * (selectIntoStatement) over a time range: for history the CQs never saw (the 14-day backfill,
 * an edge that delivers hours or days late). Chunks are aligned to the aggregate's buckets, so a
 * bucket is always computed from all its raw points in one statement; one statement per chunk
 * keeps each request short whatever the range. Running it again over the same range rewrites
 * the same points (same series and time): idempotent. `from` is clamped to the oldest raw data
 * the `raw` policy can still hold.
 */
export async function downsample(influx: string | InfluxTarget, opts: DownsampleOptions): Promise<DownsampleResult> {
  const started = performance.now();
  const database = opts.database ?? DEFAULT_DATABASE;
  const target = toTarget(influx, opts.credentials);
  const timeoutMs = opts.timeoutMs ?? 300_000;
  const now = opts.now === undefined ? Date.now() : Number(opts.now);
  const raw = RETENTION_POLICIES.raw;
  const from = Math.max(Number(opts.from), now - raw.durationMs - raw.shardDurationMs);
  const to = Number(opts.to);
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw new RangeError('downsample: from and to must be valid times');

  const names = opts.aggregates ?? AGGREGATE_NAMES;
  const plan = names.flatMap((name) => {
    const def: AggregateDef = AGGREGATE_DEFS[name];
    return downsampleChunks(def, from, to).map((range) => ({ name, def, range }));
  });
  const written = Object.fromEntries(AGGREGATE_NAMES.map((n) => [n, 0])) as Record<AggregateName, number>;
  let done = 0;
  for (const { name, def, range } of plan) {
    const result = await runStatement(target, selectIntoStatement(def, database, range), timeoutMs);
    const n = rows(result).reduce((sum, r) => sum + (typeof r['written'] === 'number' ? r['written'] : 0), 0);
    written[name] += n;
    done++;
    opts.onProgress?.({ aggregate: name, from: range.from, to: range.to, done, total: plan.length, written: n });
  }
  return { statements: plan.length, written, elapsedMs: performance.now() - started };
}
