import { describe, expect, it } from 'vitest';
import { DEFAULT_CONGESTION, DEFAULT_OVERDUE_S, type UnitInside } from '../dashboard.js';
import type { DeviceRecord, QueueRecord } from '../records.js';
import { deviceState, directionState, hoursProblem, laneState, openingAt, unitsInside, unitStage, type HeldRecords, type SiteModel } from './index.js';

/** Local (UTC+7) wall time of 2026-12-07 (a Monday) as UTC ms. */
const local = (hhmm: string, day = 7) => Date.parse(`2026-12-${String(day).padStart(2, '0')}T${hhmm}:00+07:00`);
const iso = (ms: number) => new Date(ms).toISOString();

describe('opening hours', () => {
  const kimThanh = [{ open: '07:00', close: '22:00' }];
  it.each([
    ['before opening', kimThanh, local('06:59'), { open: false, opensAtMs: local('07:00') }],
    ['open, closes at 22:00', kimThanh, local('12:00'), { open: true, closesAtMs: local('22:00') }],
    ['at the close: closed till tomorrow', kimThanh, local('22:00'), { open: false, opensAtMs: local('07:00', 8) }],
    ['overnight rule, after midnight', [{ open: '22:00', close: '06:00' }], local('02:00'), { open: true, closesAtMs: local('06:00') }],
    ['weekdays only, on a Saturday', [{ days: [1, 2, 3, 4, 5], open: '08:00', close: '17:00' }], local('10:00', 12), { open: false, opensAtMs: local('08:00', 14) }],
    ['two rules that touch are one opening', [{ open: '07:00', close: '12:00' }, { open: '12:00', close: '22:00' }], local('11:00'), { open: true, closesAtMs: local('22:00') }],
    ['round the clock', [{ open: '00:00', close: '24:00' }], local('03:00'), { open: true }],
    ['no hours: always open', undefined, local('03:00'), { open: true }],
  ] as const)('%s', (_what, hours, now, expected) => {
    expect(openingAt(hours, now)).toEqual(expected);
  });

  it('names what is wrong with a rule', () => {
    expect(hoursProblem({ open: '7:00', close: '22:00' })).toMatch(/^open: expected a local time 'HH:MM'/);
    expect(hoursProblem({ open: '07:00', close: '24:01' })).toMatch(/^close: /);
    expect(hoursProblem({ days: [0], open: '07:00', close: '22:00' })).toMatch(/^days: /);
    expect(hoursProblem({ open: '07:00', close: '24:00' })).toBeUndefined();
  });
});

describe('lanes, directions and crossings', () => {
  const site: SiteModel = {
    checkpoint: 'kim-thanh-road',
    lanes: [
      { id: 'IN-1', direction: 'inbound' },
      { id: 'IN-2', direction: 'inbound' },
      { id: 'OUT-1', direction: 'outbound' },
    ],
    hours: [{ open: '07:00', close: '22:00' }],
    queueIntervalS: 10,
    laneOpenMinutes: 30,
    congestion: DEFAULT_CONGESTION,
  };
  const record = (lane: string, atMs: number, v: Partial<QueueRecord> = {}): QueueRecord => ({
    checkpoint: site.checkpoint,
    lane,
    length: 0,
    arrivals: 0,
    departures: 0,
    wait_estimate_s: 0,
    time: iso(atMs),
    timeNs: `${atMs}000000`,
    ...v,
  });
  const held = (_now: number, lanes: HeldRecords['lanes'], more: Partial<HeldRecords> = {}): HeldRecords => ({ status: 'online', lanes, link: { up: true }, ...more });
  const lanes = (s: SiteModel, h: HeldRecords, now: number) => s.lanes.map((l) => laneState(s, l, h, now));

  // What the tour saw, each as a row: the records held, the clock, and every lane's state.
  it.each([
    {
      what: 'Kim Thanh at night: every lane closed, reopening at 07:00, no wait figure, the 4 trucks queued still shown',
      now: local('23:30'),
      held: (now: number) => held(now, { 'IN-1': { latest: record('IN-1', now - 5_000, { length: 4 }) }, 'IN-2': { latest: record('IN-2', now - 5_000) } }),
      lanes: [
        { lane: 'IN-1', state: 'closed', opensAt: iso(local('07:00', 8)), waitS: null, queueLength: 4, level: 'closed' },
        { lane: 'IN-2', state: 'closed', opensAt: iso(local('07:00', 8)), waitS: null, queueLength: 0, level: 'closed' },
        { lane: 'OUT-1', state: 'closed', opensAt: iso(local('07:00', 8)), waitS: null, queueLength: null, level: 'closed' },
      ],
      inbound: { state: 'closed', opensAt: iso(local('07:00', 8)), waitS: null, queueLength: 4, lanesOpen: 0, level: 'closed' },
    },
    {
      what: 'open by day, fresh records: open, the lowest wait of the open lanes, closing at 22:00',
      now: local('10:00'),
      held: (now: number) => held(now, { 'IN-1': { latest: record('IN-1', now - 4_000, { length: 6, wait_estimate_s: 1900.4 }) }, 'IN-2': { latest: record('IN-2', now - 4_000, { length: 2, wait_estimate_s: 600 }) }, 'OUT-1': { latest: record('OUT-1', now - 4_000) } }),
      lanes: [
        { lane: 'IN-1', state: 'open', closesAt: iso(local('22:00')), waitS: 1900, queueLength: 6, level: 'busy' },
        { lane: 'IN-2', state: 'open', closesAt: iso(local('22:00')), waitS: 600, queueLength: 2, level: 'normal' },
        { lane: 'OUT-1', state: 'open', closesAt: iso(local('22:00')), waitS: 0, queueLength: 0, level: 'normal' },
      ],
      inbound: { state: 'open', closesAt: iso(local('22:00')), waitS: 600, queueLength: 8, lanesOpen: 2, level: 'normal' },
    },
    {
      what: 'the agent stopped 45 s ago: every figure stale with its age, none open',
      now: local('10:00'),
      held: (now: number) => held(now, { 'IN-1': { latest: record('IN-1', now - 45_000, { length: 3, wait_estimate_s: 300 }) } }),
      lanes: [
        { lane: 'IN-1', state: 'stale', ageS: 45, waitS: 300, queueLength: 3, level: 'unknown' },
        { lane: 'IN-2', state: 'unknown', waitS: null, queueLength: null, level: 'unknown' },
        { lane: 'OUT-1', state: 'unknown', waitS: null, queueLength: null, level: 'unknown' },
      ],
      inbound: { state: 'stale', ageS: 45, waitS: 300, queueLength: 3, lanesOpen: 0, level: 'unknown' },
    },
    {
      what: 'the page lost its socket 45 s ago (records fresh when it went): stale, aged by the loss',
      now: local('10:00'),
      held: (now: number) => held(now, { 'IN-1': { latest: record('IN-1', now - 50_000) } }, { link: { up: false, sinceMs: now - 45_000 } }),
      lanes: [
        { lane: 'IN-1', state: 'stale', ageS: 50, waitS: 0, queueLength: 0, level: 'unknown' },
        { lane: 'IN-2', state: 'unknown', waitS: null, queueLength: null, level: 'unknown' },
        { lane: 'OUT-1', state: 'unknown', waitS: null, queueLength: null, level: 'unknown' },
      ],
      inbound: { state: 'stale', ageS: 50, waitS: 0, queueLength: 0, lanesOpen: 0, level: 'unknown' },
    },
    {
      what: "the agent's status offline: its last records are stale, not live",
      now: local('10:00'),
      held: (now: number) => held(now, { 'OUT-1': { latest: record('OUT-1', now - 2_000, { wait_estimate_s: 120 }) } }, { status: 'offline' }),
      lanes: [
        { lane: 'IN-1', state: 'unknown', waitS: null, queueLength: null, level: 'unknown' },
        { lane: 'IN-2', state: 'unknown', waitS: null, queueLength: null, level: 'unknown' },
        { lane: 'OUT-1', state: 'stale', ageS: 2, waitS: 120, queueLength: 0, level: 'unknown' },
      ],
      inbound: { state: 'unknown', waitS: null, queueLength: null, lanesOpen: 0, level: 'unknown' },
    },
  ])('$what', ({ now, held: h, lanes: expected, inbound }) => {
    const states = lanes(site, h(now), now);
    expect(states.map(({ direction: _d, updatedAt: _u, ...rest }) => rest)).toEqual(expected);
    const { direction: _d, lanesTotal, updatedAt: _u, ...dir } = directionState(site, 'inbound', states);
    expect(lanesTotal).toBe(2);
    expect(dir).toEqual(inbound);
  });

  it('never gives a closed lane a wait, nor an open one a state other than its records allow', () => {
    for (const hhmm of ['00:00', '06:59', '07:00', '12:00', '21:59', '22:00', '23:59']) {
      const now = local(hhmm);
      for (const age of [0, 29_000, 31_000, 3_600_000]) {
        for (const s of lanes(site, held(now, { 'IN-1': { latest: record('IN-1', now - age, { length: 2, wait_estimate_s: 90 }) } }), now)) {
          if (s.state === 'closed' || s.state === 'unknown') expect(s.waitS, `${hhmm} ${age}`).toBeNull();
          if (s.state === 'open') expect(age, hhmm).toBeLessThanOrEqual(30_000);
          expect(s.level === 'closed', `${hhmm} ${age}`).toBe(s.state === 'closed');
        }
      }
    }
  });

  it('a site without hours keeps the old rule: open while a unit passed within laneOpenMinutes, else closed without a reopening', () => {
    const { hours: _h, ...roundTheClock } = site;
    const port: SiteModel = { ...roundTheClock, lanes: [{ id: 'G1', direction: 'inbound' }, { id: 'G3', direction: 'inbound', hours: [{ open: '06:00', close: '22:00' }] }] };
    const now = local('23:00');
    const h = held(now, { G1: { latest: record('G1', now - 3_000, { length: 1, wait_estimate_s: 50 }), lastDepartureMs: now - 10 * 60_000 }, G3: { latest: record('G3', now - 3_000) } });
    const [g1, g3] = lanes(port, h, now);
    expect(g1).toMatchObject({ state: 'open', waitS: 50 });
    expect(g1!.closesAt).toBeUndefined();
    expect(g3).toMatchObject({ state: 'closed', opensAt: iso(local('06:00', 8)), waitS: null });
    const idle = held(now, { G1: { latest: record('G1', now - 3_000), lastDepartureMs: now - 31 * 60_000 } });
    expect(laneState(port, port.lanes[0]!, idle, now)).toMatchObject({ state: 'closed', waitS: null });
    expect(laneState(port, port.lanes[0]!, idle, now).opensAt).toBeUndefined();
  });
});

describe('devices', () => {
  const now = local('10:00');
  const record = (v: Partial<DeviceRecord>): DeviceRecord => ({ checkpoint: 'kim-thanh-road', device: 'cam-g1', online: true, frames: 10, bad_frames: 0, lost_frames: 0, last_seen_s: 4, time: iso(now - 10_000), timeNs: '0', ...v });
  const up = { deviceIntervalS: 30, link: { up: true } } as const;
  it.each([
    ['reporting and heard from: online, last seen aged by the clock', record({}), up, { state: 'online', lastSeenAgeS: 14 }],
    ["the port open but nothing ever read: never seen, not 'online, last seen never'", record({ last_seen_s: -1 }), up, { state: 'neverSeen', lastSeenAgeS: null }],
    ['no record at all', undefined, up, { state: 'neverSeen', lastSeenAgeS: null }],
    ['the edge says offline', record({ online: false, last_seen_s: 400 }), up, { state: 'offline', lastSeenAgeS: 410 }],
    ['no record for 3 intervals: silent, with the age', record({ time: iso(now - 95_000) }), up, { state: 'silent', lastSeenAgeS: 99, ageS: 95 }],
    ['the page lost the live data: silent', record({}), { deviceIntervalS: 30, link: { up: false, sinceMs: now - 60_000 } }, { state: 'silent', lastSeenAgeS: 14, ageS: 60 }],
  ] as const)('%s', (_what, r, opts, expected) => {
    expect(deviceState('cam-g1', r, opts, now)).toEqual({ device: 'cam-g1', ...expected });
  });
});

describe('units inside', () => {
  const now = local('10:00');
  const unit = (u: Partial<UnitInside>): UnitInside => ({ unit: 'U', lane: 'IN-1', kind: 'truck', channel: 'unknown', queueAt: iso(now - 600_000), ...u });
  it.each([
    ['seen at the queue only', unit({}), 'queued'],
    ['at the gate, no decision', unit({ gateAt: iso(now - 60_000) }), 'atGate'],
    ['at the gate, yellow', unit({ gateAt: iso(now - 60_000), channel: 'yellow' }), 'atGate'],
    ['through the gate on red', unit({ gateAt: iso(now - 60_000), channel: 'red' }), 'inInspection'],
    ['through the gate on green', unit({ gateAt: iso(now - 60_000), channel: 'green' }), 'leaving'],
    ['seen at the exit', unit({ gateAt: iso(now - 60_000), exitAt: iso(now - 1_000), channel: 'green' }), 'exited'],
  ] as const)('%s: %s', (_what, u, stage) => {
    expect(unitStage(u)).toBe(stage);
  });

  it('lists no unit that has exited, longest inside first, overdue past its channel limit', () => {
    const record = {
      checkpoint: 'kim-thanh-road',
      time: iso(now),
      more: 0,
      units: [
        unit({ unit: 'BMOU9262071', gateAt: iso(now - 60_000), exitAt: iso(now - 2_000) }),
        unit({ unit: '29C-111.11' }),
        unit({ unit: '云A40406', queueAt: iso(now - 6 * 3600_000), gateAt: iso(now - 5 * 3600_000), channel: 'red' }),
      ],
    };
    const inside = unitsInside(record, DEFAULT_OVERDUE_S.road, now);
    expect(inside.map((u) => [u.unit, u.stage, u.insideS, u.overdue])).toEqual([
      ['云A40406', 'inInspection', 21_600, true],
      ['29C-111.11', 'queued', 600, false],
    ]);
    expect(unitsInside(null, DEFAULT_OVERDUE_S.road, now)).toEqual([]);
  });
});
