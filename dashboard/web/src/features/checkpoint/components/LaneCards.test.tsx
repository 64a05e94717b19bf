// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import { DEFAULT_RECORD_INTERVALS, laneState, siteModelOf, type HeldRecords, type QueueRecord } from '@gatewatch/shared';
import { I18nProvider } from '../../../i18n/index.js';
import { LaneCards } from './LaneCards.js';

afterEach(cleanup);

/** 10:00 and 23:30 local (UTC+7). */
const DAY = Date.parse('2026-12-07T10:00:00+07:00');
const NIGHT = Date.parse('2026-12-07T23:30:00+07:00');
const record = (lane: string, length: number, waitS: number, at: number): QueueRecord => ({
  checkpoint: 'kim-thanh-road',
  lane,
  length,
  arrivals: 0,
  departures: 1,
  wait_estimate_s: waitS,
  time: new Date(at).toISOString(),
  timeNs: `${at}000000`,
});
const info = {
  id: 'kim-thanh-road',
  lanes: [
    { id: 'IN-1', direction: 'inbound' as const },
    { id: 'IN-2', direction: 'inbound' as const },
    { id: 'OUT-1', direction: 'outbound' as const },
  ],
  hours: [{ open: '07:00', close: '22:00' }],
  ...DEFAULT_RECORD_INTERVALS,
  laneOpenMinutes: 30,
  congestion: { busyWaitS: 15 * 60, congestedWaitS: 45 * 60 },
};
const cards = (held: HeldRecords, now: number) => {
  const site = siteModelOf(info);
  render(
    <I18nProvider initialLang="en">
      <LaneCards lanes={site.lanes.map((l) => laneState(site, l, held, now))} />
    </I18nProvider>,
  );
};

describe('LaneCards', () => {
  it('colours an open lane by its checkpoint thresholds, as the server colours the crossing', () => {
    cards({ status: 'online', link: { up: true }, lanes: { 'IN-1': { latest: record('IN-1', 4, 20 * 60, DAY - 3_000) }, 'IN-2': { latest: record('IN-2', 12, 50 * 60, DAY - 3_000) } } }, DAY);
    expect(screen.getByTestId('lane-IN-1').className).toContain('level-busy');
    expect(screen.getByTestId('lane-IN-2').className).toContain('level-congested');
    expect(screen.getByTestId('lane-OUT-1').dataset['state']).toBe('unknown');
    expect(screen.getByTestId('lane-IN-2-queue').textContent).toBe('12');
    expect(screen.getByTestId('lane-OUT-1-queue').textContent).toBe('–');
    expect(screen.getByTestId('lane-OUT-1').textContent).toContain('No figures yet');
  });

  it('says "No queue" for an open lane nobody waits at, not "0 s"', () => {
    cards({ status: 'online', link: { up: true }, lanes: { 'IN-1': { latest: record('IN-1', 0, 0, DAY - 3_000) } } }, DAY);
    expect(screen.getByTestId('lane-IN-1-wait').textContent).toBe('No queue');
  });

  it('draws a closed lane closed, with its reopening and its queue, never a wait of 0 seconds', () => {
    cards({ status: 'online', link: { up: true }, lanes: { 'IN-1': { latest: record('IN-1', 4, 0, NIGHT - 3_000) } } }, NIGHT);
    const lane = screen.getByTestId('lane-IN-1');
    expect(lane.dataset['state']).toBe('closed');
    expect(lane.className).toContain('level-closed');
    expect(screen.getByTestId('lane-IN-1-wait').textContent).toBe('Closed');
    expect(screen.getByTestId('lane-IN-1-queue').textContent).toBe('4');
    expect(lane.textContent).toContain('Closed · opens at 07:00');
    expect(lane.textContent).not.toMatch(/0 s/);
  });

  it('greys stale figures and says how old they are', () => {
    cards({ status: 'online', link: { up: false, sinceMs: DAY - 120_000 }, lanes: { 'IN-1': { latest: record('IN-1', 3, 300, DAY - 125_000) } } }, DAY);
    const lane = screen.getByTestId('lane-IN-1');
    expect(lane.dataset['state']).toBe('stale');
    expect(lane.className).toContain('level-unknown');
    expect(lane.textContent).toContain('Figures from 2 min ago');
  });
});
