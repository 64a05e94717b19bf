import { describe, expect, it } from 'vitest';
import { Prng } from '../prng.js';
import { CROSSINGS, DINH_VU_PORT, KIM_THANH_DAILY, KIM_THANH_ROAD, PORT_DAILY } from './corridor.js';
import {
  arrivalRatePerHour,
  isLaneOpen,
  localDay,
  localDayStart,
  localHour,
  localWeekday,
  maxArrivalRatePerHour,
  poissonArrivals,
  profileShape,
  type PoissonModel,
} from './profile.js';

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

describe('the daily and weekly profiles', () => {
  const kim = KIM_THANH_ROAD.arrivals as PoissonModel;
  const port = DINH_VU_PORT.arrivals as PoissonModel;
  const rate = (c: typeof KIM_THANH_ROAD, h: number, d = 'inbound' as const): number => arrivalRatePerHour(c, d, at(h));

  it('Kim Thanh: nothing while the gate is closed (22:00-07:00), a surge as it opens, peaks in the morning and the afternoon', () => {
    for (const h of [22, 23, 24 + 3, 24 + 6.99]) expect(rate(KIM_THANH_ROAD, h), `${h} h`).toBe(0);
    // The trucks that waited overnight in the parking outside come first.
    expect(rate(KIM_THANH_ROAD, 7)).toBeGreaterThan(2 * rate(KIM_THANH_ROAD, 9));
    expect(rate(KIM_THANH_ROAD, 9)).toBe(kim.peakPerHour.inbound);
    expect(rate(KIM_THANH_ROAD, 12.5)).toBeLessThan(rate(KIM_THANH_ROAD, 9) / 1.5);
    expect(rate(KIM_THANH_ROAD, 12.5)).toBeLessThan(rate(KIM_THANH_ROAD, 15) / 1.5);
    // Interpolated: no step at the hour.
    expect(profileShape(kim, at(7.5))).toBeCloseTo((KIM_THANH_DAILY[7]! + KIM_THANH_DAILY[8]!) / 2, 9);
  });

  it('Dinh Vu: open round the clock, nights at about half the peak', () => {
    const night = [0, 1, 2, 3, 4].map((h) => profileShape(port, at(h + 0.5)));
    expect(Math.min(...night)).toBeGreaterThan(0.3);
    expect(Math.max(...night)).toBeLessThan(0.6);
    expect(profileShape(port, at(9))).toBe(1);
    expect(profileShape(port, at(12.5))).toBeLessThan(profileShape(port, at(15)));
  });

  it('Sundays carry about half a weekday at the border, Saturdays in between; the port rests less', () => {
    const sunday = localDayStart('2026-11-29');
    const saturday = localDayStart('2026-11-28');
    expect(localWeekday(sunday)).toBe(0);
    expect(localWeekday(saturday + 23.99 * 3600_000)).toBe(6);
    const at9 = (day: number, c = KIM_THANH_ROAD): number => arrivalRatePerHour(c, 'inbound', day + 9 * 3600_000);
    expect(at9(sunday) / at9(DAY)).toBeCloseTo(0.5, 1);
    expect(at9(saturday)).toBeGreaterThan(at9(sunday));
    expect(at9(saturday)).toBeLessThan(at9(DAY));
    expect(at9(sunday, DINH_VU_PORT) / at9(DAY, DINH_VU_PORT)).toBeGreaterThan(at9(sunday) / at9(DAY));
  });

  it('is a rate per hour and direction, scaled, never above the bound the thinning draws at', () => {
    expect(arrivalRatePerHour(KIM_THANH_ROAD, 'outbound', at(9), 2)).toBe(2 * kim.peakPerHour.outbound);
    expect(arrivalRatePerHour(CROSSINGS['lao-cai-rail'], 'inbound', at(9))).toBe(0);
    for (const c of [KIM_THANH_ROAD, DINH_VU_PORT]) {
      for (const d of ['inbound', 'outbound'] as const) {
        const bound = maxArrivalRatePerHour(c, d, 1.5);
        let highest = 0;
        for (let t = at(0); t < at(7 * 24); t += 60_000) highest = Math.max(highest, arrivalRatePerHour(c, d, t, 1.5));
        expect(highest, `${c.id} ${d}`).toBeLessThanOrEqual(bound);
        expect(highest, `${c.id} ${d}`).toBeGreaterThan(0.9 * bound);
      }
    }
  });

  it('gives no arrivals to a direction whose lanes are all closed', () => {
    const closedAtNight = { ...DINH_VU_PORT, lanes: DINH_VU_PORT.lanes.filter((l) => l.id === 'G3' || l.id === 'G4') };
    expect(isLaneOpen(closedAtNight.lanes[0]!, at(23))).toBe(false);
    expect(isLaneOpen(closedAtNight.lanes[0]!, at(9))).toBe(true);
    expect(arrivalRatePerHour(closedAtNight, 'inbound', at(23))).toBe(0);
    expect(arrivalRatePerHour(closedAtNight, 'inbound', at(9))).toBeGreaterThan(0);
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

    // 100 days of the port's daily profile at a peak of 20 an hour: each hour's count near its integral.
    const model = { daily: PORT_DAILY, weekly: [1, 1, 1, 1, 1, 1, 1] };
    const times = [...poissonArrivals(new Prng(2), at(0), at(24 * 100), (t) => 20 * profileShape(model, t), 20)];
    const perHour = Array.from({ length: 24 }, () => 0);
    for (const t of times) perHour[Math.floor(localHour(t))]!++;
    for (let h = 0; h < 24; h++) {
      const expected = (100 * 20 * (PORT_DAILY[h]! + PORT_DAILY[(h + 1) % 24]!)) / 2;
      expect(Math.abs(perHour[h]! - expected)).toBeLessThan(5 * Math.sqrt(expected));
    }
  });
});
