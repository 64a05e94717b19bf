/**
 * What the officer's page shows, from the live state it holds, its link to the server and the
 * clock, through the shared state model (shared/src/state): one state per lane, direction,
 * device and unit, the same the server and the public API derive. The page re-derives it every
 * second, so that figures age (and turn stale) while nothing arrives.
 */
import {
  DEFAULT_CONGESTION,
  DEFAULT_LANE_OPEN_MINUTES,
  DEFAULT_OVERDUE_S,
  DEFAULT_RECORD_INTERVALS,
  deviceState,
  laneState,
  siteModelOf,
  unitsInside,
  waitEstimates,
  type CheckpointInfo,
  type CheckpointLive,
  type DeviceState,
  type HeldRecords,
  type LaneState,
  type UnitState,
  type WaitEstimate,
} from '@gatewatch/shared';

export interface OfficerState {
  /** The crossing's agent as the page knows it: `stale` while the page has lost the server. */
  status: 'online' | 'offline' | 'stale' | 'unknown';
  /** `stale`: seconds since the page lost the live data. */
  ageS?: number;
  lanes: LaneState[];
  directions: WaitEstimate[];
  devices: DeviceState[];
  units: UnitState[];
}

/** The checkpoint's public description, or one made of what the records say until it is known. */
function infoOf(checkpoint: string, info: CheckpointInfo | undefined, live: CheckpointLive): Pick<CheckpointInfo, 'id' | 'lanes' | 'hours' | 'queueIntervalS' | 'deviceIntervalS' | 'laneOpenMinutes' | 'congestion' | 'kind'> {
  if (info) return info;
  const lanes = [...new Set(live.lanes.map((l) => l.lane))].sort().map((id) => ({ id, direction: 'inbound' as const }));
  return { id: checkpoint, lanes, ...DEFAULT_RECORD_INTERVALS, laneOpenMinutes: DEFAULT_LANE_OPEN_MINUTES.road, congestion: DEFAULT_CONGESTION, kind: 'road' };
}

export function officerState(checkpoint: string, info: CheckpointInfo | undefined, live: CheckpointLive, link: HeldRecords['link'], nowMs: number): OfficerState {
  const described = infoOf(checkpoint, info, live);
  const site = siteModelOf(described);
  const lanes: Record<string, { latest: CheckpointLive['lanes'][number]; lastDepartureMs?: number }> = {};
  for (const r of live.lanes) {
    const departed = live.lastDepartureAt[r.lane];
    lanes[r.lane] = { latest: r, ...(departed !== undefined ? { lastDepartureMs: Date.parse(departed) } : {}) };
  }
  const held: HeldRecords = { status: live.status === 'unknown' ? undefined : live.status, lanes, link };
  // Devices the edge reports on, and those known only from their silence alert (never reported).
  const ids = new Set([...live.devices.map((d) => d.device), ...live.alerts.filter((a) => a.active && a.kind === 'deviceSilent').map((a) => a.subject)]);
  const devices = [...ids].sort().map((id) => deviceState(id, live.devices.find((d) => d.device === id), { deviceIntervalS: described.deviceIntervalS, link }, nowMs));
  const status: OfficerState['status'] = !link.up ? 'stale' : live.status;
  return {
    status,
    ...(!link.up ? { ageS: Math.max(0, Math.round((nowMs - link.sinceMs) / 1000)) } : {}),
    lanes: site.lanes.map((l) => laneState(site, l, held, nowMs)),
    directions: waitEstimates(site, held, nowMs),
    devices,
    units: unitsInside(live.units, DEFAULT_OVERDUE_S[described.kind], nowMs),
  };
}
