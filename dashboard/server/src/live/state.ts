/**
 * What the dashboard knows now of every checkpoint, built from the edges' live records (and
 * seeded from InfluxDB at start): latest queue record and two hours of points per lane, last
 * departure per lane, devices, units inside, status, alerts, the latest clearances. Each
 * `apply…` returns the events to send (the record itself, and alerts that began or ended);
 * the socket layer only forwards them. No I/O here, so it is tested directly.
 *
 * Clocks: lane-open logic and device silence use the wall clock (Date.now(), injectable),
 * records keep their own times. The simulated corridor runs at wall-clock time, and a device
 * record that stops coming is noticed by the server's clock whatever the edge's says.
 */
import {
  InputError,
  STALE_AFTER_INTERVALS,
  LIVE_SERIES_MS,
  siteModelOf,
  waitEstimates,
  type HeldRecords,
  type SiteModel,
  type Alert,
  type AlertKind,
  type CheckpointLive,
  type CheckpointStatus,
  type ClearanceRecord,
  type CorridorLive,
  type DeviceRecord,
  type QueuePoint,
  type QueueRecord,
  type UnitsInsideRecord,
  type WaitEstimate,
} from '@gatewatch/shared';
import type { CheckpointConfig } from '../config/types.js';

export type LiveEvent =
  | { type: 'queue'; checkpoint: string; record: QueueRecord }
  | { type: 'clearance'; checkpoint: string; record: ClearanceRecord }
  | { type: 'device'; checkpoint: string; record: DeviceRecord }
  | { type: 'units'; checkpoint: string; record: UnitsInsideRecord }
  | { type: 'status'; checkpoint: string; status: CheckpointStatus }
  | { type: 'alert'; checkpoint: string; alert: Alert };

export const MAX_CLEARANCES = 50;
/** Two hours at one point per 10 s is 720; room for faster edges, never unbounded. */
export const MAX_POINTS_PER_LANE = 1500;
/**
 * Lanes and devices a checkpoint may hold, configured or not. Records of an unconfigured lane or
 * device are shown (the dashboard's config may lag the edge's), but a faulty edge inventing ids
 * must not grow the server's memory without end: beyond these, new ids are refused and counted.
 */
export const MAX_LANES_PER_CHECKPOINT = 64;
export const MAX_DEVICES_PER_CHECKPOINT = 256;

/**
 * Missed device records before `deviceSilent`: the state model's rule for a stale record
 * (shared/src/state), so that the alert and the device's word on the page agree.
 */
export const SILENT_AFTER_INTERVALS = STALE_AFTER_INTERVALS;

class CheckpointState {
  status: CheckpointStatus | 'unknown' = 'unknown';
  readonly latest = new Map<string, QueueRecord>();
  readonly series = new Map<string, QueuePoint[]>();
  readonly lastDepartureMs = new Map<string, number>();
  readonly devices = new Map<string, { record: DeviceRecord; receivedMs: number }>();
  readonly alerts = new Map<string, Alert>();
  units: UnitsInsideRecord | null = null;
  clearances: ClearanceRecord[] = [];
  /** What the state model needs of its config (hours, intervals, thresholds). */
  readonly site: SiteModel;

  constructor(readonly config: CheckpointConfig) {
    this.site = siteModelOf(config);
  }
}

const point = (r: QueueRecord): QueuePoint => ({ time: r.time, lane: r.lane, length: r.length, waitS: r.wait_estimate_s });

export class LiveState {
  private readonly checkpoints = new Map<string, CheckpointState>();
  /** Until the bridge says it is subscribed, nothing held is live (setLink). */
  private link: HeldRecords['link'];

  constructor(
    checkpoints: readonly CheckpointConfig[],
    private readonly now: () => number = Date.now,
  ) {
    for (const c of checkpoints) this.checkpoints.set(c.id, new CheckpointState(c));
    this.link = { up: false, sinceMs: now() };
  }

  has(checkpoint: string): boolean {
    return this.checkpoints.has(checkpoint);
  }

  applyQueue(r: QueueRecord): LiveEvent[] {
    const cp = this.checkpoints.get(r.checkpoint);
    if (!cp) return [];
    if (!cp.latest.has(r.lane) && cp.latest.size >= MAX_LANES_PER_CHECKPOINT) {
      throw new InputError('TOO_MANY_LANES', `the checkpoint already has ${MAX_LANES_PER_CHECKPOINT} lanes (is '${r.lane}')`, 'lane');
    }
    const t = Date.parse(r.time);
    const previous = cp.latest.get(r.lane);
    if (!previous || Date.parse(previous.time) <= t) cp.latest.set(r.lane, r);
    if (r.departures > 0 && t > (cp.lastDepartureMs.get(r.lane) ?? -Infinity)) cp.lastDepartureMs.set(r.lane, t);
    this.addPoint(cp, r);
    const events: LiveEvent[] = [{ type: 'queue', checkpoint: r.checkpoint, record: r }];
    const latest = cp.latest.get(r.lane)!;
    const { queueLength, waitS } = cp.config.alerts;
    events.push(...this.condition(cp, 'queueLength', r.lane, latest.length >= queueLength, latest.time, latest.length, queueLength));
    events.push(...this.condition(cp, 'waitTime', r.lane, latest.wait_estimate_s >= waitS, latest.time, Math.round(latest.wait_estimate_s), waitS));
    return events;
  }

  applyClearance(r: ClearanceRecord): LiveEvent[] {
    const cp = this.checkpoints.get(r.checkpoint);
    if (!cp) return [];
    cp.clearances = [r, ...cp.clearances].sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0)).slice(0, MAX_CLEARANCES);
    return [{ type: 'clearance', checkpoint: r.checkpoint, record: r }];
  }

  applyDevice(r: DeviceRecord): LiveEvent[] {
    const cp = this.checkpoints.get(r.checkpoint);
    if (!cp) return [];
    if (!cp.devices.has(r.device) && cp.devices.size >= MAX_DEVICES_PER_CHECKPOINT) {
      throw new InputError('TOO_MANY_DEVICES', `the checkpoint already has ${MAX_DEVICES_PER_CHECKPOINT} devices (is '${r.device}')`, 'device');
    }
    cp.devices.set(r.device, { record: r, receivedMs: this.now() });
    return [{ type: 'device', checkpoint: r.checkpoint, record: r }, ...this.condition(cp, 'deviceSilent', r.device, !r.online, r.time)];
  }

  applyUnits(r: UnitsInsideRecord): LiveEvent[] {
    const cp = this.checkpoints.get(r.checkpoint);
    if (!cp) return [];
    if (cp.units && cp.units.time > r.time) return [];
    cp.units = r;
    return [{ type: 'units', checkpoint: r.checkpoint, record: r }];
  }

  applyStatus(checkpoint: string, status: CheckpointStatus): LiveEvent[] {
    const cp = this.checkpoints.get(checkpoint);
    if (!cp) return [];
    cp.status = status;
    const since = new Date(this.now()).toISOString();
    return [{ type: 'status', checkpoint, status }, ...this.condition(cp, 'checkpointOffline', checkpoint, status === 'offline', since)];
  }

  /** Devices whose records stopped coming: called every few seconds. */
  tick(): LiveEvent[] {
    const t = this.now();
    const events: LiveEvent[] = [];
    for (const cp of this.checkpoints.values()) {
      const limitMs = SILENT_AFTER_INTERVALS * cp.config.deviceIntervalS * 1000;
      for (const [id, d] of cp.devices) {
        if (t - d.receivedMs < limitMs) continue;
        events.push(...this.condition(cp, 'deviceSilent', id, true, new Date(d.receivedMs + limitMs).toISOString()));
      }
    }
    return events;
  }

  /** Seeds queue history (oldest first) without sending anything: at start, from InfluxDB. */
  seedQueue(records: readonly QueueRecord[]): void {
    for (const r of records) {
      try {
        this.applyQueue(r);
      } catch (error) {
        // A lane beyond the bound: the live bridge refuses and counts it too.
        if (!(error instanceof InputError)) throw error;
      }
    }
  }

  /** Time of the oldest queue point of any lane of the checkpoint; undefined when none. */
  firstPointMs(checkpoint: string): number | undefined {
    const cp = this.checkpoints.get(checkpoint);
    let first: number | undefined;
    for (const points of cp?.series.values() ?? []) {
      const t = points[0] ? Date.parse(points[0].time) : undefined;
      if (t !== undefined && (first === undefined || t < first)) first = t;
    }
    return first;
  }

  seedClearances(records: readonly ClearanceRecord[]): void {
    for (const r of records) this.applyClearance(r);
  }

  /** Per direction, with its state (open, closed by its hours, stale, unknown): shared/src/state. */
  estimates(checkpoint: string): WaitEstimate[] {
    const cp = this.checkpoints.get(checkpoint);
    if (!cp) return [];
    return waitEstimates(cp.site, this.held(cp), this.now());
  }

  /**
   * The dashboard's link to the live data (the broker): while it is down, every figure is
   * stale from the moment it went (the bridge says).
   */
  setLink(up: boolean): void {
    if (up) this.link = { up: true };
    else if (this.link.up) this.link = { up: false, sinceMs: this.now() };
  }

  private held(cp: CheckpointState): HeldRecords {
    const lanes: Record<string, { latest?: QueueRecord; lastDepartureMs?: number }> = {};
    for (const l of cp.config.lanes) {
      const latest = cp.latest.get(l.id);
      const lastDepartureMs = cp.lastDepartureMs.get(l.id);
      lanes[l.id] = { ...(latest ? { latest } : {}), ...(lastDepartureMs !== undefined ? { lastDepartureMs } : {}) };
    }
    return { status: cp.status === 'unknown' ? undefined : cp.status, lanes, link: this.link };
  }

  /** The public view: no unit ids can be in it (estimates and statuses only). */
  corridor(): CorridorLive {
    return {
      checkpoints: [...this.checkpoints.values()].map((cp) => ({ checkpoint: cp.config.id, status: cp.status, estimates: this.estimates(cp.config.id) })),
      time: new Date(this.now()).toISOString(),
    };
  }

  snapshot(checkpoint: string): CheckpointLive | undefined {
    const cp = this.checkpoints.get(checkpoint);
    if (!cp) return undefined;
    const series = [...cp.series.values()].flat().sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    return {
      checkpoint,
      status: cp.status,
      lanes: [...cp.latest.values()],
      lastDepartureAt: Object.fromEntries([...cp.lastDepartureMs].map(([lane, ms]) => [lane, new Date(ms).toISOString()])),
      series,
      units: cp.units,
      devices: [...cp.devices.values()].map((d) => d.record),
      alerts: [...cp.alerts.values()],
      clearances: cp.clearances,
      estimates: this.estimates(checkpoint),
    };
  }

  /** Adds a point in time order (seed and live records may interleave) and drops what is older than two hours. */
  private addPoint(cp: CheckpointState, r: QueueRecord): void {
    let points = cp.series.get(r.lane);
    if (!points) cp.series.set(r.lane, (points = []));
    const p = point(r);
    let i = points.length;
    while (i > 0 && points[i - 1]!.time > p.time) i--;
    if (i > 0 && points[i - 1]!.time === p.time) points[i - 1] = p;
    else points.splice(i, 0, p);
    const newest = Date.parse(points.at(-1)!.time);
    let drop = 0;
    while (drop < points.length && Date.parse(points[drop]!.time) < newest - LIVE_SERIES_MS) drop++;
    drop = Math.max(drop, points.length - MAX_POINTS_PER_LANE);
    if (drop > 0) points.splice(0, drop);
  }

  /**
   * Keeps one alert per condition: begins it (sent once, active) when `on` and not yet there,
   * ends it (sent once, inactive, then dropped) when it clears. The value of an ongoing one is
   * refreshed quietly (it shows in the next snapshot).
   */
  private condition(cp: CheckpointState, kind: AlertKind, subject: string, on: boolean, since: string, value?: number, threshold?: number): LiveEvent[] {
    const id = `${cp.config.id}:${kind}:${subject}`;
    const existing = cp.alerts.get(id);
    if (on && existing) {
      if (value !== undefined) existing.value = value;
      return [];
    }
    if (on) {
      const alert: Alert = { id, checkpoint: cp.config.id, kind, subject, since, active: true };
      if (value !== undefined) alert.value = value;
      if (threshold !== undefined) alert.threshold = threshold;
      cp.alerts.set(id, alert);
      return [{ type: 'alert', checkpoint: cp.config.id, alert: { ...alert } }];
    }
    if (!existing) return [];
    cp.alerts.delete(id);
    return [{ type: 'alert', checkpoint: cp.config.id, alert: { ...existing, active: false, ...(value !== undefined ? { value } : {}) } }];
  }
}
