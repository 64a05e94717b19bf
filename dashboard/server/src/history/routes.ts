/**
 * `/api/v1/history/*` for signed-in users: officers for their checkpoints, managers for their
 * region's; any other checkpoint answers 403 naming it. `format=csv` answers the same rows as CSV.
 */
import express, { type Request, type Response, type Router } from 'express';
import { RETENTION_POLICIES } from '@gatewatch/infra';
import { isoVietnam } from '@gatewatch/shared';
import type { SignedIn } from '../auth/auth.js';
import { Auth } from '../auth/auth.js';
import type { DashboardConfig } from '../config/types.js';
import { BadRequest } from '../errors.js';
import type { InfluxClient } from '../influx.js';
import * as p from '../params.js';
import { sendCsv } from './csv.js';
import { UserQueryLimit, type QueryLimits } from './queryLimit.js';
import { clearanceTimes, heatmap, queueSeries, throughput } from './queries.js';

/** Longest ranges: enough for the views, short enough that no answer runs away. */
export const MAX_DAYS = { throughputHour: 92, throughputDay: 3660, clearanceTimes: 30, heatmap: 366, queue: 366 } as const;

/** Local days, as the manager chose them: the range ends before `to`, so its last day is that of to - 1 ms. */
const localDay = (ms: number): string => isoVietnam(ms).slice(0, 10);
export const csvFileName = (what: string, r: p.Range): string =>
  `gatewatch-${what}-${localDay(r.from.getTime())}-${localDay(Math.max(r.from.getTime(), r.to.getTime() - 1))}.csv`;

export function historyRouter(deps: { config: DashboardConfig; influx: InfluxClient; auth: Auth; now?: () => number; limits?: QueryLimits }): Router {
  const known = deps.config.checkpoints.map((c) => c.id);
  const now = deps.now ?? Date.now;
  const r = express.Router();
  r.use(deps.auth.requireUser);
  const limit = new UserQueryLimit(deps.limits, deps.now);
  /**
   * Checks the user may see these checkpoints, then runs the query in one of their slots
   * (queryLimit.ts); undefined when the client left while its query waited (nothing to answer).
   */
  const query = <T>(res: Response, checkpoints: readonly string[], run: () => Promise<T>): Promise<T | undefined> => {
    Auth.requireCheckpoints(user(res), checkpoints);
    return limit.run(user(res).username, res, run);
  };
  const user = (res: Response) => (res.locals['signedIn'] as SignedIn).user;
  const format = (req: Request) => p.choice(req.query, 'format', ['json', 'csv'], 'json');

  r.get('/throughput', async (req, res) => {
    p.only(req.query, ['checkpoints', 'from', 'to', 'interval', 'format']);
    const checkpoints = p.checkpointList(req.query, 'checkpoints', known);
    const interval = p.choice(req.query, 'interval', ['hour', 'day'], 'hour');
    const range = p.range(req.query, interval === 'hour' ? MAX_DAYS.throughputHour : MAX_DAYS.throughputDay);
    const csv = format(req) === 'csv';
    const rows = await query(res, checkpoints, () => throughput(deps.influx, checkpoints, range, interval));
    if (!rows) return;
    if (csv) sendCsv(res, csvFileName(`throughput-${interval}`, range), rows, ['time', 'checkpoint', 'units', 'green', 'yellow', 'red', 'unknown']);
    else res.json(rows);
  });

  r.get('/clearance-times', async (req, res) => {
    p.only(req.query, ['checkpoints', 'from', 'to', 'format']);
    const checkpoints = p.checkpointList(req.query, 'checkpoints', known);
    const range = p.range(req.query, MAX_DAYS.clearanceTimes);
    // Exact distributions need single clearances, which the raw policy keeps for 30 days; older
    // ranges are refused rather than answered from daily percentiles that cannot be merged.
    const oldest = now() - RETENTION_POLICIES.raw.durationMs;
    if (range.from.getTime() < oldest) {
      throw new BadRequest('from', `clearance times are kept in detail for 30 days; choose a range from ${new Date(oldest).toISOString()} on`, p.one(req.query, 'from'));
    }
    const csv = format(req) === 'csv';
    const rows = await query(res, checkpoints, () => clearanceTimes(deps.influx, checkpoints, range));
    if (!rows) return;
    if (csv) sendCsv(res, csvFileName('clearance-times', range), rows, ['checkpoint', 'channel', 'units', 'medianS', 'p90S', 'p99S']);
    else res.json(rows);
  });

  r.get('/heatmap', async (req, res) => {
    p.only(req.query, ['checkpoints', 'from', 'to', 'format']);
    const checkpoints = p.checkpointList(req.query, 'checkpoints', known);
    const range = p.range(req.query, MAX_DAYS.heatmap);
    const csv = format(req) === 'csv';
    const rows = await query(res, checkpoints, () => heatmap(deps.influx, checkpoints, range));
    if (!rows) return;
    if (csv) sendCsv(res, csvFileName('heatmap', range), rows, ['checkpoint', 'weekday', 'hour', 'units']);
    else res.json(rows);
  });

  r.get('/queue', async (req, res) => {
    p.only(req.query, ['checkpoint', 'from', 'to', 'format']);
    const checkpoint = p.checkpoint(req.query, 'checkpoint', known);
    const range = p.range(req.query, MAX_DAYS.queue);
    const csv = format(req) === 'csv';
    const series = await query(res, [checkpoint], () => queueSeries(deps.influx, checkpoint, range));
    if (!series) return;
    const { resolution, points } = series;
    res.setHeader('X-GateWatch-Resolution', resolution);
    if (csv) sendCsv(res, csvFileName(`queue-${checkpoint}`, range), points, ['time', 'lane', 'length', 'waitS']);
    else res.json(points);
  });
  return r;
}
