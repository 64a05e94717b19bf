import { describe, expect, it } from 'vitest';
import {
  addDays,
  formatDate,
  formatDateTime,
  formatDuration,
  formatTime,
  formatTimeSeconds,
  localDateString,
  localHour,
  localMidnightIso,
  localParts,
  timeTicks,
} from './time.js';

describe('times in Asia/Ho_Chi_Minh', () => {
  it('shows 17:30 UTC as 00:30 on the next day', () => {
    const t = '2026-11-25T17:30:00Z';
    expect(formatTime(t)).toBe('00:30');
    expect(formatDate(t)).toBe('26/11');
    expect(formatDateTime(t)).toBe('00:30 26/11');
    expect(formatTimeSeconds('2026-11-25T17:30:05.900Z')).toBe('00:30:05');
    expect(localDateString(t)).toBe('2026-11-26');
    expect(localHour(t)).toBe(0);
  });

  it('uses the 24-hour clock and numbers weekdays from Monday', () => {
    expect(formatTime('2026-11-25T10:05:00Z')).toBe('17:05');
    // 2026-11-30 is a Monday in Vietnam from 17:00 UTC on the 29th
    expect(localParts('2026-11-29T17:00:00Z').weekday).toBe(0);
    expect(localParts('2026-11-29T16:59:59Z').weekday).toBe(6);
  });

  it('accepts ms and shows a dash for nothing', () => {
    expect(formatTime(Date.parse('2026-01-01T00:00:00Z'))).toBe('07:00');
    expect(formatTime(null)).toBe('–');
    expect(formatTime('nonsense')).toBe('–');
  });

  it('builds local midnights and adds days across month ends', () => {
    expect(localMidnightIso('2026-11-26')).toBe('2026-11-26T00:00:00+07:00');
    expect(Date.parse(localMidnightIso('2026-11-26'))).toBe(Date.parse('2026-11-25T17:00:00Z'));
    expect(addDays('2026-11-30', 1)).toBe('2026-12-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
  });
});

describe('durations', () => {
  it('reads "1 giờ 5 phút" in Vietnamese and "1 h 5 min" in English', () => {
    expect(formatDuration(3900, 'vi')).toBe('1 giờ 5 phút');
    expect(formatDuration(3900, 'en')).toBe('1 h 5 min');
  });

  it('rounds to the minute, drops zero minutes, shows seconds under a minute', () => {
    expect(formatDuration(45, 'vi')).toBe('45 giây');
    expect(formatDuration(45, 'en')).toBe('45 s');
    expect(formatDuration(89, 'en')).toBe('1 min');
    expect(formatDuration(7200, 'vi')).toBe('2 giờ');
    expect(formatDuration(3599, 'en')).toBe('1 h');
    expect(formatDuration(26 * 3600 + 60, 'en')).toBe('26 h 1 min');
    expect(formatDuration(null, 'vi')).toBe('–');
  });
});

describe('time axis ticks', () => {
  const at = (s: string) => Date.parse(s);
  it('falls on round local times, at most the asked number', () => {
    const ticks = timeTicks(at('2026-11-25T01:07:00Z'), at('2026-11-25T07:07:00Z'), 8);
    expect(ticks.length).toBeLessThanOrEqual(8);
    expect(ticks.map((t) => new Date(t).toISOString().slice(11, 16))).toEqual(['02:00', '03:00', '04:00', '05:00', '06:00', '07:00']);
    expect(formatTime(ticks[0]!)).toBe('09:00');
  });

  it('puts day ticks on local midnight', () => {
    const ticks = timeTicks(at('2026-11-19T00:00:00Z'), at('2026-11-26T00:00:00Z'), 8);
    expect(ticks.map((t) => formatDateTime(t))).toEqual(['00:00 20/11', '00:00 21/11', '00:00 22/11', '00:00 23/11', '00:00 24/11', '00:00 25/11', '00:00 26/11']);
  });

  it('has none for an empty span', () => {
    expect(timeTicks(5, 5)).toEqual([]);
  });
});
