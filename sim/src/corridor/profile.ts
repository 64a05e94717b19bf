/**
 * When units arrive: the daily and weekly profile of a crossing in Vietnam's local time and a
 * non-homogeneous Poisson process drawn from it by thinning (Lewis & Shedler). The profiles
 * themselves are the crossings' data (corridor.ts).
 *
 * Vietnam keeps UTC+7 all year (Asia/Ho_Chi_Minh has had no daylight saving since 1975), so
 * local time is a fixed offset and no time-zone database is needed.
 */
import type { Prng } from '../prng.js';
import type { Crossing, Direction, LaneModel } from './corridor.js';

export const VIETNAM_OFFSET_MS = 7 * 3600_000;
export const HOUR_MS = 3600_000;
export const DAY_MS = 24 * HOUR_MS;

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Epoch ms of 00:00 local (+07:00) on a local day `YYYY-MM-DD`. */
export function localDayStart(day: string): number {
  const m = DAY.exec(day);
  if (!m) throw new RangeError(`not a day like 2026-11-25: '${day}'`);
  const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (new Date(ms).toISOString().slice(0, 10) !== day) throw new RangeError(`no such day: '${day}'`);
  return ms - VIETNAM_OFFSET_MS;
}

/** The local day (`YYYY-MM-DD`) an instant falls on. */
export const localDay = (ms: number): string => new Date(ms + VIETNAM_OFFSET_MS).toISOString().slice(0, 10);

/** Local hour of the day as a fraction, 0 ≤ h < 24. */
export const localHour = (ms: number): number => (((ms + VIETNAM_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS / HOUR_MS;

/** Epoch ms of the local midnight at or before `ms`. */
export const localMidnight = (ms: number): number => ms - ((((ms + VIETNAM_OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS);

/** Local day of the week, 0 = Sunday. */
export const localWeekday = (ms: number): number => new Date(ms + VIETNAM_OFFSET_MS).getUTCDay();

/** A crossing's Poisson arrival model (road and port). */
export type PoissonModel = Extract<Crossing['arrivals'], { kind: 'poisson' }>;

/**
 * The profile at an instant, relative to the peak rate: the daily shape interpolated linearly
 * between full hours (no step at the hour), times the weekday's factor.
 */
export function profileShape(model: Pick<PoissonModel, 'daily' | 'weekly'>, ms: number): number {
  const h = localHour(ms);
  const i = Math.floor(h);
  const a = model.daily[i % 24]!;
  const b = model.daily[(i + 1) % 24]!;
  return (a + (b - a) * (h - i)) * model.weekly[localWeekday(ms)]!;
}

/** The profile's highest value: the bound the thinning draws candidates at. */
export const maxProfileShape = (model: Pick<PoissonModel, 'daily' | 'weekly'>): number => Math.max(...model.daily) * Math.max(...model.weekly);

/** Whether a lane is open at an instant (its schedule in local hours). */
export function isLaneOpen(lane: LaneModel, ms: number): boolean {
  const h = localHour(ms);
  return lane.open.some((o) => h >= o.from && h < o.to);
}

/**
 * Arrivals per hour in one direction of a crossing at an instant: its peak rate times the
 * profile, and 0 while no lane of that direction is open (closed lanes get no arrivals; traffic
 * that finds every lane closed is outside the monitored area). Rail crossings run on a
 * timetable and have no rate: 0.
 */
export function arrivalRatePerHour(crossing: Crossing, direction: Direction, ms: number, scale = 1): number {
  if (crossing.arrivals.kind !== 'poisson') return 0;
  if (!crossing.lanes.some((l) => l.direction === direction && isLaneOpen(l, ms))) return 0;
  return crossing.arrivals.peakPerHour[direction] * scale * profileShape(crossing.arrivals, ms);
}

/** The highest arrivals per hour of a direction (0 for rail): no rate of arrivalRatePerHour is above it. */
export function maxArrivalRatePerHour(crossing: Crossing, direction: Direction, scale = 1): number {
  if (crossing.arrivals.kind !== 'poisson') return 0;
  return crossing.arrivals.peakPerHour[direction] * scale * maxProfileShape(crossing.arrivals);
}

/**
 * The first arrival after `fromMs` and before `untilMs` of a Poisson process whose rate (per
 * hour) varies in time and never exceeds `maxPerHour`: candidates come at the constant rate
 * `maxPerHour`, and each is kept with probability rate(t)/max. Exact for any rate function
 * below the bound, and needs no integral of the rate. Times are whole milliseconds.
 */
export function nextArrival(
  rng: Prng,
  fromMs: number,
  untilMs: number,
  ratePerHour: (ms: number) => number,
  maxPerHour: number,
): number | undefined {
  if (!(maxPerHour > 0)) return undefined;
  const meanGapMs = HOUR_MS / maxPerHour;
  let t = fromMs;
  for (;;) {
    t += Math.max(1, Math.round(rng.exp(meanGapMs)));
    if (t >= untilMs) return undefined;
    if (rng.next() * maxPerHour < ratePerHour(t)) return t;
  }
}

/** Every arrival in [fromMs, untilMs) of that process, in order (lazily: untilMs may be Infinity). */
export function* poissonArrivals(
  rng: Prng,
  fromMs: number,
  untilMs: number,
  ratePerHour: (ms: number) => number,
  maxPerHour: number,
): Generator<number> {
  let t: number | undefined = fromMs - 1;
  while ((t = nextArrival(rng, t, untilMs, ratePerHour, maxPerHour)) !== undefined) yield t;
}
