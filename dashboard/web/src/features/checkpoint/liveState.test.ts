import { describe, expect, it } from 'vitest';
import { LIVE_SERIES_MS } from '@gatewatch/shared';
import type { Alert, CheckpointLive, QueuePoint, QueueRecord } from '@gatewatch/shared';
import { MAX_SERIES_POINTS, appendPoint, capSeries, initialLiveState, liveReducer } from './liveState.js';

const T0 = Date.parse('2026-11-25T00:00:00Z');
const at = (ms: number) => new Date(ms).toISOString();
const point = (ms: number, lane = 'IN-1', length = 1): QueuePoint => ({ time: at(ms), lane, length, waitS: 60 });
const record = (ms: number, lane = 'IN-1', length = 3): QueueRecord => ({
  checkpoint: 'kim-thanh-road',
  lane,
  length,
  arrivals: 1,
  departures: 1,
  wait_estimate_s: 120,
  time: at(ms),
  timeNs: `${ms}000000`,
});
const snapshot = (over: Partial<CheckpointLive> = {}): CheckpointLive => ({
  checkpoint: 'kim-thanh-road',
  status: 'online',
  lanes: [],
  lastDepartureAt: {},
  series: [],
  units: null,
  devices: [],
  alerts: [],
  clearances: [],
  estimates: [],
  ...over,
});

describe('live series cap', () => {
  it('drops points older than two hours before the newest', () => {
    const pts = [point(T0), point(T0 + 60_000), point(T0 + LIVE_SERIES_MS + 30_000), point(T0 + LIVE_SERIES_MS + 60_000)];
    const kept = capSeries(pts);
    expect(kept.map((p) => p.time)).toEqual([at(T0 + 60_000), at(T0 + LIVE_SERIES_MS + 30_000), at(T0 + LIVE_SERIES_MS + 60_000)]);
  });

  it('stays bounded however long the page stays open', () => {
    let s: QueuePoint[] = [];
    // 6 hours of four lanes every 10 s
    for (let i = 0; i < 6 * 360; i++) for (const lane of ['a', 'b', 'c', 'd']) s = appendPoint(s, point(T0 + i * 10_000, lane));
    expect(s.length).toBeLessThanOrEqual(MAX_SERIES_POINTS);
    expect(s.length).toBe(4 * 721);
    expect(Date.parse(s[s.length - 1]!.time) - Date.parse(s[0]!.time)).toBeLessThanOrEqual(LIVE_SERIES_MS);
  });

  it('caps the count even within two hours', () => {
    const pts = Array.from({ length: 50 }, (_, i) => point(T0 + i));
    expect(capSeries(pts, LIVE_SERIES_MS, 10).map((p) => p.time)).toEqual(pts.slice(40).map((p) => p.time));
  });

  it('does not keep a late point already out of the window', () => {
    const s = [point(T0 + LIVE_SERIES_MS + 1000)];
    expect(appendPoint(s, point(T0))).toHaveLength(1);
  });
});

describe('liveReducer', () => {
  it('ignores events before the snapshot and of other checkpoints', () => {
    let s = initialLiveState('kim-thanh-road');
    s = liveReducer(s, { type: 'queue', r: record(T0) });
    expect(s.live).toBeNull();
    s = liveReducer(s, { type: 'snapshot', live: snapshot({ checkpoint: 'dinh-vu-port' }) });
    expect(s.live).toBeNull();
    s = liveReducer(s, { type: 'snapshot', live: snapshot({ series: [point(T0 - LIVE_SERIES_MS - 1), point(T0)] }) });
    expect(s.series).toHaveLength(1);
    s = liveReducer(s, { type: 'queue', r: { ...record(T0 + 10_000), checkpoint: 'dinh-vu-port' } });
    expect(s.series).toHaveLength(1);
  });

  it('folds queue records into lanes and the series', () => {
    let s = liveReducer(initialLiveState('kim-thanh-road'), { type: 'snapshot', live: snapshot({ lanes: [record(T0, 'IN-1', 1)] }) });
    s = liveReducer(s, { type: 'queue', r: record(T0 + 10_000, 'IN-1', 7) });
    s = liveReducer(s, { type: 'queue', r: record(T0 + 10_000, 'IN-2', 2) });
    expect(s.live!.lanes.map((l) => [l.lane, l.length])).toEqual([
      ['IN-1', 7],
      ['IN-2', 2],
    ]);
    expect(s.series.map((p) => p.length)).toEqual([7, 2]);
    // A record that comes late (an outbox drained) joins the series but does not replace the
    // newer latest, as on the server, nor move the lane's last departure back.
    s = liveReducer(s, { type: 'queue', r: record(T0 + 5_000, 'IN-1', 3) });
    expect(s.live!.lanes.find((l) => l.lane === 'IN-1')!.length).toBe(7);
    expect(s.series).toHaveLength(3);
    expect(s.live!.lastDepartureAt['IN-1']).toBe(new Date(T0 + 10_000).toISOString());
  });

  it('keeps active alerts and drops cleared ones', () => {
    const a: Alert = { id: 'k:deviceSilent:cam-q1', checkpoint: 'kim-thanh-road', kind: 'deviceSilent', subject: 'cam-q1', since: at(T0), active: true };
    let s = liveReducer(initialLiveState('kim-thanh-road'), { type: 'snapshot', live: snapshot() });
    s = liveReducer(s, { type: 'alert', a });
    s = liveReducer(s, { type: 'alert', a });
    expect(s.live!.alerts).toHaveLength(1);
    s = liveReducer(s, { type: 'alert', a: { ...a, active: false } });
    expect(s.live!.alerts).toHaveLength(0);
  });

  it('keeps at most 50 clearances, newest first', () => {
    let s = liveReducer(initialLiveState('kim-thanh-road'), { type: 'snapshot', live: snapshot() });
    for (let i = 0; i < 60; i++) {
      s = liveReducer(s, {
        type: 'clearance',
        r: { checkpoint: 'kim-thanh-road', lane: 'IN-1', kind: 'truck', channel: 'green', outcome: 'released', unit: `U${i}`, time: at(T0 + i), timeNs: String(i) },
      });
    }
    expect(s.live!.clearances).toHaveLength(50);
    expect(s.live!.clearances[0]!.unit).toBe('U59');
  });
});
