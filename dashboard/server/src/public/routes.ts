/**
 * The public API for logistics firms (no sign-in, rate-limited): checkpoints, expected waits
 * now, their trend and the typical wait by hour. Aggregates and estimates only: nothing here
 * reads a clearance, so no unit id can reach an answer.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { AGGREGATES } from '@gatewatch/infra';
import { DIRECTIONS, openingAt, type CheckpointInfo, type Direction, type OpeningHours, type TypicalWait, type WaitPoint } from '@gatewatch/shared';
import type { DashboardConfig } from '../config/types.js';
import { from, tagIn, timeRange } from '../history/influxql.js';
import type { InfluxClient, Row } from '../influx.js';
import type { LiveState } from '../live/state.js';
import * as p from '../params.js';
import { HOUR_MS, LOCAL_OFFSET_MS, median, percentile, round1 } from '../stats.js';
import { openApiDocument } from './openapi.js';
import { RateLimiter } from './rateLimit.js';

export function checkpointInfos(config: DashboardConfig): CheckpointInfo[] {
  return config.checkpoints.map((c, order) => ({
    id: c.id,
    name: c.name,
    kind: c.kind,
    region: c.region,
    order,
    lanes: c.lanes,
    congestion: c.congestion,
    ...(c.hours ? { hours: c.hours } : {}),
    queueIntervalS: c.queueIntervalS,
    deviceIntervalS: c.deviceIntervalS,
    laneOpenMinutes: c.laneOpenMinutes,
  }));
}

/**
 * Per time bucket and direction, over the direction's lanes, the figures of the live estimate
 * (summariseDirection) from aggregates: the queue length is the sum of the lanes' mean lengths;
 * the wait is the lowest mean wait estimate of the lanes open then, a lane being open while it
 * let a unit through (departures) within `openWindowMs` before the bucket's end. Without that
 * rule a closed, empty lane (estimate 0) would pull every wait down to 0. No lane open: null,
 * as the live estimate says.
 */
export function foldDirections(
  rows: readonly Row[],
  laneDirection: ReadonlyMap<string, Direction>,
  opts: {
    bucketMs: number;
    openWindowMs: number;
    fromMs?: number;
    /**
     * A lane's opening hours (its own or its crossing's; state/hours.ts): where there are hours,
     * a lane is open in a bucket when its hours have it open at the bucket's middle, as the live
     * state model says; the departure rule is for crossings without hours.
     */
    hoursOf?: (lane: string) => readonly OpeningHours[] | undefined;
  },
): { time: number; direction: Direction; waitS: number | null; queueLength: number | null }[] {
  const buckets = new Map<string, { time: number; direction: Direction; waits: number[]; length: number; lanes: number }>();
  const lastDeparture = new Map<string, number>();
  for (const row of [...rows].sort((a, b) => a.time - b.time)) {
    const lane = String(row['lane']);
    const direction = laneDirection.get(lane);
    if (!direction) continue;
    const end = row.time + opts.bucketMs;
    if (typeof row['departures'] === 'number' && row['departures'] > 0) lastDeparture.set(lane, end);
    // Earlier rows only tell which lanes were open when the range starts.
    if (opts.fromMs !== undefined && row.time < opts.fromMs) continue;
    const key = `${row.time} ${direction}`;
    let b = buckets.get(key);
    if (!b) buckets.set(key, (b = { time: row.time, direction, waits: [], length: 0, lanes: 0 }));
    const departed = lastDeparture.get(lane);
    const hours = opts.hoursOf?.(lane);
    const open = hours?.length ? openingAt(hours, row.time + opts.bucketMs / 2).open : departed !== undefined && end - departed <= opts.openWindowMs;
    if (open && typeof row['wait'] === 'number') b.waits.push(row['wait']);
    if (typeof row['length'] === 'number') {
      b.length += row['length'];
      b.lanes++;
    }
  }
  return [...buckets.values()]
    .sort((a, b) => a.time - b.time || DIRECTIONS.indexOf(a.direction) - DIRECTIONS.indexOf(b.direction))
    .map((b) => ({
      time: b.time,
      direction: b.direction,
      waitS: b.waits.length ? Math.round(Math.min(...b.waits)) : null,
      queueLength: b.lanes ? round1(b.length) : null,
    }));
}

/**
 * The public API is read by logistics firms' own web apps on their own sites: any origin may
 * read it (`Access-Control-Allow-Origin: *`, which browsers never combine with cookies, so no
 * signed-in answer can be read this way) and embed it (CORP cross-origin). A preflight is granted
 * for GET and HEAD only. History, sign-in and everything else under /api stay same-origin.
 */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/checkpoints', '/wait-estimates', '/wait-estimates/trend', '/wait-estimates/typical', '/openapi.json']);

export function publicCors(req: Request, res: Response, next: NextFunction): void {
  if (!PUBLIC_PATHS.has(req.path)) return next();
  res.setHeader('Access-Control-Allow-Origin', '*');
  res.setHeader('Access-Control-Expose-Headers', 'Retry-After');
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  if (req.method !== 'OPTIONS') return next();
  const asked = req.headers['access-control-request-method'];
  if (asked === 'GET' || asked === 'HEAD') {
    res.setHeader('Access-Control-Allow-Methods', 'GET, HEAD');
    res.setHeader('Access-Control-Max-Age', '86400');
  }
  res.status(204).end();
}

export function publicRouter(deps: { config: DashboardConfig; influx: InfluxClient; state: LiveState; now?: () => number }): Router {
  const { config, influx, state } = deps;
  const now = deps.now ?? Date.now;
  const known = config.checkpoints.map((c) => c.id);
  const directions = (checkpoint: string) => new Map(config.checkpoints.find((c) => c.id === checkpoint)!.lanes.map((l) => [l.id, l.direction]));
  const openWindowOf = (checkpoint: string) => config.checkpoints.find((c) => c.id === checkpoint)!.laneOpenMinutes * 60_000;
  const hoursOf = (checkpoint: string) => {
    const c = config.checkpoints.find((x) => x.id === checkpoint)!;
    return (lane: string) => c.lanes.find((l) => l.id === lane)?.hours ?? c.hours;
  };
  const limiter = new RateLimiter(config.publicApi.requestsPerMinute);
  const r = express.Router();
  // CORS first: a browser app elsewhere must be able to read a 429 too.
  r.use(publicCors);
  r.use(limiter.middleware);

  r.get('/checkpoints', (req, res) => {
    p.only(req.query, []);
    res.json(checkpointInfos(config));
  });

  r.get('/wait-estimates', (req, res) => {
    p.only(req.query, []);
    res.json(known.flatMap((c) => state.estimates(c)));
  });

  r.get('/wait-estimates/trend', async (req, res) => {
    p.only(req.query, ['checkpoint', 'hours']);
    const checkpoint = p.checkpoint(req.query, 'checkpoint', known);
    const hours = p.integer(req.query, 'hours', 1, 24, 2);
    const t = now();
    const agg = AGGREGATES.queue1m;
    const fromMs = t - hours * HOUR_MS;
    const openWindowMs = openWindowOf(checkpoint);
    // From one open window earlier: the departures that say which lanes are open at the start.
    const rows = await influx.rows(
      `SELECT "length_mean" AS "length", "wait_estimate_s_mean" AS "wait", "departures" FROM ${from(influx.database, agg.rp, agg.measurement)}` +
        ` WHERE ${timeRange(new Date(fromMs - openWindowMs), new Date(t))} AND ${tagIn('checkpoint', [checkpoint])} GROUP BY "lane"`,
    );
    const folded = foldDirections(rows, directions(checkpoint), { bucketMs: agg.intervalMs, openWindowMs, fromMs, hoursOf: hoursOf(checkpoint) });
    const points: WaitPoint[] = folded.map((b) => ({ ...b, time: new Date(b.time).toISOString() }));
    res.json(points);
  });

  r.get('/wait-estimates/typical', async (req, res) => {
    p.only(req.query, ['checkpoint', 'weeks']);
    const checkpoint = p.checkpoint(req.query, 'checkpoint', known);
    const weeks = p.integer(req.query, 'weeks', 1, 8, 4);
    const t = Math.floor(now() / HOUR_MS) * HOUR_MS;
    const agg = AGGREGATES.queue1h;
    const fromMs = t - weeks * 7 * 24 * HOUR_MS;
    const openWindowMs = openWindowOf(checkpoint);
    const rows = await influx.rows(
      `SELECT "length_mean" AS "length", "wait_estimate_s_mean" AS "wait", "departures" FROM ${from(influx.database, agg.rp, agg.measurement)}` +
        ` WHERE ${timeRange(new Date(fromMs - openWindowMs), new Date(t))} AND ${tagIn('checkpoint', [checkpoint])} GROUP BY "lane"`,
    );
    const byHour = new Map<Direction, number[][]>(DIRECTIONS.map((d) => [d, Array.from({ length: 24 }, () => [])]));
    // Hourly buckets, departures counted at their hour's end: a lane is open in an hour in which
    // it let a unit through, or (a station's tracks, 3 h) within its lane-open window before the
    // hour's end. A window of a whole bucket would keep a road lane open for the hour after it
    // closed, its empty-lane estimate pulling the typical wait down.
    for (const b of foldDirections(rows, directions(checkpoint), { bucketMs: agg.intervalMs, openWindowMs, fromMs, hoursOf: hoursOf(checkpoint) })) {
      if (b.waitS === null) continue;
      byHour.get(b.direction)![new Date(b.time + LOCAL_OFFSET_MS).getUTCHours()]!.push(b.waitS);
    }
    const laneDirections = new Set(directions(checkpoint).values());
    const answer: TypicalWait[] = DIRECTIONS.filter((d) => laneDirections.has(d)).map((direction) => {
      const hours = byHour.get(direction)!;
      const rounded = (x: number | null) => (x === null ? null : Math.round(x));
      return { checkpoint, direction, medianWaitS: hours.map((v) => rounded(median(v))), p90WaitS: hours.map((v) => rounded(percentile(v, 90))), weeks };
    });
    res.json(answer);
  });

  r.get('/openapi.json', (req, res) => {
    p.only(req.query, []);
    res.json(openApiDocument(config));
  });
  return r;
}
