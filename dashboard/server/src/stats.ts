/** Small statistics shared by the history and public answers. */

/** Asia/Ho_Chi_Minh is UTC+7 all year: local time is UTC shifted, no zone database needed. */
export const LOCAL_OFFSET_MS = 7 * 3600_000;
export const HOUR_MS = 3600_000;

/** Local weekday (0 = Monday … 6 = Sunday) and hour of a UTC instant. */
export function localHourOfWeek(ms: number): { weekday: number; hour: number } {
  const local = new Date(ms + LOCAL_OFFSET_MS);
  return { weekday: (local.getUTCDay() + 6) % 7, hour: local.getUTCHours() };
}

/** Median: the middle value, or the mean of the two middle ones. null for no values. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile (as InfluxDB's percentile()): the smallest value with at least p % at or below it. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[rank - 1]!;
}

export const round1 = (x: number): number => Math.round(x * 10) / 10;
