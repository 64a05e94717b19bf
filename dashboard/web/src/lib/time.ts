/**
 * Times and durations as people read them: always in Asia/Ho_Chi_Minh (UTC+7, no daylight
 * saving), whatever the browser's own zone, 24-hour clock, day before month.
 */
import { DISPLAY_TIME_ZONE } from '@gatewatch/shared';
import type { Lang } from '@gatewatch/shared';

/** The zone's offset from UTC: fixed, which lets ranges be built without a date library. */
export const DISPLAY_OFFSET = '+07:00';
const OFFSET_MS = 7 * 3600_000;

const partsFormat = new Intl.DateTimeFormat('en-GB', {
  timeZone: DISPLAY_TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  weekday: 'short',
  hourCycle: 'h23',
});

export interface LocalParts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
  /** 0 = Monday … 6 = Sunday */
  weekday: number;
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

function toDate(t: string | number | Date): Date {
  return t instanceof Date ? t : new Date(t);
}

/** The wall-clock parts of a moment in Asia/Ho_Chi_Minh. */
export function localParts(t: string | number | Date): LocalParts {
  const out: Record<string, string> = {};
  for (const p of partsFormat.formatToParts(toDate(t))) out[p.type] = p.value;
  return {
    year: out.year ?? '',
    month: out.month ?? '',
    day: out.day ?? '',
    hour: out.hour === '24' ? '00' : (out.hour ?? ''),
    minute: out.minute ?? '',
    second: out.second ?? '',
    weekday: WEEKDAYS.indexOf(out.weekday ?? ''),
  };
}

function valid(t: string | number | Date | null | undefined): t is string | number | Date {
  return t !== null && t !== undefined && !Number.isNaN(toDate(t).getTime());
}

/** "00:30" */
export function formatTime(t: string | number | Date | null | undefined): string {
  if (!valid(t)) return '–';
  const p = localParts(t);
  return `${p.hour}:${p.minute}`;
}

/** "00:30:05" */
export function formatTimeSeconds(t: string | number | Date | null | undefined): string {
  if (!valid(t)) return '–';
  const p = localParts(t);
  return `${p.hour}:${p.minute}:${p.second}`;
}

/** "26/11" */
export function formatDate(t: string | number | Date | null | undefined): string {
  if (!valid(t)) return '–';
  const p = localParts(t);
  return `${p.day}/${p.month}`;
}

/** "00:30 26/11" */
export function formatDateTime(t: string | number | Date | null | undefined): string {
  if (!valid(t)) return '–';
  return `${formatTime(t)} ${formatDate(t)}`;
}

/** "26/11/2026" */
export function formatFullDate(t: string | number | Date | null | undefined): string {
  if (!valid(t)) return '–';
  const p = localParts(t);
  return `${p.day}/${p.month}/${p.year}`;
}

/** Local calendar date "2026-11-26" (for <input type="date">). */
export function localDateString(t: string | number | Date): string {
  const p = localParts(t);
  return `${p.year}-${p.month}-${p.day}`;
}

/** Local midnight of a calendar date "2026-11-26", as ISO 8601 with the zone's offset. */
export function localMidnightIso(date: string): string {
  return `${date}T00:00:00${DISPLAY_OFFSET}`;
}

/** The calendar date `days` after `date` (both "YYYY-MM-DD"). */
export function addDays(date: string, days: number): string {
  const ms = Date.parse(`${date}T00:00:00Z`) + days * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

/** Local hour of day (0–23) of a moment. */
export function localHour(t: string | number | Date): number {
  return Math.floor(((toDate(t).getTime() + OFFSET_MS) % 86_400_000 + 86_400_000) % 86_400_000 / 3600_000);
}

const UNITS: Record<Lang, { h: string; min: string; s: string }> = {
  vi: { h: 'giờ', min: 'phút', s: 'giây' },
  en: { h: 'h', min: 'min', s: 's' },
};

/**
 * A duration in words: "1 giờ 5 phút" / "1 h 5 min"; under a minute "45 giây" / "45 s";
 * rounded to the minute from one minute on. null (nothing known) is a dash.
 */
export function formatDuration(seconds: number | null | undefined, lang: Lang): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '–';
  const u = UNITS[lang];
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} ${u.s}`;
  const totalMin = Math.round(s / 60);
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  if (h === 0) return `${m} ${u.min}`;
  if (m === 0) return `${h} ${u.h}`;
  return `${h} ${u.h} ${m} ${u.min}`;
}

/** Minutes, for chart axes: wait seconds → whole minutes. */
export const toMinutes = (s: number | null | undefined): number | null =>
  s === null || s === undefined ? null : Math.round(s / 6) / 10;

const TICK_STEPS_MIN = [1, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];

/**
 * Axis ticks on round local times within [min, max] (ms): the smallest step of 1 min … 1 day
 * that gives at most `maxTicks`. The zone is a whole-hour offset, so round UTC minutes and
 * hours are round local ones too (longer steps are shifted to local time).
 */
export function timeTicks(min: number, max: number, maxTicks = 8): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max) || max <= min) return [];
  const span = max - min;
  const stepMin = TICK_STEPS_MIN.find((s) => span / (s * 60_000) <= maxTicks) ?? 1440;
  const step = stepMin * 60_000;
  const shift = stepMin > 60 ? OFFSET_MS : 0;
  const out: number[] = [];
  for (let t = Math.ceil((min + shift) / step) * step - shift; t <= max; t += step) out.push(t);
  return out;
}
