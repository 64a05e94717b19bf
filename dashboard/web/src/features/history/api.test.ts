import { describe, expect, it } from 'vitest';
import { clearanceQuery, historyUrl, presetDates, rangeOf } from './api.js';

describe('history queries', () => {
  it('covers whole local days, [from, to)', () => {
    expect(rangeOf('2026-11-19', '2026-11-25')).toEqual({ from: '2026-11-19T00:00:00+07:00', to: '2026-11-26T00:00:00+07:00' });
  });

  it('ends presets today in Vietnam', () => {
    // 18:00 UTC on the 25th is already the 26th in Vietnam
    expect(presetDates('today', Date.parse('2026-11-25T18:00:00Z'))).toEqual({ fromDate: '2026-11-26', toDate: '2026-11-26' });
    expect(presetDates('7d', Date.parse('2026-11-25T18:00:00Z'))).toEqual({ fromDate: '2026-11-20', toDate: '2026-11-26' });
  });

  it('encodes the offset and asks the same query as CSV', () => {
    const q = { checkpoints: ['lao-cai-rail', 'kim-thanh-road'], ...rangeOf('2026-11-25', '2026-11-25'), interval: 'hour' as const };
    expect(historyUrl('throughput', q)).toBe(
      '/api/v1/history/throughput?checkpoints=lao-cai-rail%2Ckim-thanh-road&from=2026-11-25T00%3A00%3A00%2B07%3A00&to=2026-11-26T00%3A00%3A00%2B07%3A00&interval=hour',
    );
    expect(historyUrl('heatmap', q, 'csv')).toBe(
      '/api/v1/history/heatmap?checkpoints=lao-cai-rail%2Ckim-thanh-road&from=2026-11-25T00%3A00%3A00%2B07%3A00&to=2026-11-26T00%3A00%3A00%2B07%3A00&format=csv',
    );
  });
});

describe('clearance times within the 30 days of raw records', () => {
  const now = Date.parse('2026-11-25T03:00:00Z'); // 10:00 in Vietnam
  it('keeps a range inside the retention, including the 30-day preset', () => {
    const q = { checkpoints: ['x'], ...rangeOf(presetDates('30d', now).fromDate, presetDates('30d', now).toDate), interval: 'day' as const };
    expect(clearanceQuery(q, now)).toEqual({ query: q, clamped: false });
  });

  it('starts an older range at the first whole local day still kept', () => {
    const q = { checkpoints: ['x'], ...rangeOf('2026-09-01', '2026-11-25'), interval: 'day' as const };
    const r = clearanceQuery(q, now);
    expect(r.clamped).toBe(true);
    expect(r.query?.from).toBe('2026-10-27T00:00:00+07:00');
    expect(r.query?.to).toBe(q.to);
  });

  it('has nothing to ask for a range wholly before it', () => {
    const q = { checkpoints: ['x'], ...rangeOf('2026-09-01', '2026-09-30'), interval: 'day' as const };
    expect(clearanceQuery(q, now)).toEqual({ query: null, clamped: true });
  });
});
