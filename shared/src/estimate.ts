/**
 * Wait estimate for a unit joining a lane now (docs/interfaces.md, "Wait estimate").
 *
 * Little's law for the queue ahead: with L units waiting and the gate serving μ units per
 * second (measured over a recent window), the newcomer waits about L / μ. When the gate has
 * served too few units in the window to measure μ, the estimate falls back to the recent
 * observed waits (their median), then to a configured service time per unit. Pure: the same
 * input gives the same estimate on the edge, in the backfill and in the dashboard.
 *
 * Robust to what live data brings: departures need not be sorted, non-finite values are
 * ignored, negative waits (clock skew between cameras) count as 0, and the result is never
 * negative. Rounded to 0.1 s.
 */
export interface WaitEstimateInput {
  /** Units in the queue now (joined, not yet at the gate). */
  queueLength: number;
  /** Times (ms) at which units left this lane's queue for the gate; only those within the window count. Any order. */
  departuresMs: readonly number[];
  /** Waits (s) of the units that reached the gate within the window. */
  recentWaitsS: readonly number[];
  nowMs: number;
  windowMs: number;
  /** Seconds per unit when nothing was measured yet (site config). */
  defaultServiceS: number;
}

/** Departures needed before the measured service rate is trusted. */
export const MIN_DEPARTURES_FOR_RATE = 3;

export function estimateWaitS(input: WaitEstimateInput): number {
  const { queueLength, departuresMs, recentWaitsS, nowMs, windowMs, defaultServiceS } = input;
  if (!(queueLength > 0) || !Number.isFinite(queueLength)) return 0;
  const recent = departuresMs.filter((t) => Number.isFinite(t) && t > nowMs - windowMs && t <= nowMs);
  if (recent.length >= MIN_DEPARTURES_FOR_RATE) {
    // Span from the oldest departure in the window to now, so that a gate that stopped serving
    // a while ago shows a falling rate rather than the rate of its last burst.
    const oldest = recent.reduce((a, b) => Math.min(a, b));
    const spanS = Math.max((nowMs - oldest) / 1000, 1);
    const rate = recent.length / spanS;
    return round1(queueLength / rate);
  }
  const waits = recentWaitsS.filter((w) => Number.isFinite(w)).map((w) => Math.max(0, w));
  if (waits.length > 0) return round1(median(waits));
  return round1(queueLength * Math.max(0, Number.isFinite(defaultServiceS) ? defaultServiceS : 0));
}

/** Median; the mean of the two middle values for an even count. */
function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Rounds to 0.1, never returning -0. */
const round1 = (x: number): number => Math.round(x * 10) / 10 + 0;
