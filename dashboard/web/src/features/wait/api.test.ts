import { describe, expect, it } from 'vitest';
import type { TypicalWait } from '@gatewatch/shared';
import { bestHours, pivotTrend, trendUrl, typicalRows, typicalUrl } from './api.js';

const hours = (f: (h: number) => number | null) => Array.from({ length: 24 }, (_, h) => f(h));

describe('logistics data', () => {
  it('asks the public endpoints', () => {
    expect(trendUrl('dinh-vu-port', 6)).toBe('/api/v1/wait-estimates/trend?checkpoint=dinh-vu-port&hours=6');
    expect(typicalUrl('dinh-vu-port', 4)).toBe('/api/v1/wait-estimates/typical?checkpoint=dinh-vu-port&weeks=4');
  });

  it('puts both directions of a minute on one row, in minutes', () => {
    const rows = pivotTrend([
      { time: '2026-11-25T03:01:00Z', direction: 'outbound', waitS: 90, queueLength: 2 },
      { time: '2026-11-25T03:00:00Z', direction: 'inbound', waitS: 600, queueLength: 5 },
      { time: '2026-11-25T03:00:00Z', direction: 'outbound', waitS: null, queueLength: null },
    ]);
    expect(rows).toEqual([
      { t: Date.parse('2026-11-25T03:00:00Z'), inbound: 10, outbound: null },
      { t: Date.parse('2026-11-25T03:01:00Z'), outbound: 1.5 },
    ]);
  });

  it('lays typical waits out by local hour and finds the quietest hours', () => {
    const inbound: TypicalWait = {
      checkpoint: 'kim-thanh-road',
      direction: 'inbound',
      weeks: 4,
      medianWaitS: hours((h) => (h < 7 || h > 21 ? null : 600 + Math.abs(h - 12) * -30 + 300)),
      p90WaitS: hours((h) => (h < 7 || h > 21 ? null : 1800)),
    };
    const rows = typicalRows([inbound]);
    expect(rows).toHaveLength(24);
    expect(rows[0]).toEqual({ hour: 0, label: '00h', inboundMedian: null, inboundP90: null, outboundMedian: null, outboundP90: null });
    expect(rows[12]!.inboundMedian).toBe(15);
    expect(rows[12]!.inboundP90).toBe(30);
    // furthest from noon waits least (here the evening); closed hours (null) are never suggested
    expect(bestHours(inbound)).toEqual([19, 20, 21]);
    expect(bestHours(undefined)).toEqual([]);
  });
});
