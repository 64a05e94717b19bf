/**
 * At start, the live state gets what happened before it: the last two hours of raw queue
 * records (charts, latest record per lane, the last departure that says a lane is open) and the
 * latest clearances. Without it the officer's charts would start empty at every restart and
 * every lane would read closed until its next departure.
 */
import { LIVE_SERIES_MS, msToNs, type ClearanceRecord, type QueueRecord } from '@gatewatch/shared';
import { RAW_RP } from '@gatewatch/infra';
import type { InfluxClient, Row } from '../influx.js';
import { from, integer, tagIn, timeRange } from '../history/influxql.js';
import { MAX_CLEARANCES, type LiveState } from './state.js';

const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const opt = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export async function seedLiveState(
  influx: InfluxClient,
  state: LiveState,
  checkpoints: readonly string[],
  nowMs = Date.now(),
  what: { clearances: boolean } = { clearances: true },
): Promise<{ queue: number; clearances: number }> {
  const range = timeRange(new Date(nowMs - LIVE_SERIES_MS), new Date(nowMs + 60_000));
  const db = influx.database;
  const queueRows = await influx.rows(
    `SELECT "length", "arrivals", "departures", "wait_estimate_s" FROM ${from(db, RAW_RP, 'queue')}` +
      ` WHERE ${range} AND ${tagIn('checkpoint', checkpoints)} GROUP BY "checkpoint", "lane"`,
  );
  const queue = queueRows
    .sort((a, b) => a.time - b.time)
    .map(
      (r: Row): QueueRecord => ({
        checkpoint: str(r['checkpoint']),
        lane: str(r['lane']),
        length: num(r['length']),
        arrivals: num(r['arrivals']),
        departures: num(r['departures']),
        wait_estimate_s: num(r['wait_estimate_s']),
        time: new Date(r.time).toISOString(),
        timeNs: msToNs(Math.round(r.time)),
      }),
    );
  state.seedQueue(queue);
  if (!what.clearances) return { queue: queue.length, clearances: 0 };

  const clearanceRows = await influx.rows(
    `SELECT * FROM ${from(db, RAW_RP, 'clearance')} WHERE ${range} AND ${tagIn('checkpoint', checkpoints)}` +
      ` GROUP BY "checkpoint" ORDER BY time DESC LIMIT ${integer(MAX_CLEARANCES)}`,
  );
  const clearances = clearanceRows.map((r): ClearanceRecord => {
    const c: ClearanceRecord = {
      checkpoint: str(r['checkpoint']),
      lane: str(r['lane']),
      kind: str(r['kind']) as ClearanceRecord['kind'],
      channel: str(r['channel']) as ClearanceRecord['channel'],
      outcome: str(r['outcome']) as ClearanceRecord['outcome'],
      unit: str(r['unit']),
      time: new Date(r.time).toISOString(),
      timeNs: msToNs(Math.round(r.time)),
    };
    for (const k of ['wait_s', 'process_s', 'total_s', 'weight_kg'] as const) {
      const v = opt(r[k]);
      if (v !== undefined) c[k] = v;
    }
    return c;
  });
  state.seedClearances(clearances.reverse());
  return { queue: queue.length, clearances: clearances.length };
}

/**
 * Checkpoints whose live series lacks the start of its two-hour window: history that reached
 * InfluxDB after the dashboard started (an edge's outbox draining after an outage, the run
 * command's backfill) is fetched again, so that the officer's charts fill in without a restart.
 * Queue points merge by time; clearances are not fetched again (they would repeat).
 */
export function thinCheckpoints(state: LiveState, checkpoints: readonly string[], nowMs: number, slackMs = THIN_SLACK_MS): string[] {
  return checkpoints.filter((c) => {
    const first = state.firstPointMs(c);
    return first === undefined || first > nowMs - LIVE_SERIES_MS + slackMs;
  });
}

/**
 * How often thin checkpoints are fetched again. Often, because the same records tell which
 * lanes are open (their departures): until they come, a dashboard started before its history
 * shows every lane closed, and at night a real departure may be many minutes away. Only thin
 * checkpoints are queried (two hours of raw queue records each), so a complete corridor costs
 * nothing.
 */
export const RESEED_EVERY_MS = 30_000;
/** A series is thin while it starts later than this after the start of its two-hour window. */
export const THIN_SLACK_MS = 5 * 60_000;
