/**
 * The clearance core: follows units from queue to gate to exit and makes the `clearance` and
 * `queue` records. Pure: no I/O, no timers, no Date.now(). Its output is a function of
 * (config, snapshot, inputs in order) only, so a replay of the journal after a crash emits the
 * same records with the same emitSeq and the same nanosecond times. Ticks (`now`) are inputs
 * like any other; all emissions happen on ticks.
 *
 * Times: `ts` is when it happened (stamped), `rx` when the edge received it, `now` a tick's
 * wall clock. W = latenessWindowMs, T = unitTimeoutMs, I = queueIntervalMs.
 *
 *  1. Identity. A unit is its text, verbatim. A sighting (camera at queue/gate/exit; the booth
 *     scanner is a gate sighting) sets the unit's time at that stage; the same stage seen
 *     again keeps the EARLIEST time (and, for the exit, the lane of that earliest sighting).
 *     A repeated input `id` (any type) is ignored, also after the unit was written, while the
 *     repeat is received at most W + T after the first (bounded: MAX_SEEN_IDS, oldest out).
 *  2. `lane` of a clearance = lane of its exit; `kind` = kind of the first camera sighting of
 *     the visit, `truck` when no camera saw it (scanner and loops only).
 *  3. Channel: the latest-stamped decision stamped at or before the exit wins (same ms: the
 *     later applied); also when it arrives after the exit, within the hold. A decision stamped
 *     after the exit does not apply to that visit: it is counted (decisionsAfterExit) and
 *     waits for the unit's next visit. Decisions for a unit with no open visit wait for it
 *     (used by a visit opened at most T after they were received). `unknown` when none.
 *     A decision with a declaration maps that declaration to its unit (kept T). A declaration
 *     scan at a lane's gate is a scanner gate sighting of the mapped unit at the scan's ts.
 *     When no decision named the declaration yet, the scan waits (up to T after its rx) and is
 *     applied when such a decision arrives, as if received with that decision.
 *  4. Weight. A weighing on lane L goes to the unit most recently sighted (in input order) at
 *     a gate, on L, without an exit, whose gate time is within WEIGHT_MATCH_MS of the weighing.
 *     If there is none, or that unit already has a weight (one per unit, first wins: a second
 *     weighing is taken to be the next vehicle), the weighing waits on L and goes to the next
 *     unit sighted at L's gate within WEIGHT_MATCH_MS of it (oldest waiting weighing first;
 *     waits at most WEIGHT_MATCH_MS + W after its rx).
 *  5. Hold. Once a visit has an exit, it is held until a tick with now >= exitRx + W, exitRx
 *     being the rx of the input that first gave it an exit (an earlier exit seen later moves
 *     the exit time, not the hold). Inputs stamped at or before the exit still count while
 *     held. Sightings stamped after the exit of a held visit are kept and applied, in order,
 *     as the unit's next visit once this one is written (an exit sighting stamped after the
 *     exit is the same stage seen again). After the write, inputs about the unit stamped at
 *     or before the written exit are ignored and counted (lateAfterWrite), while received
 *     within W + T of the write; inputs stamped after it start a new visit.
 *  6. Fields: wait_s = gate − queue, process_s = exit − gate, total_s = exit − queue (seconds,
 *     ms precision); a field whose stage was never seen is left out. weight_kg when weighed.
 *     time = exit time.
 *  7. Timeout: a visit without exit whose latest input was received T or more before a tick's
 *     now is written with outcome `timeout`, time = its latest stage ts + T, lane = lane of
 *     that stage (gate when queue and gate have the same ts). Its written "exit" (for 5.) is
 *     that time; its channel uses decisions stamped at or before that time.
 *  8. Nudges: timeNs = msToNs(ms, n), n = clearances of the same tags already emitted in that
 *     ms (NudgeTable: entries live an hour after last use). Queue records need none: one per
 *     lane and boundary.
 *  9. Queue counts. On lanes in lanesWithLoops: a queue-loop edge is an arrival, a gate-loop
 *     edge a departure (departure time = edge ts); length += 1 / −1, never below 0. Other
 *     lanes count sightings: a visit first seen at queue is an arrival on that queue's lane;
 *     it departs when it is first seen at gate or exit after that (departure time = its gate
 *     time, else exit time; a queue sighting arriving after the gate counts as arrival and
 *     departure at once); length = visits in the queue stage now (a timeout leaves it).
 *     FIFO rule for lanes without an exit camera: an exit-loop edge on lane L that no exit
 *     camera reading on L claims becomes, at the first tick with now >= edge rx + W, the exit
 *     (time = edge ts, exitRx = edge rx) of the unit that has been at L's gate longest
 *     (earliest gate time, gate time <= edge ts, latest gate sighting on L) without an exit.
 *     A reading claims the closest edge (|ts diff| <= W, received less than W apart, tie:
 *     older edge), whichever arrives first; each visit's first camera exit claims once.
 *     Lanes in lanesExitingInAnyOrder (exitOrder 'any': units leave out of order, e.g. red ones
 *     through an inspection yard) have no FIFO rule: at that tick the unclaimed edge is counted
 *     (exitLoopsUnassigned) and given to no unit.
 * 10. Queue records: intervals are [k·I, (k+1)·I) since the epoch. Arrivals and departures
 *     count in the interval containing the rx of the input that caused them; length is the
 *     length after the last input received in the interval; wait_estimate_s = estimateWaitS
 *     at the boundary with that length and the lane's units (stage times and channel, lane:
 *     where the visit joined, else its gate's, else its exit's; units cleared in the last
 *     ESTIMATE_HISTORY_MS, open ones received within T) as they were known before the
 *     boundary; exits given by the FIFO rule do not count there. So records do not depend on
 *     the tick rate, except that a timeout leaves the queue in the interval of the tick that
 *     times it out (and a held unit's next visit counts from when the release applies it). A tick
 *     at or past a boundary emits a record per configured lane (config order) for every
 *     boundary up to now, at most MAX_BOUNDARIES_PER_TICK (earliest first; the rest are
 *     skipped, counted, and their counts dropped). The first interval is the one containing
 *     the first time the core sees (input rx or tick now).
 * 11. emitSeq: +1 per emission, in the snapshot.
 * 12. On a tick, in this order: queue boundaries, exit-loop edges due (FIFO), releases due
 *     (ordered by exitRx, then visit), timeouts due (by latest rx, then visit), pruning. Every
 *     "kept for X" rule is checked when an input uses the entry (by that input's rx), and
 *     pruning on ticks uses the same rule, so the tick rate changes when things are written,
 *     not what: the only exception is an input received after its unit's release (or
 *     timeout, or exit-loop resolution) fell due but before the tick that performs it; it
 *     still counts, as rule 5 says.
 *
 * Nothing here reads a clock: `now` comes from ticks only, the live views use the latest time
 * seen in inputs.
 */
import { msToNs, secondsBetween, type Channel, type ClearanceRecord, type QueueRecord, type UnitKind } from '@gatewatch/shared';
import type { LaneConfig } from '../config/types.js';
import type { CoreInput, DecisionInput, DeclarationScanInput, LoopInput, SightingInput, WeightInput } from './inputs.js';
import { LaneStats, type LaneSettings } from './laneStats.js';
import {
  MAX_BOUNDARIES_PER_TICK,
  MAX_DECISIONS_PER_UNIT,
  MAX_DECLARATIONS,
  MAX_DEFERRED_PER_UNIT,
  MAX_EXIT_MARKS_PER_LANE,
  MAX_NUDGE_ENTRIES,
  MAX_OPEN_UNITS,
  MAX_PENDING_DECISION_UNITS,
  MAX_PENDING_SCANS,
  MAX_PENDING_WEIGHTS_PER_LANE,
  MAX_SEEN_IDS,
  MAX_WRITTEN_UNITS,
  NUDGE_RETENTION_MS,
  WEIGHT_MATCH_MS,
} from './limits.js';
import { NudgeTable } from './nudge.js';
import { SeenIds } from './seenIds.js';
import {
  SNAPSHOT_VERSION,
  zeroCounters,
  type CoreCounters,
  type CoreSnapshot,
  type DecisionRec,
  type ExitMark,
  type PendingScan,
  type PendingWeight,
  type Sighting,
  type Stage,
  type Visit,
  type Written,
} from './state.js';

export interface CoreConfig {
  checkpoint: string;
  lanes: readonly LaneConfig[];
  latenessWindowMs: number;
  unitTimeoutMs: number;
  queueIntervalMs: number;
  estimateWindowMs: number;
  /** Lanes whose queue counts come from induction loops. */
  lanesWithLoops: readonly string[];
  /** Lanes whose units may leave out of order (exitOrder 'any'): no FIFO rule on their exit loops. Default none. */
  lanesExitingInAnyOrder?: readonly string[];
  /** Bound of the seen-id memory (default MAX_SEEN_IDS); lowered in tests. */
  maxSeenIds?: number;
}

export type Emission =
  | { emitSeq: number; measurement: 'clearance'; record: ClearanceRecord }
  | { emitSeq: number; measurement: 'queue'; record: QueueRecord };

/** A unit now between queue and exit (dashboard). */
export interface OpenUnitView {
  unit: string;
  /** Lane of its latest stage. */
  lane: string;
  kind: UnitKind;
  /** The channel it would be written with now. */
  channel: Channel | 'unknown';
  queueMs?: number;
  gateMs?: number;
  exitMs?: number;
  weightKg?: number;
  /** Has an exit and waits for the lateness window to pass. */
  held: boolean;
}

export interface LaneView {
  length: number;
  waitEstimateS: number;
}

/** Sizes of the core's memory, for logs. */
export interface CoreGauges {
  openUnits: number;
  seenIds: number;
  writtenUnits: number;
  pendingDecisionUnits: number;
  pendingScans: number;
  nudgeEntries: number;
}

type Out = Emission[];

const isTime = (t: unknown): t is number => typeof t === 'number' && Number.isSafeInteger(t);

export class ClearanceCore {
  private readonly W: number;
  private readonly T: number;
  private readonly I: number;
  private readonly idRetentionMs: number;
  private readonly weightRetentionMs: number;
  private readonly loopLanes: ReadonlySet<string>;
  private readonly anyOrderLanes: ReadonlySet<string>;
  private readonly laneIds: readonly string[];

  private emitSeq = 0;
  private visitSeq = 0;
  private seq = 0;
  private clock: number | null = null;
  private nextBoundary: number | null = null;
  private seen: SeenIds;
  private units = new Map<string, Visit>();
  private written = new Map<string, Written>();
  private pendingDecisions = new Map<string, DecisionRec[]>();
  private declarations = new Map<string, { unit: string; rx: number }>();
  private pendingScans = new Map<string, PendingScan[]>();
  private pendingWeights = new Map<string, PendingWeight[]>();
  private exitEdges = new Map<string, ExitMark[]>();
  private exitReadings = new Map<string, ExitMark[]>();
  private lanes = new Map<string, LaneStats>();
  private nudges: NudgeTable;
  private c: CoreCounters = zeroCounters();

  constructor(
    private readonly config: CoreConfig,
    snapshot?: CoreSnapshot,
  ) {
    const { latenessWindowMs: W, unitTimeoutMs: T, queueIntervalMs: I, estimateWindowMs } = config;
    for (const [name, v, min] of [['latenessWindowMs', W, 0], ['unitTimeoutMs', T, 1], ['queueIntervalMs', I, 1], ['estimateWindowMs', estimateWindowMs, 1]] as const) {
      if (!Number.isSafeInteger(v) || v < min) throw new RangeError(`core config: ${name} must be an integer >= ${min} (is ${v})`);
    }
    this.W = W;
    this.T = T;
    this.I = I;
    this.idRetentionMs = W + T;
    this.weightRetentionMs = WEIGHT_MATCH_MS + W;
    this.loopLanes = new Set(config.lanesWithLoops);
    this.anyOrderLanes = new Set(config.lanesExitingInAnyOrder ?? []);
    this.laneIds = config.lanes.map((l) => l.id);
    this.seen = new SeenIds(this.idRetentionMs, config.maxSeenIds ?? MAX_SEEN_IDS);
    this.nudges = new NudgeTable(NUDGE_RETENTION_MS, MAX_NUDGE_ENTRIES);
    for (const l of config.lanes) this.lanes.set(l.id, new LaneStats(this.laneSettings(l)));
    if (snapshot !== undefined && snapshot !== null) this.restore(snapshot);
  }

  private laneSettings(l: LaneConfig): LaneSettings {
    const { queueIntervalMs, unitTimeoutMs } = this.config;
    return { intervalMs: queueIntervalMs, unitTimeoutMs, defaultServiceS: l.defaultServiceS, service: l.service ?? 'unit' };
  }

  // ---------------------------------------------------------------- inputs

  apply(input: CoreInput): Emission[] {
    if (input.type === 'tick') return this.tick(input.now, input.hold === true);
    if (!isTime(input.ts) || !isTime(input.rx)) {
      this.c.invalid++;
      return [];
    }
    this.observe(input.rx);
    if (this.seen.check(input.id, input.rx)) {
      this.c.duplicates++;
      return [];
    }
    this.c.inputs++;
    switch (input.type) {
      case 'sighting':
        this.sighting(input);
        break;
      case 'decision':
        this.decision(input);
        break;
      case 'declarationScan':
        this.declarationScan(input);
        break;
      case 'loop':
        this.loop(input);
        break;
      case 'weight':
        this.weight(input);
        break;
      default: {
        const never: never = input;
        throw new Error(`unknown core input ${JSON.stringify(never)}`);
      }
    }
    return [];
  }

  private observe(t: number): void {
    if (this.clock === null || t > this.clock) this.clock = t;
    if (this.nextBoundary === null) this.nextBoundary = Math.floor(t / this.I) * this.I + this.I;
  }

  /** Start of the oldest interval without a record yet. */
  private openStart(): number {
    return (this.nextBoundary ?? 0) - this.I;
  }

  private sighting(input: SightingInput): void {
    const s: Sighting = { ts: input.ts, rx: input.rx, lane: input.lane, point: input.point, unit: input.unit, source: input.source };
    if (input.kind !== undefined) s.kind = input.kind;
    this.sight(s);
  }

  private sight(s: Sighting): void {
    if (!this.lanes.has(s.lane)) this.c.unknownLane++;
    if (this.isLate(s.unit, s.ts, s.rx)) {
      this.c.lateAfterWrite++;
      return;
    }
    let v = this.units.get(s.unit);
    if (v?.exit && s.ts > v.exit.ts) {
      if (s.point === 'exit') {
        this.c.stageRepeats++;
      } else if (v.deferred.length < MAX_DEFERRED_PER_UNIT) {
        v.deferred.push(s);
        this.c.deferredToNextVisit++;
      } else {
        this.c.boundDrops++;
      }
      return;
    }
    v ??= this.openVisit(s.unit, s.rx);
    if (!v) return;
    v.lastRx = Math.max(v.lastRx, s.rx);
    if (s.source === 'camera' && s.kind !== undefined && v.kind === undefined) v.kind = s.kind;
    const had = v[s.point];
    const earlier = had === undefined || s.ts < had.ts;
    if (earlier) v[s.point] = { ts: s.ts, lane: s.lane };
    if (had !== undefined) this.c.stageRepeats++;
    if (s.point === 'gate' && earlier) {
      // Only a sighting that sets the gate time says the unit is (or was first) at the gate: a
      // late repeat stamped later must not make an older truck "the one on the weighbridge".
      v.gateSeq = ++this.seq;
      v.gateLane = s.lane;
    } else if (s.point === 'exit') {
      v.exitRx ??= s.rx;
      if (s.source === 'camera' && !v.exitClaimed) {
        v.exitClaimed = true;
        this.exitReading(s.lane, s.ts, s.rx);
      }
    }
    this.stagesChanged(v, s.rx);
    this.estimateEntry(v, s.rx);
    if (s.point === 'gate') this.giveWaitingWeight(v, s.rx);
  }

  private openVisit(unit: string, rx: number): Visit | undefined {
    if (this.units.size >= MAX_OPEN_UNITS) {
      this.c.unitsRefused++;
      return undefined;
    }
    const v: Visit = { visit: ++this.visitSeq, unit, lastRx: rx, decisions: [], deferred: [] };
    const waiting = this.pendingDecisions.get(unit);
    if (waiting) {
      this.pendingDecisions.delete(unit);
      for (const d of waiting) {
        if (rx - d.rx <= this.T) v.decisions.push(d);
        else this.c.decisionsExpired++;
      }
    }
    this.units.set(unit, v);
    return v;
  }

  private isLate(unit: string, ts: number, rx: number): boolean {
    const w = this.written.get(unit);
    return w !== undefined && rx - w.at <= this.idRetentionMs && ts <= w.exitTs;
  }

  /** Lane stats counted by sightings (configured, no loops), else undefined. */
  private bySightings(lane: string): LaneStats | undefined {
    return this.loopLanes.has(lane) ? undefined : this.lanes.get(lane);
  }

  /** Queue counts and estimate entries after a visit's stages changed (rule 9). */
  private stagesChanged(v: Visit, rx: number): void {
    const q = v.queue;
    if (!q) return;
    const left = v.gate ?? v.exit;
    if (v.queueLane === undefined) {
      v.queueLane = q.lane;
      if (left === undefined) v.inQueue = true;
      this.bySightings(q.lane)?.count(rx, this.openStart(), { arrival: true, departure: left !== undefined, delta: left ? 0 : 1 });
    } else if (v.inQueue && left) {
      delete v.inQueue;
      this.bySightings(v.queueLane)?.count(rx, this.openStart(), { departure: true, delta: -1 });
    }
  }

  /**
   * What the wait estimate knows of the visit from rx on: its stage times and channel, on the
   * lane it joined (else the lane of its gate, else of its exit). Exits given at a tick by the
   * FIFO rule are not entered (their tick depends on the tick rate): the estimate takes a unit
   * at the gate for gone once a later one reached the gate.
   */
  private estimateEntry(v: Visit, rx: number): void {
    const lane = v.queue?.lane ?? v.gate?.lane ?? v.exit?.lane;
    if (v.estLane !== undefined && v.estLane !== lane) this.lanes.get(v.estLane)?.unit(v.visit, rx, { gone: true });
    if (lane === undefined) return;
    v.estLane = lane;
    const channel = pickChannel(v.decisions, v.exit?.ts ?? Infinity).channel;
    this.lanes.get(lane)?.unit(v.visit, rx, {
      ...(v.queue ? { q: v.queue.ts } : {}),
      ...(v.gate ? { g: v.gate.ts } : {}),
      ...(v.exit ? { x: v.exit.ts } : {}),
      ...(channel !== 'unknown' ? { ch: channel } : {}),
    });
  }

  private decision(input: DecisionInput): void {
    const { unit, ts, rx, declaration } = input;
    if (this.isLate(unit, ts, rx)) {
      this.c.lateAfterWrite++;
      return;
    }
    if (declaration !== undefined) {
      this.declarations.delete(declaration);
      this.declarations.set(declaration, { unit, rx });
      if (this.declarations.size > MAX_DECLARATIONS) this.evictOldest(this.declarations);
    }
    const d: DecisionRec = { ts, rx, channel: input.channel, order: ++this.seq };
    const v = this.units.get(unit);
    if (v?.exit && ts > v.exit.ts) {
      this.c.decisionsAfterExit++;
      this.waitForVisit(unit, [d]);
    } else if (v) {
      v.lastRx = Math.max(v.lastRx, rx);
      this.pushCapped(v.decisions, d);
      this.estimateEntry(v, rx);
    } else {
      this.waitForVisit(unit, [d]);
    }
    if (declaration === undefined) return;
    const scans = this.pendingScans.get(declaration);
    if (!scans) return;
    this.pendingScans.delete(declaration);
    for (const scan of scans) {
      if (rx - scan.rx > this.T) {
        this.c.declarationScansExpired++;
        continue;
      }
      this.c.declarationScansResolved++;
      this.sight({ ts: scan.ts, rx, lane: scan.lane, point: 'gate', unit, source: 'scanner' });
    }
  }

  private waitForVisit(unit: string, ds: readonly DecisionRec[]): void {
    let list = this.pendingDecisions.get(unit);
    if (!list) {
      list = [];
      this.pendingDecisions.set(unit, list);
      if (this.pendingDecisions.size > MAX_PENDING_DECISION_UNITS) this.evictOldest(this.pendingDecisions);
    }
    for (const d of ds) this.pushCapped(list, d);
  }

  private pushCapped(list: DecisionRec[], d: DecisionRec): void {
    list.push(d);
    if (list.length > MAX_DECISIONS_PER_UNIT) {
      list.shift();
      this.c.boundDrops++;
    }
  }

  private evictOldest(map: Map<string, unknown>): void {
    const first = map.keys().next();
    if (!first.done) map.delete(first.value);
    this.c.boundDrops++;
  }

  private declarationScan(input: DeclarationScanInput): void {
    const { declaration, ts, rx, lane } = input;
    const m = this.declarations.get(declaration);
    if (m && rx - m.rx <= this.T) {
      this.c.declarationScansResolved++;
      this.sight({ ts, rx, lane, point: 'gate', unit: m.unit, source: 'scanner' });
      return;
    }
    this.c.declarationScansPending++;
    let list = this.pendingScans.get(declaration);
    if (!list) {
      list = [];
      this.pendingScans.set(declaration, list);
      if (this.pendingScans.size > MAX_PENDING_SCANS) this.evictOldest(this.pendingScans);
    }
    list.push({ ts, rx, lane });
    if (list.length > MAX_DEFERRED_PER_UNIT) {
      list.shift();
      this.c.boundDrops++;
    }
  }

  private weight(input: WeightInput): void {
    const { lane, ts, rx, kg } = input;
    let best: Visit | undefined;
    for (const v of this.units.values()) {
      if (v.gateLane !== lane || v.exit || !v.gate || Math.abs(v.gate.ts - ts) > WEIGHT_MATCH_MS) continue;
      // The unit that reached the gate last is the one standing on the weighbridge.
      if (best === undefined || v.gate.ts > best.gate!.ts || (v.gate.ts === best.gate!.ts && (v.gateSeq ?? 0) > (best.gateSeq ?? 0))) best = v;
    }
    if (best && best.weightKg === undefined) {
      best.weightKg = kg;
      best.lastRx = Math.max(best.lastRx, rx);
      this.c.weightsAssigned++;
      return;
    }
    this.c.weightsPending++;
    let list = this.pendingWeights.get(lane);
    if (!list) {
      list = [];
      this.pendingWeights.set(lane, list);
    }
    list.push({ ts, rx, kg });
    if (list.length > MAX_PENDING_WEIGHTS_PER_LANE) {
      list.shift();
      this.c.weightsDropped++;
    }
  }

  private giveWaitingWeight(v: Visit, rx: number): void {
    if (v.weightKg !== undefined || v.exit || !v.gate || v.gateLane === undefined) return;
    const list = this.pendingWeights.get(v.gateLane);
    if (!list) return;
    const gateTs = v.gate.ts;
    const i = list.findIndex((w) => rx - w.rx <= this.weightRetentionMs && Math.abs(gateTs - w.ts) <= WEIGHT_MATCH_MS);
    if (i < 0) return;
    v.weightKg = list[i]!.kg;
    list.splice(i, 1);
    if (list.length === 0) this.pendingWeights.delete(v.gateLane);
    this.c.weightsAssigned++;
  }

  private loop(input: LoopInput): void {
    const { lane, point, ts, rx } = input;
    if (point === 'exit') {
      this.exitEdge(lane, ts, rx);
      return;
    }
    const stats = this.loopLanes.has(lane) ? this.lanes.get(lane) : undefined;
    if (!stats) {
      this.c.loopsIgnored++;
      return;
    }
    if (point === 'queue') {
      stats.count(rx, this.openStart(), { arrival: true, delta: 1 });
    } else {
      stats.count(rx, this.openStart(), { departure: true, delta: -1 });
    }
  }

  /** Index of the mark closest in ts to (ts, rx): |ts diff| <= W and received less than W apart. */
  private closest(marks: readonly ExitMark[] | undefined, ts: number, rx: number): number {
    let best = -1;
    let bestDiff = Infinity;
    marks?.forEach((m, i) => {
      const diff = Math.abs(m.ts - ts);
      if (diff <= this.W && Math.abs(rx - m.rx) < this.W && diff < bestDiff) {
        best = i;
        bestDiff = diff;
      }
    });
    return best;
  }

  private exitEdge(lane: string, ts: number, rx: number): void {
    const readings = this.exitReadings.get(lane);
    const i = this.closest(readings, ts, rx);
    if (i >= 0) {
      readings!.splice(i, 1);
      this.c.exitLoopsClaimed++;
      return;
    }
    this.mark(this.exitEdges, lane, { ts, rx, seq: ++this.seq });
  }

  private exitReading(lane: string, ts: number, rx: number): void {
    const edges = this.exitEdges.get(lane);
    const i = this.closest(edges, ts, rx);
    if (i >= 0) {
      edges!.splice(i, 1);
      this.c.exitLoopsClaimed++;
      return;
    }
    this.mark(this.exitReadings, lane, { ts, rx, seq: ++this.seq });
  }

  private mark(map: Map<string, ExitMark[]>, lane: string, m: ExitMark): void {
    let list = map.get(lane);
    if (!list) {
      list = [];
      map.set(lane, list);
    }
    list.push(m);
    if (list.length > MAX_EXIT_MARKS_PER_LANE) {
      list.shift();
      this.c.boundDrops++;
    }
  }

  // ---------------------------------------------------------------- ticks

  private tick(now: number, hold: boolean): Emission[] {
    if (!isTime(now)) {
      this.c.invalid++;
      return [];
    }
    this.c.ticks++;
    this.observe(now);
    const out: Out = [];
    this.boundaries(now, out);
    if (hold) {
      this.c.heldTicks++;
    } else {
      this.resolveExitEdges(now);
      this.releases(now, out);
      this.timeouts(now, out);
    }
    this.prune(now);
    return out;
  }

  /**
   * The outbox already holds emissions up to `emitSeq` (for example when the snapshot had to be
   * moved away and the core starts empty): continue after it, or every new record would be
   * taken for one already stored and skipped. Returns whether the counter moved.
   */
  resumeAfter(emitSeq: number): boolean {
    if (emitSeq <= this.emitSeq) return false;
    this.emitSeq = emitSeq;
    return true;
  }

  private boundaries(now: number, out: Out): void {
    const first = this.nextBoundary;
    if (first === null || now < first) return;
    const n = Math.floor((now - first) / this.I) + 1;
    const shown = Math.min(n, MAX_BOUNDARIES_PER_TICK);
    for (let k = 0; k < shown; k++) {
      const b = first + k * this.I;
      for (const lane of this.laneIds) {
        const counts = this.lanes.get(lane)!.close(b);
        const record: QueueRecord = {
          checkpoint: this.config.checkpoint,
          lane,
          length: counts.length,
          arrivals: counts.arrivals,
          departures: counts.departures,
          wait_estimate_s: counts.waitEstimateS,
          time: new Date(b).toISOString(),
          timeNs: msToNs(b),
        };
        out.push({ emitSeq: ++this.emitSeq, measurement: 'queue', record });
        this.c.queueRecords++;
      }
    }
    this.nextBoundary = first + n * this.I;
    if (n > shown) {
      this.c.queueBoundariesSkipped += n - shown;
      for (const stats of this.lanes.values()) stats.skipTo(this.openStart());
    }
  }

  private resolveExitEdges(now: number): void {
    for (const [lane, edges] of this.exitEdges) {
      const due = edges.filter((e) => now - e.rx >= this.W);
      if (due.length === 0) continue;
      const rest = edges.filter((e) => now - e.rx < this.W);
      if (rest.length === 0) this.exitEdges.delete(lane);
      else this.exitEdges.set(lane, rest);
      for (const e of due) this.fifoExit(lane, e);
    }
  }

  /** The FIFO rule (rule 9): the edge is the exit of the unit longest at the lane's gate. */
  private fifoExit(lane: string, e: ExitMark): void {
    if (this.anyOrderLanes.has(lane)) {
      this.c.exitLoopsUnassigned++;
      return;
    }
    let best: Visit | undefined;
    for (const v of this.units.values()) {
      if (v.exit || !v.gate || v.gateLane !== lane || v.gate.ts > e.ts) continue;
      if (best === undefined || v.gate.ts < best.gate!.ts || (v.gate.ts === best.gate!.ts && v.visit < best.visit)) best = v;
    }
    if (!best) {
      this.c.exitLoopsUnmatched++;
      return;
    }
    best.exit = { ts: e.ts, lane };
    best.exitRx = e.rx;
    best.exitClaimed = true;
    best.lastRx = Math.max(best.lastRx, e.rx);
    this.c.exitLoopsFifo++;
    this.stagesChanged(best, e.rx);
  }

  // Every tick looks at every open visit (hundreds behind a busy port's yard): a plain loop,
  // no copies, and nothing to sort on the many ticks where nothing is due.
  private releases(now: number, out: Out): void {
    const due: Visit[] = [];
    for (const v of this.units.values()) if (v.exit !== undefined && v.exitRx !== undefined && now - v.exitRx >= this.W) due.push(v);
    if (due.length === 0) return;
    due.sort((a, b) => a.exitRx! - b.exitRx! || a.visit - b.visit);
    for (const v of due) this.write(v, 'released', now, out);
  }

  private timeouts(now: number, out: Out): void {
    const due: Visit[] = [];
    for (const v of this.units.values()) if (v.exit === undefined && now - v.lastRx >= this.T) due.push(v);
    if (due.length === 0) return;
    due.sort((a, b) => a.lastRx - b.lastRx || a.visit - b.visit);
    for (const v of due) this.write(v, 'timeout', now, out);
  }

  private write(v: Visit, outcome: 'released' | 'timeout', now: number, out: Out): void {
    // A visit is opened by a sighting, so a visit without exit has a queue or gate stage.
    const last = outcome === 'released' ? v.exit : latestStage(v);
    if (!last) return;
    const time = outcome === 'released' ? last.ts : last.ts + this.T;
    const lane = last.lane;
    const { channel, after } = pickChannel(v.decisions, time);
    if (after.length > 0) {
      this.c.decisionsAfterExit += after.length;
      this.waitForVisit(v.unit, after);
    }
    const { queue: q, gate: g, exit: x } = v;
    const kind = v.kind ?? 'truck';
    const series = `${lane}\u0000${kind}\u0000${channel}\u0000${outcome}`;
    const record: ClearanceRecord = {
      checkpoint: this.config.checkpoint,
      lane,
      kind,
      channel,
      outcome,
      unit: v.unit,
      ...(q && g ? { wait_s: secondsBetween(q.ts, g.ts) } : {}),
      ...(g && x ? { process_s: secondsBetween(g.ts, x.ts) } : {}),
      ...(q && x ? { total_s: secondsBetween(q.ts, x.ts) } : {}),
      ...(v.weightKg !== undefined ? { weight_kg: v.weightKg } : {}),
      time: new Date(time).toISOString(),
      timeNs: msToNs(time, Math.min(this.nudges.next(series, time, now), 999_999)),
    };
    out.push({ emitSeq: ++this.emitSeq, measurement: 'clearance', record });
    if (outcome === 'released') this.c.released++;
    else this.c.timeouts++;

    this.units.delete(v.unit);
    if (v.inQueue && v.queueLane !== undefined) this.bySightings(v.queueLane)?.drop(now, this.openStart());
    this.written.delete(v.unit);
    this.written.set(v.unit, { exitTs: time, at: now });
    if (this.written.size > MAX_WRITTEN_UNITS) this.evictOldest(this.written);
    // Sightings stamped after the exit while held: the next visit.
    for (const s of v.deferred) this.sight(s);
  }

  private prune(now: number): void {
    this.seen.prune(now);
    this.nudges.prune(now);
    for (const [unit, w] of this.written) {
      if (now - w.at <= this.idRetentionMs) break;
      this.written.delete(unit);
    }
    for (const [decl, m] of this.declarations) {
      if (now - m.rx <= this.T) break;
      this.declarations.delete(decl);
    }
    for (const [unit, list] of this.pendingDecisions) {
      const keep = list.filter((d) => now - d.rx <= this.T);
      this.c.decisionsExpired += list.length - keep.length;
      if (keep.length === 0) this.pendingDecisions.delete(unit);
      else if (keep.length < list.length) this.pendingDecisions.set(unit, keep);
    }
    for (const [decl, list] of this.pendingScans) {
      const keep = list.filter((s) => now - s.rx <= this.T);
      this.c.declarationScansExpired += list.length - keep.length;
      if (keep.length === 0) this.pendingScans.delete(decl);
      else if (keep.length < list.length) this.pendingScans.set(decl, keep);
    }
    for (const [lane, list] of this.pendingWeights) {
      const keep = list.filter((w) => now - w.rx <= this.weightRetentionMs);
      this.c.weightsDropped += list.length - keep.length;
      if (keep.length === 0) this.pendingWeights.delete(lane);
      else if (keep.length < list.length) this.pendingWeights.set(lane, keep);
    }
    for (const [lane, list] of this.exitReadings) {
      const keep = list.filter((m) => now - m.rx < this.W);
      if (keep.length === 0) this.exitReadings.delete(lane);
      else if (keep.length < list.length) this.exitReadings.set(lane, keep);
    }
    const from = this.openStart();
    for (const stats of this.lanes.values()) stats.prune(from);
  }

  // ---------------------------------------------------------------- views

  counters(): CoreCounters & CoreGauges {
    let pendingScans = 0;
    for (const l of this.pendingScans.values()) pendingScans += l.length;
    return {
      ...this.c,
      seenIdsEvicted: this.seen.evicted,
      openUnits: this.units.size,
      seenIds: this.seen.size,
      writtenUnits: this.written.size,
      pendingDecisionUnits: this.pendingDecisions.size,
      pendingScans,
      nudgeEntries: this.nudges.size,
    };
  }

  openUnits(): OpenUnitView[] {
    return [...this.units.values()]
      .sort((a, b) => a.visit - b.visit)
      .map((v) => {
        let latest: Stage | undefined;
        for (const s of [v.queue, v.gate, v.exit]) if (s && (!latest || s.ts >= latest.ts)) latest = s;
        const lane = latest?.lane ?? '';
        const view: OpenUnitView = {
          unit: v.unit,
          lane,
          kind: v.kind ?? 'truck',
          channel: pickChannel(v.decisions, v.exit?.ts ?? Infinity).channel,
          held: v.exit !== undefined,
        };
        if (v.queue) view.queueMs = v.queue.ts;
        if (v.gate) view.gateMs = v.gate.ts;
        if (v.exit) view.exitMs = v.exit.ts;
        if (v.weightKg !== undefined) view.weightKg = v.weightKg;
        return view;
      });
  }

  laneView(lane: string): LaneView {
    const stats = this.lanes.get(lane);
    if (!stats) return { length: 0, waitEstimateS: 0 };
    return { length: stats.length, waitEstimateS: this.clock === null ? 0 : stats.live(this.clock) };
  }

  // ---------------------------------------------------------------- snapshot

  snapshot(): CoreSnapshot {
    const lists = <V>(m: Map<string, V>): [string, V][] => [...m.entries()];
    const s: CoreSnapshot = {
      version: SNAPSHOT_VERSION,
      checkpoint: this.config.checkpoint,
      emitSeq: this.emitSeq,
      visitSeq: this.visitSeq,
      seq: this.seq,
      clock: this.clock,
      nextBoundary: this.nextBoundary,
      seen: this.seen.toJSON(),
      units: [...this.units.values()],
      written: lists(this.written),
      pendingDecisions: lists(this.pendingDecisions),
      declarations: lists(this.declarations),
      pendingScans: lists(this.pendingScans),
      pendingWeights: lists(this.pendingWeights),
      exitEdges: lists(this.exitEdges),
      exitReadings: lists(this.exitReadings),
      lanes: lists(this.lanes).map(([k, l]) => [k, l.toJSON()]),
      nudges: this.nudges.toJSON(),
      counters: { ...this.c, seenIdsEvicted: this.seen.evicted },
    };
    // A deep copy: the caller may serialise it later, while the core goes on.
    return structuredClone(s);
  }

  private restore(raw: CoreSnapshot): void {
    const s = structuredClone(raw);
    // Version 1 (before the estimate learnt from the lane's units) differs only in what the
    // estimate reads: its lanes start that history afresh, everything else is kept. Refusing it
    // would leave an upgraded agent restarting into the same error, its journal already
    // folded into the snapshot.
    if ((s.version as number) === 1) {
      s.version = SNAPSHOT_VERSION;
      for (const [, lane] of s.lanes) lane.units ??= [];
    }
    if (s.version !== SNAPSHOT_VERSION) throw new Error(`core snapshot version ${String(s.version)} is not ${SNAPSHOT_VERSION}`);
    if (s.checkpoint !== this.config.checkpoint) throw new Error(`core snapshot is of checkpoint '${s.checkpoint}', not '${this.config.checkpoint}'`);
    this.emitSeq = s.emitSeq;
    this.visitSeq = s.visitSeq;
    this.seq = s.seq;
    this.clock = s.clock;
    this.nextBoundary = s.nextBoundary;
    this.c = { ...zeroCounters(), ...s.counters };
    this.seen = SeenIds.from(s.seen, this.idRetentionMs, this.config.maxSeenIds ?? MAX_SEEN_IDS, this.c.seenIdsEvicted);
    this.units = new Map(s.units.map((v) => [v.unit, v]));
    this.written = new Map(s.written);
    this.pendingDecisions = new Map(s.pendingDecisions);
    this.declarations = new Map(s.declarations);
    this.pendingScans = new Map(s.pendingScans);
    this.pendingWeights = new Map(s.pendingWeights);
    this.exitEdges = new Map(s.exitEdges);
    this.exitReadings = new Map(s.exitReadings);
    // Lanes of the config: restored when the snapshot has them, fresh when they are new.
    const saved = new Map(s.lanes);
    for (const l of this.config.lanes) {
      const ls = saved.get(l.id);
      if (ls) this.lanes.set(l.id, LaneStats.from(ls, this.laneSettings(l)));
    }
    this.nudges = NudgeTable.from(s.nudges, NUDGE_RETENTION_MS, MAX_NUDGE_ENTRIES);
  }
}

/** The stage with the latest ts among queue and gate (gate on a tie). */
function latestStage(v: Visit): Stage | undefined {
  if (v.gate && (!v.queue || v.gate.ts >= v.queue.ts)) return v.gate;
  return v.queue;
}

/** Latest-stamped decision at or before `limit` (same ts: later applied); the ones after it. */
function pickChannel(decisions: readonly DecisionRec[], limit: number): { channel: Channel | 'unknown'; after: DecisionRec[] } {
  let best: DecisionRec | undefined;
  const after: DecisionRec[] = [];
  for (const d of decisions) {
    if (d.ts > limit) after.push(d);
    else if (best === undefined || d.ts > best.ts || (d.ts === best.ts && d.order > best.order)) best = d;
  }
  return { channel: best?.channel ?? 'unknown', after };
}
