import { describe, expect, it } from 'vitest';
import { toCsv } from './history/csv.js';
import { csvFileName } from './history/routes.js';
import { quoteIdent, quoteString, tagIn } from './history/influxql.js';
import { isoTimeMs } from './params.js';
import { RateLimiter } from './public/rateLimit.js';
import { localHourOfWeek, median, percentile } from './stats.js';

describe('statistics', () => {
  it('median and nearest-rank percentiles', () => {
    const v = [10, 20, 30, 40, 50, 60, 70, 80, 90, 100];
    expect(median(v)).toBe(55);
    expect(median([3, 1, 2])).toBe(2);
    expect(percentile(v, 90)).toBe(90);
    expect(percentile(v, 99)).toBe(100);
    expect(percentile([5], 90)).toBe(5);
    expect(median([])).toBeNull();
    expect(percentile([], 90)).toBeNull();
  });

  it('local hour of week in UTC+7, Monday first', () => {
    // Sunday 2026-11-22 17:00 UTC is Monday 00:00 in Ho Chi Minh City.
    expect(localHourOfWeek(Date.parse('2026-11-22T17:00:00Z'))).toEqual({ weekday: 0, hour: 0 });
    expect(localHourOfWeek(Date.parse('2026-11-22T16:59:00Z'))).toEqual({ weekday: 6, hour: 23 });
  });
});

describe('query values', () => {
  it('accepts ISO 8601 times with an offset only, and real calendar dates', () => {
    expect(isoTimeMs('2026-11-25T08:00:00+07:00')).toBe(Date.parse('2026-11-25T01:00:00Z'));
    expect(isoTimeMs('2026-11-25T01:00Z')).toBe(Date.parse('2026-11-25T01:00:00Z'));
    expect(isoTimeMs('2026-11-25T01:00:00.123456789Z')).toBe(Date.parse('2026-11-25T01:00:00.123Z'));
    for (const bad of ['now()', '2026-11-25', '2026-11-25T01:00:00', '2026-02-30T00:00:00Z', '2026-11-25T24:00:00Z', '1732500000000', "2026-11-25T01:00:00Z' OR 1=1"]) {
      expect(isoTimeMs(bad), bad).toBeUndefined();
    }
  });

  it('quotes identifiers and strings as InfluxDB reads them', () => {
    expect(quoteIdent('queue_1m')).toBe('queue_1m');
    expect(quoteIdent('agg-1h')).toBe('"agg-1h"');
    expect(quoteIdent('select')).toBe('"select"');
    expect(quoteString("a' OR 1=1 --")).toBe("'a\\' OR 1=1 --'");
    expect(quoteString('a\\')).toBe("'a\\\\'");
    expect(tagIn('checkpoint', ['a', 'b'])).toBe("(checkpoint = 'a' OR checkpoint = 'b')");
  });
});

describe('CSV', () => {
  it('has a BOM, a header, CRLF, quoted fields and no live formulas', () => {
    const csv = toCsv([{ a: 'x,y', b: 1, c: null }, { a: '=HYPERLINK("x")', b: -2, c: 'Lào Cai' }], ['a', 'b', 'c']);
    expect(csv).toBe('\uFEFFa,b,c\r\n"x,y",1,\r\n"\'=HYPERLINK(""x"")",-2,Lào Cai\r\n');
  });
  it('names the file by the local days chosen, the end day included', () => {
    // 18 to 24 November in Hanoi: from 18/11 00:00+07:00 to 25/11 00:00+07:00 (exclusive).
    const range = { from: new Date('2026-11-17T17:00:00Z'), to: new Date('2026-11-24T17:00:00Z') };
    expect(csvFileName('throughput-day', range)).toBe('gatewatch-throughput-day-2026-11-18-2026-11-24.csv');
  });
  it('writes times in Vietnam local time with the offset, the hour a manager reads on the dashboard', () => {
    const csv = toCsv([{ time: '2026-11-24T17:00:00.000Z', units: 3 }], ['time', 'units']);
    expect(csv.split('\r\n')[1]).toBe('2026-11-25T00:00:00.000+07:00,3');
  });
});

describe('rate limit', () => {
  it('allows a burst of the limit, then one request per 60/limit seconds', () => {
    let t = 0;
    const limiter = new RateLimiter(6, () => t);
    for (let i = 0; i < 6; i++) expect(limiter.take('a')).toBe(0);
    expect(limiter.take('a')).toBe(10_000);
    expect(limiter.take('b')).toBe(0);
    t = 9_999;
    expect(limiter.take('a')).toBe(1);
    t = 10_000;
    expect(limiter.take('a')).toBe(0);
  });
});
