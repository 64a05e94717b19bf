import type { CoreConfig } from '../core/tracker.js';
import type { SiteConfig } from './types.js';

/** What the clearance core needs of a site: the same for the live agent and the backfill's replay. */
export function coreConfigOf(config: SiteConfig): CoreConfig {
  // Lanes whose induction loops a gate controller reports count their queue from the loops;
  // the others from the cameras (a lane without loops must not read as an empty queue).
  const loopLanes = new Set<string>();
  for (const d of config.devices.serial) {
    if (d.kind === 'gate-controller') for (const l of d.lanes ?? config.lanes.map((x) => x.id)) loopLanes.add(l);
  }
  return {
    checkpoint: config.checkpoint.id,
    lanes: config.lanes,
    latenessWindowMs: config.clearance.latenessWindowMs,
    unitTimeoutMs: config.clearance.unitTimeoutMs,
    queueIntervalMs: config.clearance.queueIntervalMs,
    estimateWindowMs: config.clearance.estimateWindowMs,
    lanesWithLoops: [...loopLanes],
    lanesExitingInAnyOrder: config.lanes.filter((l) => l.exitOrder === 'any').map((l) => l.id),
  };
}
