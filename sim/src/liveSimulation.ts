/**
 * What the simulated devices of a crossing send from a moment on: the run command's live
 * corridor, and the history's replay, are the same simulation (same seed, traffic seeded by
 * local day), so that history and live are one traffic.
 */
import type { DeviceEmission } from './backfill.js';
import { DAY_MS, localMidnight, simulate, type CrossingId, type SimItem, type TruthItem } from './corridor/index.js';

/** The device emissions of a simulation; its truth records go to `onTruth`. */
export function* deviceEmissions(items: Iterable<SimItem>, onTruth?: (item: TruthItem) => void): Iterable<DeviceEmission> {
  for (const item of items) {
    if (item.kind === 'truth') onTruth?.(item);
    else yield item;
  }
}

export interface LiveSimulationOptions {
  crossing: CrossingId;
  seed: number;
  /** The moment it plays from (epoch ms): the run's hand-over from the history, or the moment a simulator started again. */
  fromMs: number;
  onTruth?: (item: TruthItem) => void;
}

/**
 * The emissions of a crossing from `fromMs` on. The simulation starts at the local midnight of
 * the day before, unseen, so that the queues, trains and inspections in progress at `fromMs`
 * are there. Since traffic is a function of the seed and the local day, a simulator started
 * again later from its own start time plays on the same traffic as the one before it; what fell
 * in between was never sent, as when real devices are down.
 */
export function liveEmissions(opts: LiveSimulationOptions): Iterable<DeviceEmission> {
  const { crossing, seed, fromMs, onTruth } = opts;
  const items = simulate({ crossing, seed, fromMs: localMidnight(fromMs) - DAY_MS, toMs: Infinity });
  return deviceEmissions(from(fromMs, items), onTruth);
}

/** The items of a simulation from `t` on. */
function* from(t: number, items: Iterable<SimItem>): Iterable<SimItem> {
  for (const item of items) if (item.at >= t) yield item;
}
