/**
 * The officer view's live state of one checkpoint: the whole `checkpoint` snapshot, then the
 * live events folded in. The chart series keeps two hours (LIVE_SERIES_MS) behind its newest
 * point and at most MAX_SERIES_POINTS points, so a page left open for days stays the same size.
 */
import { LIVE_SERIES_MS } from '@gatewatch/shared';
import type {
  Alert,
  CheckpointLive,
  CheckpointStatus,
  ClearanceRecord,
  DeviceRecord,
  QueuePoint,
  QueueRecord,
  UnitsInsideRecord,
} from '@gatewatch/shared';

/** 8 lanes × 2 h at one point per 10 s: a hard ceiling whatever the interval. */
export const MAX_SERIES_POINTS = 8 * 720;
export const MAX_CLEARANCES = 50;

/**
 * Drop points older than `maxAgeMs` before the newest one, then keep at most `maxPoints`.
 * Oldest first in and out (lanes report in step, so points arrive nearly in order; the newest
 * is looked for among the last few).
 */
export function capSeries(points: readonly QueuePoint[], maxAgeMs = LIVE_SERIES_MS, maxPoints = MAX_SERIES_POINTS): QueuePoint[] {
  if (points.length === 0) return [];
  let newest = -Infinity;
  for (let i = points.length - 1; i >= Math.max(0, points.length - 16); i--) newest = Math.max(newest, Date.parse(points[i]!.time));
  const cutoff = newest - maxAgeMs;
  let start = Math.max(0, points.length - maxPoints);
  while (start < points.length && !(Date.parse(points[start]!.time) >= cutoff)) start++;
  return points.slice(start);
}

export function pointOf(r: QueueRecord): QueuePoint {
  return { time: r.time, lane: r.lane, length: r.length, waitS: r.wait_estimate_s };
}

/** Append one point and cap; a point already older than the window is not kept. */
export function appendPoint(series: readonly QueuePoint[], p: QueuePoint, maxAgeMs = LIVE_SERIES_MS, maxPoints = MAX_SERIES_POINTS): QueuePoint[] {
  const last = series[series.length - 1];
  if (last && Date.parse(p.time) < Date.parse(last.time) - maxAgeMs) return series as QueuePoint[];
  return capSeries([...series, p], maxAgeMs, maxPoints);
}

export interface LiveState {
  checkpoint: string;
  live: CheckpointLive | null;
  series: QueuePoint[];
}

export type LiveAction =
  | { type: 'reset'; checkpoint: string }
  | { type: 'snapshot'; live: CheckpointLive }
  | { type: 'queue'; r: QueueRecord }
  | { type: 'clearance'; r: ClearanceRecord }
  | { type: 'device'; r: DeviceRecord }
  | { type: 'units'; r: UnitsInsideRecord }
  | { type: 'status'; checkpoint: string; status: CheckpointStatus }
  | { type: 'alert'; a: Alert };

export function initialLiveState(checkpoint: string): LiveState {
  return { checkpoint, live: null, series: [] };
}

export function upsertBy<T>(list: readonly T[], item: T, same: (a: T) => boolean): T[] {
  const i = list.findIndex(same);
  if (i < 0) return [...list, item];
  const out = list.slice();
  out[i] = item;
  return out;
}

export function liveReducer(state: LiveState, action: LiveAction): LiveState {
  if (action.type === 'reset') return initialLiveState(action.checkpoint);
  if (action.type === 'snapshot') {
    if (action.live.checkpoint !== state.checkpoint) return state;
    return { ...state, live: action.live, series: capSeries(action.live.series) };
  }
  const live = state.live;
  // events before the snapshot are covered by it; events of another checkpoint are not ours
  if (!live) return state;
  switch (action.type) {
    case 'queue': {
      if (action.r.checkpoint !== state.checkpoint) return state;
      const lastDeparture = live.lastDepartureAt[action.r.lane];
      const departed =
        action.r.departures > 0 && (lastDeparture === undefined || Date.parse(lastDeparture) < Date.parse(action.r.time))
          ? { lastDepartureAt: { ...live.lastDepartureAt, [action.r.lane]: action.r.time } }
          : {};
      // The newest record of a lane is its latest, as on the server: one that comes late (an
      // outbox drained after an outage) goes into the series only.
      const previous = live.lanes.find((l) => l.lane === action.r.lane);
      const newer = !previous || Date.parse(previous.time) <= Date.parse(action.r.time);
      return {
        ...state,
        live: { ...live, ...(newer ? { lanes: upsertBy(live.lanes, action.r, (l) => l.lane === action.r.lane) } : {}), ...departed },
        series: appendPoint(state.series, pointOf(action.r)),
      };
    }
    case 'clearance':
      if (action.r.checkpoint !== state.checkpoint) return state;
      return { ...state, live: { ...live, clearances: [action.r, ...live.clearances].slice(0, MAX_CLEARANCES) } };
    case 'device':
      if (action.r.checkpoint !== state.checkpoint) return state;
      return { ...state, live: { ...live, devices: upsertBy(live.devices, action.r, (d) => d.device === action.r.device) } };
    case 'units':
      if (action.r.checkpoint !== state.checkpoint) return state;
      return { ...state, live: { ...live, units: action.r } };
    case 'status':
      if (action.checkpoint !== state.checkpoint) return state;
      return { ...state, live: { ...live, status: action.status } };
    case 'alert': {
      const a = action.a;
      if (a.checkpoint !== state.checkpoint) return state;
      const alerts = a.active ? upsertBy(live.alerts, a, (x) => x.id === a.id) : live.alerts.filter((x) => x.id !== a.id);
      return { ...state, live: { ...live, alerts } };
    }
  }
}
