/**
 * The state of a lane, a direction and a crossing, from the records a dashboard holds and the
 * clock: one answer to "is it open, and can the figure be trusted", for the server, the public
 * API and the web app alike. Each is, in this order of precedence:
 *
 * 1. `closed`: outside its opening hours (then with the next opening), whatever the records say:
 *    the schedule needs no record;
 * 2. `unknown`: no queue record of it has ever been held;
 * 3. `stale`: its newest record is older than STALE_AFTER_INTERVALS queue intervals, the holder
 *    has lost the live data (a dashboard its broker, a page its socket), or the crossing's agent
 *    is offline: the figures shown are the last known, with their age;
 * 4. `open`: within its opening hours; a site without hours falls back on the old rule, open
 *    while a unit passed within `laneOpenMinutes`, else `closed` (without a next opening).
 *
 * A closed or unknown lane has no wait figure; a closed one keeps its queue length (trucks
 * waiting at a closed gate are worth seeing). A direction or crossing is open when one of its
 * lanes is, else stale when one is, else closed when one is, else unknown.
 */
import { DIRECTIONS, type CheckpointInfo, type CongestionLevel, type CongestionThresholds, type Direction, type WaitEstimate } from '../dashboard.js';
import type { CheckpointStatus, QueueRecord } from '../records.js';
import { openingAt, type OpeningHours } from './hours.js';

/** A record older than this many of its intervals is stale: one missed interval is jitter, three are a stop. */
export const STALE_AFTER_INTERVALS = 3;

export type PlaceStateKind = 'open' | 'closed' | 'stale' | 'unknown';

export interface PlaceState {
  state: PlaceStateKind;
  /** `closed` by its hours: when it opens next (ISO 8601 UTC). */
  opensAt?: string;
  /** `open` by its hours: when it closes (ISO 8601 UTC). */
  closesAt?: string;
  /** `stale`: seconds since its newest record (or since the live data was lost, whichever is longer ago). */
  ageS?: number;
}

/** What the state model needs to know of a crossing (its config, public: CheckpointInfo carries it). */
export interface SiteModel {
  checkpoint: string;
  lanes: readonly { id: string; direction: Direction; hours?: readonly OpeningHours[] }[];
  /** The crossing's hours, for lanes without their own; none: round the clock. */
  hours?: readonly OpeningHours[];
  /** The edge's queue record interval per lane, seconds (10). */
  queueIntervalS: number;
  /** Sites without hours: a lane is open while a unit passed this recently. */
  laneOpenMinutes: number;
  congestion: CongestionThresholds;
}

/** The live records a dashboard or a page holds for one crossing. */
export interface HeldRecords {
  status: CheckpointStatus | undefined;
  /** The newest queue record of each lane, and when its latest departure was (ms). */
  lanes: Readonly<Record<string, { latest?: QueueRecord; lastDepartureMs?: number } | undefined>>;
  /** Whether the holder receives live data now; if not, since when (ms) it does not. */
  link: { up: true } | { up: false; sinceMs: number };
}

export interface LaneState extends PlaceState {
  lane: string;
  direction: Direction;
  /** Expected wait of a unit joining now, seconds: only while open (or stale, the last known). */
  waitS: number | null;
  queueLength: number | null;
  level: CongestionLevel;
  /** Time of its newest record (ISO 8601 UTC), null when none. */
  updatedAt: string | null;
}

export interface DirectionState extends PlaceState {
  direction: Direction;
  /** The lowest wait of its open lanes (a new arrival takes the shortest); stale: of its stale lanes. */
  waitS: number | null;
  queueLength: number | null;
  lanesOpen: number;
  lanesTotal: number;
  level: CongestionLevel;
  updatedAt: string | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function levelOf(state: PlaceStateKind, waitS: number | null, t: CongestionThresholds): CongestionLevel {
  if (state === 'closed') return 'closed';
  if (state !== 'open' || waitS === null) return 'unknown';
  if (waitS >= t.congestedWaitS) return 'congested';
  if (waitS >= t.busyWaitS) return 'busy';
  return 'normal';
}

export function laneState(site: SiteModel, lane: SiteModel['lanes'][number], held: HeldRecords, nowMs: number): LaneState {
  const record = held.lanes[lane.id];
  const latest = record?.latest;
  const hours = lane.hours ?? site.hours;
  const opening = openingAt(hours, nowMs);
  const base = { lane: lane.id, direction: lane.direction, updatedAt: latest?.time ?? null };
  const queueLength = latest ? latest.length : null;
  if (!opening.open) {
    const place: PlaceState = { state: 'closed', ...(opening.opensAtMs !== undefined ? { opensAt: iso(opening.opensAtMs) } : {}) };
    return { ...base, ...place, waitS: null, queueLength, level: 'closed' };
  }
  if (!latest) return { ...base, state: 'unknown', waitS: null, queueLength: null, level: 'unknown' };
  const recordAgeMs = Math.max(0, nowMs - Date.parse(latest.time));
  const lostMs = held.link.up ? 0 : Math.max(0, nowMs - held.link.sinceMs);
  const waitS = Math.round(latest.wait_estimate_s);
  if (recordAgeMs > STALE_AFTER_INTERVALS * site.queueIntervalS * 1000 || !held.link.up || held.status === 'offline') {
    return { ...base, state: 'stale', ageS: Math.round(Math.max(recordAgeMs, lostMs) / 1000), waitS, queueLength, level: 'unknown' };
  }
  if (hours !== undefined && hours.length > 0) {
    const closes = opening.closesAtMs !== undefined ? { closesAt: iso(opening.closesAtMs) } : {};
    return { ...base, state: 'open', ...closes, waitS, queueLength, level: levelOf('open', waitS, site.congestion) };
  }
  const passed = record?.lastDepartureMs !== undefined && nowMs - record.lastDepartureMs <= site.laneOpenMinutes * 60_000;
  if (!passed) return { ...base, state: 'closed', waitS: null, queueLength, level: 'closed' };
  return { ...base, state: 'open', waitS, queueLength, level: levelOf('open', waitS, site.congestion) };
}

/** Of lanes (or directions), the one state they make together, and the figures that go with it. */
export function foldStates<T extends PlaceState & { waitS: number | null; queueLength: number | null; updatedAt: string | null }>(
  parts: readonly T[],
  thresholds: CongestionThresholds,
): PlaceState & { waitS: number | null; queueLength: number | null; level: CongestionLevel; updatedAt: string | null } {
  const of = (s: PlaceStateKind) => parts.filter((p) => p.state === s);
  const state: PlaceStateKind = of('open').length ? 'open' : of('stale').length ? 'stale' : of('closed').length ? 'closed' : 'unknown';
  const counted = of(state);
  const waits = counted.map((p) => p.waitS).filter((w): w is number => w !== null);
  const waitS = state === 'open' || state === 'stale' ? (waits.length ? Math.min(...waits) : null) : null;
  const lengths = parts.map((p) => p.queueLength).filter((q): q is number => q !== null);
  const updated = parts.map((p) => p.updatedAt).filter((u): u is string => u !== null);
  const place: PlaceState = { state };
  if (state === 'closed') {
    const opens = counted.map((p) => p.opensAt).filter((o): o is string => o !== undefined).sort();
    if (opens.length) place.opensAt = opens[0]!;
  }
  if (state === 'open') {
    const closes = counted.map((p) => p.closesAt).filter((c): c is string => c !== undefined).sort();
    if (closes.length === counted.length && closes.length) place.closesAt = closes.at(-1)!;
  }
  // The freshest of the stale parts: the age of the best figure there is.
  if (state === 'stale') place.ageS = Math.min(...counted.map((p) => p.ageS ?? Infinity));
  return {
    ...place,
    waitS,
    queueLength: lengths.length ? lengths.reduce((a, b) => a + b, 0) : null,
    level: levelOf(state, waitS, thresholds),
    updatedAt: updated.length ? updated.sort().at(-1)! : null,
  };
}

export function directionState(site: SiteModel, direction: Direction, lanes: readonly LaneState[]): DirectionState {
  const mine = lanes.filter((l) => l.direction === direction);
  return { direction, ...foldStates(mine, site.congestion), lanesOpen: mine.filter((l) => l.state === 'open').length, lanesTotal: mine.length };
}

/** The public wait estimates of a crossing, one per direction that has lanes (WaitEstimate, with its state). */
export function waitEstimates(site: SiteModel, held: HeldRecords, nowMs: number): WaitEstimate[] {
  const lanes = site.lanes.map((l) => laneState(site, l, held, nowMs));
  return DIRECTIONS.flatMap((direction) => {
    if (!site.lanes.some((l) => l.direction === direction)) return [];
    const d = directionState(site, direction, lanes);
    const place: PlaceState = { state: d.state };
    if (d.opensAt !== undefined) place.opensAt = d.opensAt;
    if (d.closesAt !== undefined) place.closesAt = d.closesAt;
    if (d.ageS !== undefined) place.ageS = d.ageS;
    return [
      {
        checkpoint: site.checkpoint,
        direction,
        expectedWaitS: d.waitS,
        queueLength: d.queueLength ?? 0,
        lanesOpen: d.lanesOpen,
        lanesTotal: d.lanesTotal,
        level: d.level,
        updatedAt: d.updatedAt,
        ...place,
      },
    ];
  });
}

/** What the state model needs of a checkpoint, from what the public API says of it. */
export function siteModelOf(info: Pick<CheckpointInfo, 'id' | 'lanes' | 'hours' | 'queueIntervalS' | 'laneOpenMinutes' | 'congestion'>): SiteModel {
  return {
    checkpoint: info.id,
    lanes: info.lanes,
    ...(info.hours ? { hours: info.hours } : {}),
    queueIntervalS: info.queueIntervalS,
    laneOpenMinutes: info.laneOpenMinutes,
    congestion: info.congestion,
  };
}
