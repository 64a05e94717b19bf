/**
 * Wait estimate for a unit joining a lane now (docs/interfaces.md, "Wait estimate").
 *
 * Little's law for the queue ahead: with L units waiting and the gate serving μ units per
 * second (measured over a recent window), the newcomer waits about L / μ. When the gate has
 * served too few units in the window to measure μ, the estimate falls back to the recent
 * observed waits, then to a configured service time per unit. Pure: the same input gives the
 * same estimate on the edge, in the backfill and in the dashboard.
 */
export interface WaitEstimateInput {
  /** Units in the queue now (joined, not yet at the gate). */
  queueLength: number;
  /** Times (ms) at which units left this lane's queue for the gate, within the window, oldest first. */
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
  if (queueLength <= 0) return 0;
  const recent = departuresMs.filter((t) => t > nowMs - windowMs && t <= nowMs);
  if (recent.length >= MIN_DEPARTURES_FOR_RATE) {
    // Span from the first departure to now, so that a gate that stopped serving a while ago
    // shows a falling rate rather than the rate of its last burst.
    const spanS = Math.max((nowMs - recent[0]!) / 1000, 1);
    const rate = recent.length / spanS;
    return round1(queueLength / rate);
  }
  if (recentWaitsS.length > 0) {
    const sorted = [...recentWaitsS].sort((a, b) => a - b);
    return round1(sorted[Math.floor(sorted.length / 2)]!);
  }
  return round1(queueLength * defaultServiceS);
}

const round1 = (x: number): number => Math.round(x * 10) / 10;
