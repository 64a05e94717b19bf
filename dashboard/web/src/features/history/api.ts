import type { HistoryInterval } from '@gatewatch/shared';
import { query } from '../../lib/api.js';
import { addDays, localDateString, localMidnightIso } from '../../lib/time.js';

/** Clearance times come from the raw records, which InfluxDB keeps for 30 days. */
export const CLEARANCE_RETENTION_MS = 30 * 86_400_000;

export type HistoryPanel = 'throughput' | 'clearance-times' | 'heatmap';

export interface HistoryQuery {
  checkpoints: readonly string[];
  /** ISO 8601 with the +07:00 offset; [from, to). */
  from: string;
  to: string;
  interval: HistoryInterval;
}

/** The panel's URL; with `csv`, the same query as a CSV download. */
export function historyUrl(panel: HistoryPanel, q: HistoryQuery, format?: 'csv'): string {
  return `/api/v1/history/${panel}${query({
    checkpoints: q.checkpoints.join(','),
    from: q.from,
    to: q.to,
    interval: panel === 'throughput' ? q.interval : undefined,
    format,
  })}`;
}

export type RangePreset = 'today' | '7d' | '14d' | '30d';
export const RANGE_PRESETS: readonly RangePreset[] = ['today', '7d', '14d', '30d'];
const PRESET_DAYS: Record<RangePreset, number> = { today: 1, '7d': 7, '14d': 14, '30d': 30 };

/** Local calendar dates (inclusive) of a preset ending today. */
export function presetDates(preset: RangePreset, nowMs: number): { fromDate: string; toDate: string } {
  const today = localDateString(nowMs);
  return { fromDate: addDays(today, -(PRESET_DAYS[preset] - 1)), toDate: today };
}

/** Inclusive local dates → the [from, to) instants of the API, local midnights. */
export function rangeOf(fromDate: string, toDate: string): { from: string; to: string } {
  return { from: localMidnightIso(fromDate), to: localMidnightIso(addDays(toDate, 1)) };
}

/**
 * The clearance-time query within the raw retention: a range reaching further back starts at
 * the first whole local day still kept (the server refuses older starts); null when nothing of
 * the range is kept.
 */
export function clearanceQuery(q: HistoryQuery, nowMs: number): { query: HistoryQuery | null; clamped: boolean } {
  const oldest = nowMs - CLEARANCE_RETENTION_MS + 60_000;
  if (Date.parse(q.from) >= oldest) return { query: q, clamped: false };
  const from = localMidnightIso(addDays(localDateString(oldest), 1));
  if (Date.parse(from) >= Date.parse(q.to)) return { query: null, clamped: true };
  return { query: { ...q, from }, clamped: true };
}
