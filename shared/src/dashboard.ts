/**
 * The dashboard's contract: what the server sends browsers over socket.io and answers over
 * REST, used by the server (dashboard/server) and the web app (dashboard/web) alike, and the
 * maths both sides apply to live records (corridor status, per-direction summaries).
 *
 * Who sees what (docs/dashboard.md, "Roles"):
 * - public (no sign-in, logistics firms): CheckpointInfo, WaitEstimate, wait trends and typical
 *   waits. Aggregates and estimates only: never a unit id (plate, container or wagon number),
 *   declaration number or officer.
 * - officer: everything of the checkpoints they are bound to (CheckpointLive, alerts).
 * - manager: history of the checkpoints of their region, and the live views of those.
 */
import type { UnitKind } from './ids.js';
import type { Channel, CheckpointStatus, ClearanceRecord, DeviceRecord, QueueRecord } from './records.js';
import type { OpeningHours } from './state/hours.js';
import type { PlaceStateKind } from './state/places.js';

export type Lang = 'vi' | 'en';
export type LocalText = Record<Lang, string>;
export type Direction = 'inbound' | 'outbound';
export const DIRECTIONS: readonly Direction[] = ['inbound', 'outbound'];
export type CheckpointKind = 'road' | 'rail' | 'port';
export type Role = 'officer' | 'manager';

/** Times shown to users are in this zone (UTC+7 all year, no daylight saving). */
export const DISPLAY_TIME_ZONE = 'Asia/Ho_Chi_Minh';

// ---------------------------------------------------------------------------------------------
// Checkpoints (public)

export interface LaneInfo {
  id: string;
  direction: Direction;
  /** Its own local opening hours, when not the crossing's (state/hours.ts). */
  hours?: OpeningHours[];
}

export interface CheckpointInfo {
  id: string;
  name: LocalText;
  kind: CheckpointKind;
  /** Regional branch that manages it (managers are bound to a region). */
  region: string;
  /** Position along the corridor, Lao Cai (0) to Hai Phong. */
  order: number;
  lanes: LaneInfo[];
  /** The checkpoint's own thresholds, so a lane's colour agrees with its crossing's. */
  congestion: CongestionThresholds;
  /** Local opening hours (state/hours.ts); absent: round the clock, or the departure rule below. */
  hours?: OpeningHours[];
  /** Seconds between the edge's queue records per lane: a figure older than three of them is stale. */
  queueIntervalS: number;
  /** Seconds between its device records. */
  deviceIntervalS: number;
  /** Without opening hours, a lane counts as open while a unit passed within this many minutes. */
  laneOpenMinutes: number;
}

export interface RegionInfo {
  id: string;
  name: LocalText;
  checkpoints: string[];
}

// ---------------------------------------------------------------------------------------------
// Wait estimates (public)

/** Colour of a crossing or direction on the corridor strip. */
export type CongestionLevel = 'normal' | 'busy' | 'congested' | 'closed' | 'unknown';

/** Thresholds of the congestion levels on the expected wait, seconds. */
export interface CongestionThresholds {
  busyWaitS: number;
  congestedWaitS: number;
}

/** The edge's record intervals by default (edge site config: queueIntervalMs, deviceIntervalMs), seconds. */
export const DEFAULT_RECORD_INTERVALS = { queueIntervalS: 10, deviceIntervalS: 30 } as const;

export const DEFAULT_CONGESTION: CongestionThresholds = { busyWaitS: 30 * 60, congestedWaitS: 2 * 3600 };

/**
 * Without opening hours, a lane counts as open while it let a unit through (a departure) within
 * this many minutes, by kind of crossing (a checkpoint's config may set its own): trains come
 * hours apart, and a station's tracks are not closed between two of them (state/places.ts).
 */
export const DEFAULT_LANE_OPEN_MINUTES: Record<CheckpointKind, number> = { road: 30, port: 30, rail: 180 };

export interface WaitEstimate {
  checkpoint: string;
  direction: Direction;
  /** Expected wait from joining the queue to the gate, seconds: the lowest estimate of the open lanes (a new arrival takes the shortest); null when no lane is open or nothing is known. */
  expectedWaitS: number | null;
  /** Units queuing in this direction's lanes. */
  queueLength: number;
  lanesOpen: number;
  lanesTotal: number;
  level: CongestionLevel;
  /** Time of the newest queue record behind it (ISO 8601 UTC); null when none yet. */
  updatedAt: string | null;
  /**
   * Open, closed (by its hours, `opensAt` the next opening), stale (its figures `ageS` seconds
   * old: the edge or the link has stopped) or unknown (state/places.ts). A closed or unknown
   * direction has no wait; a stale one shows the last known.
   */
  state: PlaceStateKind;
  opensAt?: string;
  closesAt?: string;
  ageS?: number;
}

/** One point of a wait trend or typical-wait profile. */
export interface WaitPoint {
  /** ISO 8601 UTC (trend) */
  time: string;
  direction: Direction;
  waitS: number | null;
  queueLength: number | null;
}

/** Typical wait by local hour of day (0–23), from the hourly aggregates of the last weeks. */
export interface TypicalWait {
  checkpoint: string;
  direction: Direction;
  /** 24 entries, index = local hour (Asia/Ho_Chi_Minh); null where nothing was recorded. */
  medianWaitS: (number | null)[];
  p90WaitS: (number | null)[];
  weeks: number;
}

// ---------------------------------------------------------------------------------------------
// Units inside the control area (officers only: unit ids are personal data)

/** One unit between queue and exit, as the edge publishes it on `live/units`. */
export interface UnitInside {
  unit: string;
  lane: string;
  kind: UnitKind;
  channel: Channel | 'unknown';
  /** ISO 8601 UTC of each stage seen. */
  queueAt?: string;
  gateAt?: string;
  exitAt?: string;
}

/** Retained on `gw/v1/{checkpoint}/live/units`, every queue interval: the whole list. */
export interface UnitsInsideRecord {
  checkpoint: string;
  /** ISO 8601 UTC, the agent's clock. */
  time: string;
  units: UnitInside[];
  /** Units inside beyond those listed (the list is capped in size). */
  more: number;
}

/** Time since a unit entered the control area (its first stage), seconds. */
export function timeInsideS(u: UnitInside, nowMs: number): number {
  const first = u.queueAt ?? u.gateAt ?? u.exitAt;
  return first === undefined ? 0 : Math.max(0, Math.round((nowMs - Date.parse(first)) / 1000));
}

/** A unit is overdue once inside longer than its channel's limit, seconds. */
export type OverdueLimits = Record<Channel | 'unknown', number>;

export const DEFAULT_OVERDUE_S: Record<CheckpointKind, OverdueLimits> = {
  // Green trucks clear the booth in minutes after their queue; red ones spend 1–2 h in the yard.
  road: { green: 3 * 3600, yellow: 4 * 3600, red: 5 * 3600, unknown: 4 * 3600 },
  port: { green: 3 * 3600, yellow: 4 * 3600, red: 5 * 3600, unknown: 4 * 3600 },
  // A train is held until its slowest wagon is cleared.
  rail: { green: 4 * 3600, yellow: 4 * 3600, red: 6 * 3600, unknown: 5 * 3600 },
};

// ---------------------------------------------------------------------------------------------
// Alerts (officers)

export type AlertKind = 'deviceSilent' | 'queueLength' | 'waitTime' | 'checkpointOffline';

export interface Alert {
  /** Stable for one condition: `${checkpoint}:${kind}:${subject}`. */
  id: string;
  checkpoint: string;
  kind: AlertKind;
  /** Device id, lane id, or the checkpoint id. */
  subject: string;
  /** ISO 8601 UTC when the condition began. */
  since: string;
  /** false once the condition cleared (sent once, then dropped). */
  active: boolean;
  value?: number;
  threshold?: number;
}

export interface AlertThresholds {
  /** Units queuing in one lane. */
  queueLength: number;
  /** Wait estimate of one lane, seconds. */
  waitS: number;
}

// ---------------------------------------------------------------------------------------------
// Live state over socket.io

/** A point of a live lane chart (from queue records). */
export interface QueuePoint {
  time: string;
  lane: string;
  length: number;
  waitS: number;
}

/** Everything an officer's view of one checkpoint shows, sent whole on (re)joining its room. */
export interface CheckpointLive {
  checkpoint: string;
  status: CheckpointStatus | 'unknown';
  /** Latest queue record per lane. */
  lanes: QueueRecord[];
  /** Per lane, the time of its latest queue record with departures (ISO 8601 UTC): the departure rule of crossings without hours. */
  lastDepartureAt: Record<string, string>;
  /** The last two hours of queue points of every lane, oldest first. */
  series: QueuePoint[];
  units: UnitsInsideRecord | null;
  devices: DeviceRecord[];
  alerts: Alert[];
  /** Latest clearances, newest first (at most 50). */
  clearances: ClearanceRecord[];
  estimates: WaitEstimate[];
}

/** Public room: the whole corridor, sent on joining and whenever an estimate changes. */
export interface CorridorLive {
  checkpoints: { checkpoint: string; status: CheckpointStatus | 'unknown'; estimates: WaitEstimate[] }[];
  time: string;
}

export const LIVE_SERIES_MS = 2 * 3600_000;

export interface ServerToClientEvents {
  corridor: (live: CorridorLive) => void;
  checkpoint: (live: CheckpointLive) => void;
  queue: (r: QueueRecord) => void;
  clearance: (r: ClearanceRecord) => void;
  device: (r: DeviceRecord) => void;
  units: (r: UnitsInsideRecord) => void;
  status: (checkpoint: string, status: CheckpointStatus) => void;
  alert: (a: Alert) => void;
}

/**
 * The answer to `watch`; a refusal names its reason (`code`: UNAUTHORIZED, BAD_PARAMETER,
 * FORBIDDEN, RATE_LIMITED, INTERNAL) in English for logs, and a RATE_LIMITED one the seconds to wait.
 */
export type WatchReply = { ok: true } | { ok: false; code?: string; error: string; retryAfterS?: number };

export interface ClientToServerEvents {
  /** Join a checkpoint's officer room: answered with `checkpoint` (whole state) then live events. */
  watch: (checkpoint: string, reply: (r: WatchReply) => void) => void;
  unwatch: (checkpoint: string) => void;
}

// ---------------------------------------------------------------------------------------------
// REST (docs/dashboard.md and the OpenAPI document at /api/v1/openapi.json)

export interface Me {
  username: string;
  displayName: string;
  role: Role;
  /** Checkpoints this user may see in full. */
  checkpoints: string[];
  region?: string;
  /** ISO 8601 UTC when the session ends unless used (idle) and at the latest (absolute). */
  expiresAt: string;
}

export interface ApiError {
  error: { code: string; message: string };
}

export type HistoryInterval = 'hour' | 'day';

/** Throughput: units cleared (released) per bucket, by channel. */
export interface ThroughputRow {
  time: string;
  checkpoint: string;
  units: number;
  green: number;
  yellow: number;
  red: number;
  unknown: number;
}

/** Clearance time (queue → exit, `total_s`) distribution of one checkpoint and channel. */
export interface ClearanceTimeRow {
  checkpoint: string;
  channel: Channel | 'unknown';
  units: number;
  medianS: number | null;
  p90S: number | null;
  p99S: number | null;
}

/** Mean units per local hour of week: weekday 0 = Monday … 6 = Sunday, hour 0–23. */
export interface HeatCell {
  checkpoint: string;
  weekday: number;
  hour: number;
  units: number;
}
