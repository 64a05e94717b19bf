import { describe, expect, it } from 'vitest';
import { estimateWaitS, MIN_DEPARTURES_FOR_RATE, type WaitEstimateInput } from './estimate.js';

const NOW = Date.UTC(2026, 10, 25, 1, 30, 0);
const base: WaitEstimateInput = { queueLength: 4, departuresMs: [], recentWaitsS: [], nowMs: NOW, windowMs: 900_000, defaultServiceS: 90 };

describe('estimateWaitS', () => {
  it('an empty queue waits 0 s, whatever was measured', () => {
    expect(estimateWaitS({ ...base, queueLength: 0, departuresMs: [NOW - 1000, NOW - 2000, NOW - 3000], recentWaitsS: [300] })).toBe(0);
  });

  it("Little's law from the departures in the window: 4 waiting, 6 served in the last 120 s → 80 s", () => {
    const departuresMs = [120, 100, 80, 60, 40, 20].map((s) => NOW - s * 1000);
    expect(estimateWaitS({ ...base, departuresMs })).toBe(80);
  });

  it('does not need the departures sorted', () => {
    const sorted = [NOW - 120_000, NOW - 60_000, NOW - 30_000];
    expect(estimateWaitS({ ...base, departuresMs: [sorted[1]!, sorted[2]!, sorted[0]!] })).toBe(estimateWaitS({ ...base, departuresMs: sorted }));
    expect(estimateWaitS({ ...base, departuresMs: sorted })).toBe(160);
  });

  it('ignores departures outside the window and in the future', () => {
    const departuresMs = [NOW - 900_000, NOW - 60_000, NOW - 30_000, NOW + 1000];
    // Only 2 inside (the one exactly at the window start is out): falls back to the default.
    expect(MIN_DEPARTURES_FOR_RATE).toBe(3);
    expect(estimateWaitS({ ...base, departuresMs })).toBe(360);
  });

  it('with too few departures, the median of recent waits (mean of the middle two for an even count)', () => {
    expect(estimateWaitS({ ...base, recentWaitsS: [300, 100, 200] })).toBe(200);
    expect(estimateWaitS({ ...base, recentWaitsS: [300, 100, 200, 400] })).toBe(250);
  });

  it('negative waits (camera clock skew) count as 0 and non-finite values are ignored', () => {
    expect(estimateWaitS({ ...base, recentWaitsS: [-5, Number.NaN, 20.04] })).toBe(10);
    expect(estimateWaitS({ ...base, departuresMs: [Number.NaN, NOW - 1000, NOW - 2000], recentWaitsS: [Number.POSITIVE_INFINITY] })).toBe(360);
  });

  it('with nothing measured: length × default service time, rounded to 0.1 s', () => {
    expect(estimateWaitS({ ...base, queueLength: 3, defaultServiceS: 12.345 })).toBe(37);
    expect(estimateWaitS({ ...base, queueLength: 1, defaultServiceS: 0.04 })).toBe(0);
    expect(Object.is(estimateWaitS({ ...base, queueLength: 1, defaultServiceS: -1 }), 0)).toBe(true);
  });

  it('a burst long ago measures a low rate: the span runs to now (at least 1 s)', () => {
    const departuresMs = [NOW - 600_000, NOW - 599_000, NOW - 598_000];
    expect(estimateWaitS({ ...base, queueLength: 2, departuresMs })).toBe(400);
    expect(estimateWaitS({ ...base, queueLength: 2, departuresMs: [NOW, NOW, NOW] })).toBe(0.7);
  });
});
