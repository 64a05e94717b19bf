/**
 * Named constants of the clearance core: matching windows and memory bounds. Every bound is
 * enforced deterministically (oldest first), so that a replay hits it at the same input.
 */

/** A weighing and a gate time match when at most this far apart (ms). */
export const WEIGHT_MATCH_MS = 5 * 60_000;

/** Seen input ids kept at most (oldest evicted first). Time-based pruning keeps far fewer. */
export const MAX_SEEN_IDS = 2_000_000;

/** Units between queue and exit at most; a sighting of a further unit is refused and counted. */
export const MAX_OPEN_UNITS = 200_000;

/** Written units remembered (for late inputs and next visits) at most. */
export const MAX_WRITTEN_UNITS = 1_000_000;

/** Decisions kept per unit (open visit or waiting for one); the oldest applied is dropped. */
export const MAX_DECISIONS_PER_UNIT = 32;

/** Units with decisions waiting for them to be seen, at most. */
export const MAX_PENDING_DECISION_UNITS = 200_000;

/** Declaration → unit mappings kept at most. */
export const MAX_DECLARATIONS = 200_000;

/** Declaration scans waiting for their decision, at most (all lanes). */
export const MAX_PENDING_SCANS = 10_000;

/** Weighings waiting for a unit, per lane. */
export const MAX_PENDING_WEIGHTS_PER_LANE = 16;

/** Sightings stamped after a held unit's exit, kept for its next visit, per unit. */
export const MAX_DEFERRED_PER_UNIT = 32;

/** Unclaimed exit-loop edges and unmatched exit-camera readings kept per lane. */
export const MAX_EXIT_MARKS_PER_LANE = 1_000;

/** Entries (what was known of a unit, from when) kept per lane for the wait estimate; oldest out. */
export const MAX_ESTIMATE_ENTRIES_PER_LANE = 100_000;

/** Cleared units of a lane the wait estimate learns from: those that left in this span before now. */
export const ESTIMATE_HISTORY_MS = 24 * 3600_000;

/** Queue interval boundaries emitted by one tick at most; the rest are skipped and counted. */
export const MAX_BOUNDARIES_PER_TICK = 360;

/**
 * How long a (series, millisecond) entry of the nudge table is kept after it was last used,
 * measured on the tick clock. See NudgeTable for why this is safe.
 */
export const NUDGE_RETENTION_MS = 60 * 60_000;

/** Entries of the nudge table at most (oldest used evicted first). */
export const MAX_NUDGE_ENTRIES = 1_000_000;
