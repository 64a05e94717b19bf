import { describe, expect, it } from 'vitest';
import { DEFAULT_CONGESTION, DEFAULT_RECORD_INTERVALS, type CheckpointInfo, type CheckpointLive } from '@gatewatch/shared';
import { officerState } from './officerState.js';

const NOW = Date.parse('2026-12-07T10:00:00+07:00');
const iso = (ms: number) => new Date(ms).toISOString();
const info: CheckpointInfo = {
  id: 'kim-thanh-road',
  name: { vi: 'Kim Thành', en: 'Kim Thanh' },
  kind: 'road',
  region: 'lao-cai',
  order: 1,
  lanes: [
    { id: 'IN-1', direction: 'inbound' },
    { id: 'OUT-1', direction: 'outbound' },
  ],
  congestion: DEFAULT_CONGESTION,
  hours: [{ open: '07:00', close: '22:00' }],
  ...DEFAULT_RECORD_INTERVALS,
  laneOpenMinutes: 30,
};
const live = (at: number): CheckpointLive => ({
  checkpoint: 'kim-thanh-road',
  status: 'online',
  lanes: [{ checkpoint: 'kim-thanh-road', lane: 'IN-1', length: 3, arrivals: 1, departures: 1, wait_estimate_s: 240, time: iso(at), timeNs: '0' }],
  lastDepartureAt: {},
  series: [],
  units: {
    checkpoint: 'kim-thanh-road',
    time: iso(at),
    more: 0,
    units: [
      { unit: 'BMOU9262071', lane: 'IN-1', kind: 'container', channel: 'green', queueAt: iso(at - 600_000), gateAt: iso(at - 60_000), exitAt: iso(at - 1_000) },
      { unit: '29C-111.11', lane: 'IN-1', kind: 'truck', channel: 'unknown', queueAt: iso(at - 300_000) },
    ],
  },
  devices: [{ checkpoint: 'kim-thanh-road', device: 'scanner-in-1', online: true, frames: 0, bad_frames: 0, lost_frames: 0, last_seen_s: -1, time: iso(at), timeNs: '0' }],
  alerts: [{ id: 'kim-thanh-road:deviceSilent:cam-g9', checkpoint: 'kim-thanh-road', kind: 'deviceSilent', subject: 'cam-g9', since: iso(at), active: true }],
  clearances: [],
  estimates: [],
});

describe("the officer's page state", () => {
  it('agrees with itself: one state per lane, direction, device and unit, from the shared model', () => {
    const s = officerState('kim-thanh-road', info, live(NOW - 2_000), { up: true }, NOW);
    expect(s.status).toBe('online');
    expect(s.lanes.map((l) => [l.lane, l.state, l.waitS])).toEqual([
      ['IN-1', 'open', 240],
      ['OUT-1', 'unknown', null],
    ]);
    expect(s.directions.map((d) => [d.direction, d.state, d.expectedWaitS])).toEqual([
      ['inbound', 'open', 240],
      ['outbound', 'unknown', null],
    ]);
    // Never "online" beside "last seen: never"; a device known only from its silence alert is never seen.
    expect(s.devices.map((d) => [d.device, d.state])).toEqual([
      ['cam-g9', 'neverSeen'],
      ['scanner-in-1', 'neverSeen'],
    ]);
    // The container seen at the exit is not inside.
    expect(s.units.map((u) => [u.unit, u.stage])).toEqual([['29C-111.11', 'queued']]);
  });

  it('with the server lost for 45 s, the station is not green and every figure is stale with its age', () => {
    const s = officerState('kim-thanh-road', info, live(NOW - 50_000), { up: false, sinceMs: NOW - 45_000 }, NOW);
    expect(s).toMatchObject({ status: 'stale', ageS: 45 });
    expect(s.lanes[0]).toMatchObject({ state: 'stale', ageS: 50, waitS: 240 });
    expect(s.directions[0]).toMatchObject({ state: 'stale', level: 'unknown' });
    expect(s.devices.every((d) => d.state === 'silent' || d.state === 'neverSeen')).toBe(true);
  });
});
