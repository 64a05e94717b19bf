import { describe, expect, it } from 'vitest';
import { Prng } from '../prng.js';
import { CROSSINGS, DINH_VU_PORT, KIM_THANH_ROAD } from './corridor.js';
import { arrivalRatePerHour, DAILY_SHAPE, isLaneOpen, localDay, localDayStart, localHour, poissonArrivals, profileShape } from './profile.js';

const DAY = localDayStart('2026-11-25');
const at = (h: number): number => DAY + h * 3600_000;

describe('local time in Viet Nam (UTC+7, no daylight saving)', () => {
  it('starts the day at 17:00 UTC the day before', () => {
    expect(new Date(DAY).toISOString()).toBe('2026-11-24T17:00:00.000Z');
    expect(localDay(DAY)).toBe('2026-11-25');
    expect(localDay(DAY - 1)).toBe('2026-11-24');
    expect(localHour(at(8.5))).toBeCloseTo(8.5, 9);
    expect(localDayStart('2026-06-25') - localDayStart('2026-06-24')).toBe(86_400_000);
  });

  it('refuses what is not a day', () => {
    expect(() => localDayStart('2026-02-30')).toThrow(/no such day/);
    expect(() => localDayStart('25/11/2026')).toThrow(/not a day/);
  });
});

describe('the daily profile', () => {
  it('is low at night and peaks in the morning and the afternoon', () => {
    expect(DAILY_SHAPE).toHaveLength(24);
    const night = Math.max(...[0, 1, 2, 3, 4].map((h) => profileShape(at(h + 0.5))));
    expect(night).toBeLessThan(0.25);
    expect(profileShape(at(9))).toBe(1);
    expect(profileShape(at(15))).toBeGreaterThan(0.9);
    expect(profileShape(at(12.5))).toBeLessThan(profileShape(at(9)));
    expect(profileShape(at(12.5))).toBeLessThan(profileShape(at(15)));
    // Interpolated: no step at the hour.
    expect(profileShape(at(7.5))).toBeCloseTo((DAILY_SHAPE[7]! + DAILY_SHAPE[8]!) / 2, 9);
  });

  it('is a rate per hour and direction, scaled by the crossing', () => {
    expect(arrivalRatePerHour(KIM_THANH_ROAD, 'inbound', at(9))).toBe(5);
    expect(arrivalRatePerHour(KIM_THANH_ROAD, 'outbound', at(9), 2)).toBe(5);
    expect(arrivalRatePerHour(CROSSINGS['lao-cai-rail'], 'inbound', at(9))).toBe(0);
  });

  it('gives no arrivals to a direction whose lanes are all closed', () => {
    const closedAtNoon = { ...DINH_VU_PORT, lanes: DINH_VU_PORT.lanes.filter((l) => l.id === 'G3' || l.id === 'G4') };
    expect(isLaneOpen(closedAtNoon.lanes[0]!, at(12))).toBe(false);
    expect(isLaneOpen(closedAtNoon.lanes[0]!, at(9))).toBe(true);
    expect(arrivalRatePerHour(closedAtNoon, 'inbound', at(12))).toBe(0);
    expect(arrivalRatePerHour(closedAtNoon, 'inbound', at(9))).toBeGreaterThan(0);
  });
});

describe('the non-homogeneous Poisson process (thinning)', () => {
  it('is seeded', () => {
    const run = (seed: number): number[] => [...poissonArrivals(new Prng(seed), at(0), at(24), () => 10, 10)];
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('has the expected number of arrivals for a constant and for a varying rate', () => {
    const constant = [...poissonArrivals(new Prng(1), at(0), at(1000), () => 10, 10)];
    // 10 000 expected, standard deviation 100.
    expect(constant.length).toBeGreaterThan(9600);
    expect(constant.length).toBeLessThan(10_400);
    expect(constant.every((t, i) => i === 0 || t > constant[i - 1]!)).toBe(true);

    // 100 days of the daily profile at a peak of 20 an hour: each hour's count near its integral.
    const times = [...poissonArrivals(new Prng(2), at(0), at(24 * 100), (t) => 20 * profileShape(t), 20)];
    const perHour = Array.from({ length: 24 }, () => 0);
    for (const t of times) perHour[Math.floor(localHour(t))]!++;
    for (let h = 0; h < 24; h++) {
      const expected = (100 * 20 * (DAILY_SHAPE[h]! + DAILY_SHAPE[(h + 1) % 24]!)) / 2;
      expect(Math.abs(perHour[h]! - expected)).toBeLessThan(5 * Math.sqrt(expected));
    }
  });
});
