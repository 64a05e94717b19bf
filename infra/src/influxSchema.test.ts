/**
 * The schema against a real influxd (continuous queries enabled, run-interval 1 s): idempotent
 * apply, exact aggregate values from downsample(), idempotent downsample, and the continuous
 * queries computing recent (and late) data on their own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type Influxd } from './influxd.js';
import {
  AGGREGATE_DEFS,
  AGGREGATES,
  applySchema,
  continuousQueryStatement,
  downsample,
  downsampleChunks,
  formatDuration,
  parseGoDuration,
  quoteIdent,
  selectIntoStatement,
  type AggregateDef,
} from './influxSchema.js';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const dir = mkdtempSync(join(tmpdir(), 'gw-schema-'));
let influxd: Influxd;

beforeAll(async () => {
  influxd = await startInfluxd({ dataDir: join(dir, 'influxdb') });
});
afterAll(async () => {
  await influxd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Row = Record<string, unknown>;

/** Runs InfluxQL (times in ms) and returns one object per row, tags included. */
async function select(q: string, db?: string): Promise<Row[]> {
  const body = new URLSearchParams({ q, epoch: 'ms' });
  if (db) body.set('db', db);
  const res = await fetch(`${influxd.url}/query`, { method: 'POST', body });
  const json = (await res.json()) as { results: { error?: string; series?: { tags?: Record<string, string>; columns: string[]; values: unknown[][] }[] }[] };
  const result = json.results[0]!;
  if (result.error) throw new Error(result.error);
  return (result.series ?? []).flatMap((s) => s.values.map((v) => ({ ...s.tags, ...Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) })));
}

/** Writes line protocol without a retention policy: it lands in the database's DEFAULT policy. */
async function write(db: string, lines: string[]): Promise<void> {
  for (let i = 0; i < lines.length; i += 5000) {
    const res = await fetch(`${influxd.url}/write?db=${encodeURIComponent(db)}&precision=ms`, { method: 'POST', body: lines.slice(i, i + 5000).join('\n') });
    if (res.status !== 204) throw new Error(`write: ${res.status} ${await res.text()}`);
  }
}

const key = (r: Row, tags: readonly string[]) => [r['time'], ...tags.map((t) => r[t])].join('|');

describe('pure parts', () => {
  it('prints durations and identifiers as InfluxDB does', () => {
    expect([MIN, 30 * MIN, 3 * HOUR, DAY, 7 * DAY, -7 * HOUR, 1500, 0].map(formatDuration)).toEqual(['1m', '30m', '3h', '1d', '1w', '-7h', '1500ms', '0s']);
    expect(parseGoDuration('720h0m0s')).toBe(30 * DAY);
    expect(parseGoDuration('0s')).toBe(0);
    expect(() => parseGoDuration('5 days')).toThrow();
    expect(quoteIdent('gatewatch')).toBe('gatewatch');
    expect(quoteIdent('select')).toBe('"select"');
    expect(quoteIdent('gw-x "q" \\')).toBe('"gw-x \\"q\\" \\\\"');
  });

  it('builds the CQ and the backfill from the same SELECT … INTO', () => {
    const def: AggregateDef = AGGREGATE_DEFS.queue1m;
    const cq = continuousQueryStatement(def, 'gatewatch');
    const body = selectIntoStatement(def, 'gatewatch');
    expect(cq).toBe(`CREATE CONTINUOUS QUERY gw_queue_1m ON gatewatch RESAMPLE EVERY 1m FOR 30m BEGIN ${body} END`);
    expect(body).toBe(
      'SELECT count(length) AS samples, mean(length) AS length_mean, max(length) AS length_max, sum(arrivals) AS arrivals, ' +
        'sum(departures) AS departures, mean(wait_estimate_s) AS wait_estimate_s_mean, max(wait_estimate_s) AS wait_estimate_s_max ' +
        'INTO gatewatch.agg_1m.queue_1m FROM gatewatch.raw.queue GROUP BY time(1m), checkpoint, lane fill(none)',
    );
    const range = { from: new Date('2026-11-20T00:00:00Z'), to: new Date('2026-11-21T00:00:00Z') };
    expect(selectIntoStatement(def, 'gatewatch', range)).toBe(
      body.replace(' GROUP BY', " WHERE time >= '2026-11-20T00:00:00.000Z' AND time < '2026-11-21T00:00:00.000Z' GROUP BY"),
    );
    expect(continuousQueryStatement(AGGREGATE_DEFS.clearance1d, 'gatewatch')).toContain('GROUP BY time(1d, -7h), checkpoint, lane, kind, channel, outcome fill(none)');
  });

  it('chunks ranges on whole buckets (local days for the daily aggregate)', () => {
    const t = Date.parse('2026-11-20T10:30:20Z');
    expect(downsampleChunks(AGGREGATE_DEFS.queue1m, t, t + 2 * DAY).map((c) => [c.from.toISOString(), c.to.toISOString()])).toEqual([
      ['2026-11-20T10:30:00.000Z', '2026-11-21T10:30:00.000Z'],
      ['2026-11-21T10:30:00.000Z', '2026-11-22T10:30:00.000Z'],
      ['2026-11-22T10:30:00.000Z', '2026-11-22T10:31:00.000Z'],
    ]);
    expect(downsampleChunks(AGGREGATE_DEFS.clearance1d, t, t + 1).map((c) => [c.from.toISOString(), c.to.toISOString()])).toEqual([
      ['2026-11-19T17:00:00.000Z', '2026-11-20T17:00:00.000Z'],
    ]);
    expect(downsampleChunks(AGGREGATE_DEFS.clearance1h, t, t)).toEqual([]);
  });
});

describe('applySchema', () => {
  it('creates everything once; a second run changes nothing', async () => {
    const first = await applySchema(influxd.url);
    expect(first.changed).toBe(true);
    expect(first.database).toBe('gatewatch');
    expect(first.actions.map((a) => `${a.object} ${a.name} ${a.action}`)).toEqual([
      'database gatewatch created',
      'retention-policy raw unchanged', // created with the database, as its default
      'retention-policy agg_1m created',
      'retention-policy agg_1h created',
      'retention-policy agg_1d created',
      'continuous-query gw_queue_1m created',
      'continuous-query gw_queue_1h created',
      'continuous-query gw_clearance_1h created',
      'continuous-query gw_clearance_1d created',
    ]);

    const second = await applySchema(influxd.url, { database: 'gatewatch' });
    expect(second.changed).toBe(false);
    expect(second.actions.every((a) => a.action === 'unchanged' && a.statements.length === 0)).toBe(true);

    const rps = await select('SHOW RETENTION POLICIES ON gatewatch');
    expect(rps.map((r) => [r['name'], r['duration'], r['shardGroupDuration'], r['default']])).toEqual([
      ['raw', '720h0m0s', '24h0m0s', true],
      ['agg_1m', '9600h0m0s', '720h0m0s', false],
      ['agg_1h', '43800h0m0s', '2160h0m0s', false],
      ['agg_1d', '0s', '8736h0m0s', false],
    ]);
    const cqs = (await select('SHOW CONTINUOUS QUERIES')).filter((r) => String(r['query']).includes(' ON gatewatch '));
    expect(cqs.map((r) => r['name'])).toEqual(['gw_queue_1m', 'gw_queue_1h', 'gw_clearance_1h', 'gw_clearance_1d']);
    expect(cqs.map((r) => r['query'])).toEqual(Object.values(AGGREGATE_DEFS).map((d: AggregateDef) => continuousQueryStatement(d, 'gatewatch')));
  });

  it('takes over a database an agent created (autogen default), repairs drift, keeps foreign CQs', async () => {
    const db = 'gw-edge "site" db';
    const q = quoteIdent(db);
    await select(`CREATE DATABASE ${q}`); // what the agent's sender does: autogen, infinite, default
    await write(db, ['queue,checkpoint=a,lane=L1 length=1i 1000']); // kept in autogen

    const first = await applySchema(influxd.url, { database: db });
    expect(first.actions.find((a) => a.name === 'raw')?.action).toBe('created');
    const rps = await select(`SHOW RETENTION POLICIES ON ${q}`);
    expect(rps.map((r) => [r['name'], r['default']])).toEqual([
      ['autogen', false],
      ['raw', true],
      ['agg_1m', false],
      ['agg_1h', false],
      ['agg_1d', false],
    ]);
    // Writes without a retention policy (the agents') now land in raw.
    const t = Date.now() - HOUR;
    await write(db, [`queue,checkpoint=a,lane=L1 length=2i ${t}`]);
    expect(await select(`SELECT length FROM ${q}.raw.queue`)).toEqual([{ time: t, length: 2 }]);
    expect(await select(`SELECT length FROM ${q}.autogen.queue`)).toEqual([{ time: 1000, length: 1 }]);

    // Drift: raw shortened, a CQ with another text, a stale gw_ CQ, someone else's CQ.
    await select(`ALTER RETENTION POLICY raw ON ${q} DURATION 7d`);
    await select(`ALTER RETENTION POLICY agg_1m ON ${q} DEFAULT`);
    await select(`DROP CONTINUOUS QUERY gw_queue_1m ON ${q}`);
    await select(
      `CREATE CONTINUOUS QUERY gw_queue_1m ON ${q} BEGIN SELECT mean(length) AS length_mean INTO ${q}.agg_1m.queue_1m FROM ${q}.raw.queue GROUP BY time(1m), * END`,
    );
    await select(`CREATE CONTINUOUS QUERY gw_old ON ${q} BEGIN SELECT count(length) INTO ${q}.agg_1m.old FROM ${q}.raw.queue GROUP BY time(1h) END`);
    await select(`CREATE CONTINUOUS QUERY theirs ON ${q} BEGIN SELECT count(length) INTO ${q}.agg_1m.theirs FROM ${q}.raw.queue GROUP BY time(1h) END`);

    const repaired = await applySchema(influxd.url, { database: db });
    expect(repaired.actions.filter((a) => a.action !== 'unchanged').map((a) => `${a.name} ${a.action}`)).toEqual([
      'raw altered',
      'gw_queue_1m replaced',
      'gw_old dropped',
    ]);
    expect((await select(`SHOW RETENTION POLICIES ON ${q}`)).filter((r) => r['default'] === true).map((r) => [r['name'], r['duration']])).toEqual([
      ['raw', '720h0m0s'],
    ]);
    const names = (await select('SHOW CONTINUOUS QUERIES')).filter((r) => String(r['query']).includes(`ON ${q} `)).map((r) => r['name']);
    expect(names.sort()).toEqual(['gw_clearance_1d', 'gw_clearance_1h', 'gw_queue_1h', 'gw_queue_1m', 'theirs']);
    expect((await applySchema(influxd.url, { database: db })).changed).toBe(false);
  });

  it('reports an unreachable server and refused statements', async () => {
    await expect(applySchema('http://127.0.0.1:1', { timeoutMs: 2000 })).rejects.toThrow(/did not answer/);
    await expect(applySchema(influxd.url, { database: 'a/b' })).rejects.toThrow(/invalid name/);
  });
});

// ---------------------------------------------------------------------------------------------
// Reference aggregates computed here, to compare with InfluxDB's

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
/** InfluxDB's percentile: nearest rank, index floor(n·p/100 + 0.5) − 1 of the sorted values. */
function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.max(0, Math.floor((s.length * p) / 100 + 0.5) - 1)]!;
}
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

interface QueuePoint {
  t: number;
  checkpoint: string;
  lane: string;
  length: number;
  arrivals: number;
  departures: number;
  wait: number;
}
interface ClearancePoint {
  t: number;
  checkpoint: string;
  lane: string;
  kind: string;
  channel: string;
  outcome: string;
  unit: string;
  total_s?: number;
  wait_s?: number;
  process_s?: number;
  weight_kg?: number;
}

function queueLine(p: QueuePoint): string {
  return `queue,checkpoint=${p.checkpoint},lane=${p.lane} length=${p.length}i,arrivals=${p.arrivals}i,departures=${p.departures}i,wait_estimate_s=${p.wait} ${p.t}`;
}
function clearanceLine(p: ClearancePoint): string {
  const fields = [`unit="${p.unit}"`];
  for (const f of ['wait_s', 'process_s', 'total_s', 'weight_kg'] as const) if (p[f] !== undefined) fields.push(`${f}=${p[f]}`);
  return `clearance,checkpoint=${p.checkpoint},lane=${p.lane},kind=${p.kind},channel=${p.channel},outcome=${p.outcome} ${fields.join(',')} ${p.t}`;
}

function groupBy<T>(items: T[], keyOf: (x: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const x of items) {
    const k = keyOf(x);
    const list = m.get(k);
    if (list) list.push(x);
    else m.set(k, [x]);
  }
  return m;
}

function bucket(t: number, def: AggregateDef): number {
  return Math.floor((t - def.offsetMs) / def.intervalMs) * def.intervalMs + def.offsetMs;
}

function expectedQueue(points: QueuePoint[], def: AggregateDef): Row[] {
  return [...groupBy(points, (p) => [bucket(p.t, def), p.checkpoint, p.lane].join('|')).values()].map((ps) => ({
    time: bucket(ps[0]!.t, def),
    checkpoint: ps[0]!.checkpoint,
    lane: ps[0]!.lane,
    samples: ps.length,
    length_mean: mean(ps.map((p) => p.length)),
    length_max: Math.max(...ps.map((p) => p.length)),
    arrivals: sum(ps.map((p) => p.arrivals)),
    departures: sum(ps.map((p) => p.departures)),
    wait_estimate_s_mean: mean(ps.map((p) => p.wait)),
    wait_estimate_s_max: Math.max(...ps.map((p) => p.wait)),
  }));
}

function expectedClearance(points: ClearancePoint[], def: AggregateDef): Row[] {
  const tags = ['checkpoint', 'lane', 'kind', 'channel', 'outcome'] as const;
  return [...groupBy(points, (p) => [bucket(p.t, def), ...tags.map((t) => p[t])].join('|')).values()].map((ps) => {
    const row: Row = { time: bucket(ps[0]!.t, def), units: ps.length };
    for (const t of tags) row[t] = ps[0]![t];
    for (const f of ['total_s', 'wait_s', 'process_s'] as const) {
      const xs = ps.flatMap((p) => (p[f] === undefined ? [] : [p[f]]));
      row[`${f}_count`] = xs.length;
      row[`${f}_sum`] = xs.length ? sum(xs) : null;
      row[`${f}_mean`] = xs.length ? mean(xs) : null;
      row[`${f}_median`] = xs.length ? median(xs) : null;
      row[`${f}_p90`] = xs.length ? percentile(xs, 90) : null;
      row[`${f}_p99`] = xs.length ? percentile(xs, 99) : null;
      row[`${f}_max`] = xs.length ? Math.max(...xs) : null;
    }
    const w = ps.flatMap((p) => (p.weight_kg === undefined ? [] : [p.weight_kg]));
    row['weighed'] = w.length;
    row['weight_kg_sum'] = w.length ? sum(w) : null;
    return row;
  });
}

/** A statistic over no values is not written (count() included): absent reads as 0 for counts, null otherwise. */
function normalise(rows: Row[], def: AggregateDef): Row[] {
  return rows
    .map((r) => {
      const out: Row = { time: r['time'] };
      for (const t of def.tags) out[t] = r[t];
      for (const f of def.fields) out[f] = r[f] ?? (f.endsWith('_count') || f === 'weighed' ? 0 : null);
      return out;
    })
    .sort((a, b) => key(a, def.tags).localeCompare(key(b, def.tags)));
}

function expectRowsClose(actual: Row[], expected: Row[], def: AggregateDef): void {
  const a = normalise(actual, def);
  const e = normalise(expected, def);
  expect(a.map((r) => key(r, def.tags))).toEqual(e.map((r) => key(r, def.tags)));
  a.forEach((row, i) => {
    for (const [k, v] of Object.entries(e[i]!)) {
      if (typeof v === 'number' && !Number.isInteger(v)) expect(row[k], `${key(row, def.tags)} ${k}`).toBeCloseTo(v, 9);
      else expect(row[k], `${key(row, def.tags)} ${k}`).toEqual(v);
    }
  });
}

const aggSelect = (db: string, def: AggregateDef) => `SELECT * FROM ${quoteIdent(db)}.${def.rp}.${def.measurement} GROUP BY *`;

describe('downsample', () => {
  const db = 'ds';
  // Five local days ago, out of reach of every CQ's RESAMPLE FOR window.
  const day = Math.floor(Date.now() / DAY) * DAY - 5 * DAY;
  const queue: QueuePoint[] = [];
  const clearance: ClearancePoint[] = [];

  // Queue: three hours (10:00–13:00 UTC), every 10 s, three lanes on two checkpoints.
  const lanes = [
    ['lao-cai-rail', 'T1'],
    ['kim-thanh-road', 'IN-1'],
    ['kim-thanh-road', 'OUT-1'],
  ] as const;
  for (let t = day + 10 * HOUR; t < day + 13 * HOUR; t += 10_000) {
    lanes.forEach(([checkpoint, lane], l) => {
      const k = (t - day) / 10_000;
      const length = (k * (l + 3)) % 17;
      queue.push({ t, checkpoint, lane, length, arrivals: k % (l + 2), departures: (k + l) % 3, wait: length * 42.5 + l * 0.25 });
    });
  }

  // Clearances: 15:00–18:00 UTC, which crosses the local midnight (17:00 UTC).
  let n = 0;
  for (const hour of [15, 16, 17]) {
    const at = (i: number) => day + hour * HOUR + i * 3 * MIN + 7_000;
    // Green: ten trucks with total_s 100, 200, …, 1000 (median 550, p90 900, p99 1000).
    for (let i = 0; i < 10; i++) {
      const total = (i + 1) * 100 + (hour - 15);
      clearance.push({ t: at(i), checkpoint: 'kim-thanh-road', lane: 'IN-1', kind: 'truck', channel: 'green', outcome: 'released', unit: `29C-${n++}`, total_s: total, wait_s: total - 40, process_s: 40, weight_kg: 20_000 + i * 250 });
    }
    // Yellow: five, one not weighed.
    for (let i = 0; i < 5; i++) {
      const total = 1800 + i * 120.5;
      clearance.push({ t: at(i + 1), checkpoint: 'kim-thanh-road', lane: 'IN-2', kind: 'truck', channel: 'yellow', outcome: 'released', unit: `云A-${n++}`, total_s: total, wait_s: 600 + i, process_s: total - 600 - i, ...(i === 4 ? {} : { weight_kg: 30_000.5 }) });
    }
    // Red: one wagon; and a timeout seen at the queue only (no durations at all).
    clearance.push({ t: at(2), checkpoint: 'lao-cai-rail', lane: 'T1', kind: 'wagon', channel: 'red', outcome: 'released', unit: `W-${n++}`, total_s: 5400.25, wait_s: 300, process_s: 5100.25 });
    clearance.push({ t: at(4), checkpoint: 'lao-cai-rail', lane: 'T1', kind: 'wagon', channel: 'unknown', outcome: 'timeout', unit: `W-${n++}` });
  }

  beforeAll(async () => {
    await applySchema(influxd.url, { database: db });
    await write(db, [...queue.map(queueLine), ...clearance.map(clearanceLine)]);
  });

  it('aggregates a past range exactly, with the tags kept', async () => {
    for (const def of Object.values(AGGREGATE_DEFS) as AggregateDef[]) expect(await select(aggSelect(db, def))).toEqual([]);

    const result = await downsample(influxd.url, { database: db, from: day, to: day + DAY });
    expect(result.written).toEqual({ queue1m: 3 * 180, queue1h: 3 * 3, clearance1h: 4 * 3, clearance1d: 4 * 2 });
    // One chunk each: a day of queue points, up to a week of clearances (local days: 48 h here).
    expect(result.statements).toBe(4);

    expectRowsClose(await select(aggSelect(db, AGGREGATE_DEFS.queue1m)), expectedQueue(queue, AGGREGATE_DEFS.queue1m), AGGREGATE_DEFS.queue1m);
    expectRowsClose(await select(aggSelect(db, AGGREGATE_DEFS.queue1h)), expectedQueue(queue, AGGREGATE_DEFS.queue1h), AGGREGATE_DEFS.queue1h);
    expectRowsClose(await select(aggSelect(db, AGGREGATE_DEFS.clearance1h)), expectedClearance(clearance, AGGREGATE_DEFS.clearance1h), AGGREGATE_DEFS.clearance1h);
    expectRowsClose(await select(aggSelect(db, AGGREGATE_DEFS.clearance1d)), expectedClearance(clearance, AGGREGATE_DEFS.clearance1d), AGGREGATE_DEFS.clearance1d);

    // Spelled out for one series: the first green hour, and the local day of 15:00–17:00 UTC.
    const green = await select(
      `SELECT units, total_s_median, total_s_p90, total_s_p99, total_s_max, wait_s_mean, weight_kg_sum FROM ${db}.agg_1h.clearance_1h WHERE channel = 'green' AND time = ${day + 15 * HOUR}ms`,
    );
    expect(green).toEqual([{ time: day + 15 * HOUR, units: 10, total_s_median: 550, total_s_p90: 900, total_s_p99: 1000, total_s_max: 1000, wait_s_mean: 510, weight_kg_sum: 211_250 }]);
    const localDays = await select(`SELECT units, total_s_count FROM ${db}.agg_1d.clearance_1d WHERE channel = 'unknown'`);
    expect(localDays).toEqual([
      // 15:00 and 16:00 UTC: the local day that started at 17:00 UTC the day before. No unit had
      // a total_s: count() writes no field at all (absent, not 0).
      { time: day - 7 * HOUR, units: 2, total_s_count: null },
      { time: day + 17 * HOUR, units: 1, total_s_count: null },
    ]);
    // Throughput of a crossing per hour, the dashboard's query, from the aggregate alone.
    const perHour = await select(`SELECT sum(units) AS units FROM ${db}.agg_1h.clearance_1h WHERE checkpoint = 'kim-thanh-road' AND time >= ${day}ms AND time < ${day + DAY}ms GROUP BY time(1h) fill(none)`);
    expect(perHour.map((r) => [r['time'], r['units']])).toEqual([15, 16, 17].map((h) => [day + h * HOUR, 15]));
  });

  it('is idempotent: a second run gives the same aggregates, not doubled', async () => {
    const before = await Promise.all((Object.values(AGGREGATE_DEFS) as AggregateDef[]).map((d) => select(aggSelect(db, d))));
    const progress: string[] = [];
    const again = await downsample({ url: influxd.url }, { database: db, from: new Date(day + 10 * HOUR + 5 * MIN), to: new Date(day + 18 * HOUR), onProgress: (p) => progress.push(`${p.aggregate} ${p.done}/${p.total}`) });
    expect(again.written.queue1m).toBe(3 * 175); // from 10:05: the chunk starts at the requested minute
    expect(progress.at(-1)).toBe(`clearance1d ${again.statements}/${again.statements}`);
    const after = await Promise.all((Object.values(AGGREGATE_DEFS) as AggregateDef[]).map((d) => select(aggSelect(db, d))));
    expect(after).toEqual(before);
  });

  it('exports the names the dashboard queries', () => {
    expect(AGGREGATES.clearance1h).toMatchObject({ rp: 'agg_1h', measurement: 'clearance_1h', tags: ['checkpoint', 'lane', 'kind', 'channel', 'outcome'] });
    expect(AGGREGATES.queue1m.fields).toEqual(['samples', 'length_mean', 'length_max', 'arrivals', 'departures', 'wait_estimate_s_mean', 'wait_estimate_s_max']);
    expect(AGGREGATES.clearance1d.fields).toContain('total_s_p99');
  });
});

describe('continuous queries', () => {
  it(
    'aggregate recent data by themselves, and take late points into account (RESAMPLE FOR)',
    async () => {
      const db = 'cq';
      const now = Date.now();
      const minute = Math.floor(now / MIN) * MIN;
      // Queue points over the last 5 whole minutes, and clearances in the previous whole hour.
      // Not the current hour: a run of clearance_1h (GROUP BY 1h, RESAMPLE EVERY 5m) ends at
      // (now + 1h - 5m) truncated to the hour, which leaves the current hour out during its
      // first five minutes. Clearances there waited for the run at minute 5, past the poll below:
      // the test failed whenever it ran in the first five minutes of an hour (issue 14).
      const queue: QueuePoint[] = [];
      for (let t = minute - 5 * MIN; t < minute; t += 10_000) queue.push({ t, checkpoint: 'dinh-vu-port', lane: 'G1', length: 4, arrivals: 1, departures: 1, wait: 120 });
      const hour = Math.floor(now / HOUR) * HOUR - HOUR;
      const clearance: ClearancePoint[] = [1, 2, 3].map((i) => ({ t: hour + 10 * MIN + i * 1000, checkpoint: 'dinh-vu-port', lane: 'G1', kind: 'container', channel: 'green', outcome: 'released', unit: `MSCU123456${i}`, total_s: i * 100 }));
      await select(`CREATE DATABASE ${db} WITH NAME raw`);
      await write(db, [...queue.map(queueLine), ...clearance.map(clearanceLine)]);

      // A new CQ runs at the CQ service's next check (run-interval 1 s) over its FOR window.
      await applySchema(influxd.url, { database: db });
      const poll = async (q: string, done: (rows: Row[]) => boolean, ms: number): Promise<Row[]> => {
        const until = Date.now() + ms;
        for (;;) {
          const rows = await select(q);
          if (done(rows) || Date.now() > until) return rows;
          await sleep(250);
        }
      };
      const q1m = `SELECT samples, length_mean, arrivals FROM ${db}.agg_1m.queue_1m`;
      const first = await poll(q1m, (r) => r.length >= 5, 20_000);
      expect(first).toEqual([0, 1, 2, 3, 4].map((i) => ({ time: minute - 5 * MIN + i * MIN, samples: 6, length_mean: 4, arrivals: 6 })));
      const c1h = await poll(`SELECT units, total_s_median FROM ${db}.agg_1h.clearance_1h`, (r) => r.length > 0, 20_000);
      expect(c1h.filter((r) => r['time'] === hour).map((r) => r['units'])).toEqual([sum(clearance.map(() => 1))]);

      // A late point for a minute already aggregated: the next scheduled run (each minute,
      // recomputing the last 30) rewrites that minute. At most a minute and a second away.
      const late = minute - 3 * MIN + 5_000; // between two 10 s samples
      await write(db, [queueLine({ t: late, checkpoint: 'dinh-vu-port', lane: 'G1', length: 11, arrivals: 2, departures: 0, wait: 300 })]);
      const updated = await poll(`${q1m} WHERE time = ${minute - 3 * MIN}ms`, (r) => r[0]?.['samples'] === 7, 65_000 + (Date.now() - now));
      expect(updated).toEqual([{ time: minute - 3 * MIN, samples: 7, length_mean: 5, arrivals: 8 }]);
    },
    120_000,
  );
});
