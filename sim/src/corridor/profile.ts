/**
 * When units arrive: the daily profile of a crossing in Vietnam's local time and a
 * non-homogeneous Poisson process drawn from it by thinning (Lewis & Shedler).
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
export const localMidnight = (ms: number): number => ms - localHour(ms) * HOUR_MS;

/**
 * Relative arrival rate at each full local hour (1 = the crossing's peak), interpolated
 * linearly in between. Shaped after the corridor's working day: trucks are few between
 * midnight and 05:00, build up from 06:00 as drivers leave the yards, peak in the morning
 * (08-10), dip over the lunch break (customs officers' 11:30-13:30), peak again in the
 * afternoon (14-16) and tail off through the evening.
 */
export const DAILY_SHAPE: readonly number[] = [
  0.1, 0.08, 0.07, 0.07, 0.1, 0.2, 0.45, 0.8, 1.0, 1.0, 0.9, 0.7, //
  0.55, 0.7, 0.9, 0.95, 0.85, 0.65, 0.45, 0.35, 0.3, 0.25, 0.18, 0.13,
];

/** The profile at an instant: DAILY_SHAPE interpolated, 0..1. */
export function profileShape(ms: number): number {
  const h = localHour(ms);
  const i = Math.floor(h);
  const a = DAILY_SHAPE[i % 24]!;
  const b = DAILY_SHAPE[(i + 1) % 24]!;
  return a + (b - a) * (h - i);
}

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
  return crossing.arrivals.peakPerHour[direction] * scale * profileShape(ms);
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
