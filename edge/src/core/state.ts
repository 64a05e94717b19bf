/**
 * The state of the clearance core and its JSON form. Everything here is plain data: the
 * snapshot is what JSON.stringify makes of it, and restoring it gives a core that behaves
 * exactly like the one that was snapshotted (maps are rebuilt in the same order).
 */
import type { Channel, Point, UnitKind } from '@gatewatch/shared';
import type { LaneStatsSnapshot } from './laneStats.js';
import type { NudgeSnapshot } from './nudge.js';
import type { SeenIdsSnapshot } from './seenIds.js';

/** 2: lanes keep the units the wait estimate sees (LaneStatsSnapshot.units), visits their estLane. */
export const SNAPSHOT_VERSION = 2;

export interface Stage {
  ts: number;
  lane: string;
}

export interface DecisionRec {
  ts: number;
  rx: number;
  channel: Channel;
  /** Application order: of two decisions stamped in the same ms, the later applied wins. */
  order: number;
}

/** A sighting as the core applies it (cameras, the scanner, a resolved declaration scan). */
export interface Sighting {
  ts: number;
  rx: number;
  lane: string;
  point: Point;
  unit: string;
  kind?: UnitKind;
  source: 'camera' | 'scanner';
}

/** One visit of a unit: from its first input to its clearance (or timeout). */
export interface Visit {
  visit: number;
  unit: string;
  kind?: UnitKind;
  queue?: Stage;
  gate?: Stage;
  exit?: Stage;
  /** Reception time of the input that first gave this visit an exit: the release is due at exitRx + latenessWindowMs. */
  exitRx?: number;
  /** This visit's exit already claimed (or was given by) an exit-loop edge. */
  exitClaimed?: true;
  lastRx: number;
  /** Order and lane of the latest gate sighting (weighings go to the unit most recently sighted at a gate). */
  gateSeq?: number;
  gateLane?: string;
  weightKg?: number;
  decisions: DecisionRec[];
  /** Sightings stamped after the exit while the visit was held: applied as the next visit once this one is written. */
  deferred: Sighting[];
  /** Lane whose queue this visit joined (counted by sightings), once seen at queue. */
  queueLane?: string;
  /** Counted in queueLane's length now. */
  inQueue?: true;
  /** Lane whose wait estimate knows this visit. */
  estLane?: string;
}

export interface Written {
  /** The written exit (or timeout) time: inputs stamped at or before it are late. */
  exitTs: number;
  /** Tick time of the write. */
  at: number;
}

export interface PendingScan {
  ts: number;
  rx: number;
  lane: string;
}

export interface PendingWeight {
  ts: number;
  rx: number;
  kg: number;
}

/** An unclaimed exit-loop edge, or an exit-camera reading that found no edge (yet). */
export interface ExitMark {
  ts: number;
  rx: number;
  seq: number;
}

export interface CoreCounters {
  /** Inputs applied (ticks not included), repeats not included. */
  inputs: number;
  ticks: number;
  /** Inputs with a repeated id. */
  duplicates: number;
  /** Inputs with a non-finite or fractional ts/rx/now. */
  invalid: number;
  /** Inputs about a written unit stamped at or before its written exit. */
  lateAfterWrite: number;
  /** Decisions stamped after the exit of the visit they arrived for. */
  decisionsAfterExit: number;
  /** Decisions that waited for their unit longer than the unit timeout. */
  decisionsExpired: number;
  /** The same stage seen again, not earlier: the first time stays. */
  stageRepeats: number;
  /** Ticks that held releases because inputs may still be on their way (broker link). */
  heldTicks: number;
  /** Sightings stamped after a held unit's exit, kept for its next visit. */
  deferredToNextVisit: number;
  released: number;
  timeouts: number;
  /** Units not opened because MAX_OPEN_UNITS were open. */
  unitsRefused: number;
  declarationScansResolved: number;
  declarationScansPending: number;
  declarationScansExpired: number;
  weightsAssigned: number;
  weightsPending: number;
  /** Weighings no unit took within WEIGHT_MATCH_MS, or pushed out of a full lane list. */
  weightsDropped: number;
  /** Exit-loop edges claimed by an exit camera reading. */
  exitLoopsClaimed: number;
  /** Exit-loop edges that became a unit's exit by the FIFO rule. */
  exitLoopsFifo: number;
  /** Exit-loop edges with neither a camera reading nor a unit at the gate. */
  exitLoopsUnmatched: number;
  /** Exit-loop edges no camera reading claimed on lanes whose units leave in any order: given to no unit. */
  exitLoopsUnassigned: number;
  /** Loop edges of queue/gate on lanes whose counts come from sightings. */
  loopsIgnored: number;
  /** Sightings on lanes that are not configured (followed, but not counted in queue records). */
  unknownLane: number;
  seenIdsEvicted: number;
  queueRecords: number;
  queueBoundariesSkipped: number;
  /** Entries dropped at a memory bound (other than seen ids). */
  boundDrops: number;
}

export const zeroCounters = (): CoreCounters => ({
  inputs: 0,
  ticks: 0,
  duplicates: 0,
  invalid: 0,
  lateAfterWrite: 0,
  decisionsAfterExit: 0,
  decisionsExpired: 0,
  stageRepeats: 0,
  heldTicks: 0,
  deferredToNextVisit: 0,
  released: 0,
  timeouts: 0,
  unitsRefused: 0,
  declarationScansResolved: 0,
  declarationScansPending: 0,
  declarationScansExpired: 0,
  weightsAssigned: 0,
  weightsPending: 0,
  weightsDropped: 0,
  exitLoopsClaimed: 0,
  exitLoopsFifo: 0,
  exitLoopsUnmatched: 0,
  exitLoopsUnassigned: 0,
  loopsIgnored: 0,
  unknownLane: 0,
  seenIdsEvicted: 0,
  queueRecords: 0,
  queueBoundariesSkipped: 0,
  boundDrops: 0,
});

/** JSON form of the core. Maps are lists of [key, value] in map order. */
export interface CoreSnapshot {
  version: typeof SNAPSHOT_VERSION;
  checkpoint: string;
  emitSeq: number;
  /** Counter behind visit numbers. */
  visitSeq: number;
  /** Counter behind decision and gate-sighting order and exit marks. */
  seq: number;
  /** Latest time seen (tick now or input rx); null before the first. */
  clock: number | null;
  /** End of the open queue interval; null before the first time was seen. */
  nextBoundary: number | null;
  seen: SeenIdsSnapshot;
  units: Visit[];
  written: [string, Written][];
  pendingDecisions: [string, DecisionRec[]][];
  declarations: [string, { unit: string; rx: number }][];
  pendingScans: [string, PendingScan[]][];
  pendingWeights: [string, PendingWeight[]][];
  exitEdges: [string, ExitMark[]][];
  exitReadings: [string, ExitMark[]][];
  lanes: [string, LaneStatsSnapshot][];
  nudges: NudgeSnapshot;
  counters: CoreCounters;
}
