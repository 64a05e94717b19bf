import type { Direction, TypicalWait, WaitPoint } from '@gatewatch/shared';
import { query } from '../../lib/api.js';

export const trendUrl = (checkpoint: string, hours: number) => `/api/v1/wait-estimates/trend${query({ checkpoint, hours })}`;
export const typicalUrl = (checkpoint: string, weeks: number) => `/api/v1/wait-estimates/typical${query({ checkpoint, weeks })}`;

export const TREND_HOURS = [3, 6, 12, 24] as const;
export const TYPICAL_WEEKS = 4;

export interface TrendRow {
  t: number;
  inbound?: number | null;
  outbound?: number | null;
}

/** One row per time with the wait of each direction in minutes. */
export function pivotTrend(points: readonly WaitPoint[]): TrendRow[] {
  const by = new Map<number, TrendRow>();
  for (const p of points) {
    const t = Date.parse(p.time);
    let row = by.get(t);
    if (!row) by.set(t, (row = { t }));
    row[p.direction] = p.waitS === null ? null : Math.round(p.waitS / 6) / 10;
  }
  return [...by.values()].sort((a, b) => a.t - b.t);
}

export interface TypicalRow {
  hour: number;
  label: string;
  inboundMedian: number | null;
  inboundP90: number | null;
  outboundMedian: number | null;
  outboundP90: number | null;
}

const min = (s: number | null | undefined) => (s === null || s === undefined ? null : Math.round(s / 6) / 10);

export function typicalRows(list: readonly TypicalWait[]): TypicalRow[] {
  const of = (d: Direction) => list.find((x) => x.direction === d);
  const i = of('inbound');
  const o = of('outbound');
  return Array.from({ length: 24 }, (_, h) => ({
    hour: h,
    label: `${String(h).padStart(2, '0')}h`,
    inboundMedian: min(i?.medianWaitS[h]),
    inboundP90: min(i?.p90WaitS[h]),
    outboundMedian: min(o?.medianWaitS[h]),
    outboundP90: min(o?.p90WaitS[h]),
  }));
}

/** The `n` local hours with the lowest median wait (ties: earlier first). */
export function bestHours(t: TypicalWait | undefined, n = 3): number[] {
  if (!t) return [];
  return t.medianWaitS
    .map((v, h) => ({ v, h }))
    .filter((x): x is { v: number; h: number } => x.v !== null)
    .sort((a, b) => a.v - b.v || a.h - b.h)
    .slice(0, n)
    .map((x) => x.h)
    .sort((a, b) => a - b);
}
