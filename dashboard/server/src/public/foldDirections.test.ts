import { describe, expect, it } from 'vitest';
import type { Row } from '../influx.js';
import { foldDirections } from './routes.js';

const MIN = 60_000;
/** 21:58 to 22:02 local (UTC+7) on 2026-12-07: Kim Thanh closes at 22:00. */
const at = (hhmm: string) => Date.parse(`2026-12-07T${hhmm}:00+07:00`);
const row = (time: number, lane: string, wait: number, departures = 0): Row => ({ time, lane, wait, length: 2, departures });

describe('the trend of a direction from aggregates', () => {
  const lanes = new Map([
    ['IN-1', 'inbound' as const],
    ['IN-2', 'inbound' as const],
  ]);
  const rows = ['21:58', '21:59', '22:00', '22:01'].flatMap((t) => [row(at(t), 'IN-1', 300), row(at(t), 'IN-2', 120)]);

  it('with opening hours, has a wait while its hours have it open and none after it closes, departures or not', () => {
    const folded = foldDirections(rows, lanes, { bucketMs: MIN, openWindowMs: 30 * MIN, hoursOf: () => [{ open: '07:00', close: '22:00' }] });
    expect(folded.map((b) => [new Date(b.time).toISOString(), b.waitS, b.queueLength])).toEqual([
      [new Date(at('21:58')).toISOString(), 120, 4],
      [new Date(at('21:59')).toISOString(), 120, 4],
      [new Date(at('22:00')).toISOString(), null, 4],
      [new Date(at('22:01')).toISOString(), null, 4],
    ]);
  });

  it('without hours, keeps the departure rule: no lane open until one lets a unit through', () => {
    const withDeparture = [...rows.slice(0, 2), row(at('21:59'), 'IN-2', 120, 1), ...rows.slice(4)];
    const folded = foldDirections(withDeparture, lanes, { bucketMs: MIN, openWindowMs: 30 * MIN });
    expect(folded.map((b) => b.waitS)).toEqual([null, 120, 120, 120]);
  });
});
