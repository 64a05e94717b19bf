/**
 * Opening hours of a crossing or a lane, in the corridor's local time (Asia/Ho_Chi_Minh, UTC+7
 * all year): whether it is open at an instant, when it closes, and when it opens next. A site
 * without hours is open round the clock (a port gate, a station's tracks).
 */

/** Local time is UTC shifted by seven hours: no daylight saving, no zone database needed. */
const LOCAL_OFFSET_MS = 7 * 3_600_000;
const DAY_MS = 86_400_000;
const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$|^24:00$/;

/**
 * One rule: open on `days` (1 = Monday … 7 = Sunday; every day when absent) from `open` to
 * `close`, local 'HH:MM'. A close at or before the open runs past midnight into the next day;
 * '00:00' to '24:00' is the whole day.
 */
export interface OpeningHours {
  days?: readonly number[];
  open: string;
  close: string;
}

export interface Opening {
  open: boolean;
  /** When it closes (open) — undefined when it does not within a week. */
  closesAtMs?: number;
  /** When it opens next (closed) — undefined when it does not within a week. */
  opensAtMs?: number;
}

/** What is wrong with a rule, naming the field, or undefined: config validation uses it. */
export function hoursProblem(h: OpeningHours): string | undefined {
  if (!HHMM.test(h.open) || h.open === '24:00') return `open: expected a local time 'HH:MM' from 00:00 to 23:59 (is '${h.open}')`;
  if (!HHMM.test(h.close)) return `close: expected a local time 'HH:MM' from 00:00 to 24:00 (is '${h.close}')`;
  if (h.days !== undefined && (h.days.length === 0 || h.days.some((d) => !Number.isInteger(d) || d < 1 || d > 7))) return 'days: expected weekdays 1 (Monday) to 7 (Sunday)';
  return undefined;
}

const minutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** The intervals [start, end) in UTC ms that the rules open, for the local days from `firstDay` on (`count` of them). */
function intervals(hours: readonly OpeningHours[], firstDayMs: number, count: number): [number, number][] {
  const out: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    const localMidnight = firstDayMs + i * DAY_MS;
    // Local weekday of that day: 1970-01-01 was a Thursday (4).
    const weekday = ((Math.floor(localMidnight / DAY_MS) + 3) % 7) + 1;
    for (const h of hours) {
      if (h.days && !h.days.includes(weekday)) continue;
      const open = minutes(h.open);
      let close = minutes(h.close);
      if (close <= open) close += 24 * 60;
      out.push([localMidnight + open * 60_000 - LOCAL_OFFSET_MS, localMidnight + close * 60_000 - LOCAL_OFFSET_MS]);
    }
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/** Whether the hours have it open at `nowMs`, and its next change. No hours: always open. */
export function openingAt(hours: readonly OpeningHours[] | undefined, nowMs: number): Opening {
  if (hours === undefined || hours.length === 0) return { open: true };
  // From the day before (a night's hours reach into today) to a week ahead.
  const today = Math.floor((nowMs + LOCAL_OFFSET_MS) / DAY_MS) * DAY_MS;
  const spans = intervals(hours, today - DAY_MS, 9);
  // Touching or overlapping intervals are one opening (open 07:00–12:00 and 12:00–22:00).
  const merged: [number, number][] = [];
  for (const [s, e] of spans) {
    const last = merged.at(-1);
    if (last && s <= last[1]) last[1] = Math.max(last[1], e);
    else merged.push([s, e]);
  }
  const current = merged.find(([s, e]) => s <= nowMs && nowMs < e);
  if (current) return current[1] - nowMs > 7 * DAY_MS ? { open: true } : { open: true, closesAtMs: current[1] };
  const next = merged.find(([s]) => s > nowMs);
  return next ? { open: false, opensAtMs: next[0] } : { open: false };
}
