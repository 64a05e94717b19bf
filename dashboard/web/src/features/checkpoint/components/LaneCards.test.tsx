// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import type { QueueRecord } from '@gatewatch/shared';
import { I18nProvider } from '../../../i18n/index.js';
import { LaneCards } from './LaneCards.js';

afterEach(cleanup);

const record = (lane: string, length: number, waitS: number): QueueRecord => ({
  checkpoint: 'dinh-vu-port',
  lane,
  length,
  arrivals: 0,
  departures: 1,
  wait_estimate_s: waitS,
  time: '2026-11-25T03:00:00.000Z',
  timeNs: '1795575600000000000',
});

describe('LaneCards', () => {
  it('colours a lane by its checkpoint thresholds, as the server colours the crossing', () => {
    const lanes = [
      { id: 'IN-1', direction: 'inbound' as const },
      { id: 'IN-2', direction: 'inbound' as const },
      { id: 'OUT-1', direction: 'outbound' as const },
    ];
    // 20 min: normal by the defaults (busy from 30 min), busy at a port that says 15 min.
    const records = [record('IN-1', 4, 20 * 60), record('IN-2', 12, 50 * 60)];
    render(
      <I18nProvider initialLang="en">
        <LaneCards lanes={lanes} records={records} thresholds={{ busyWaitS: 15 * 60, congestedWaitS: 45 * 60 }} />
      </I18nProvider>,
    );
    expect(screen.getByTestId('lane-IN-1').className).toContain('level-busy');
    expect(screen.getByTestId('lane-IN-2').className).toContain('level-congested');
    expect(screen.getByTestId('lane-OUT-1').className).toContain('level-unknown');
    expect(screen.getByTestId('lane-IN-2-queue').textContent).toBe('12');
    expect(screen.getByTestId('lane-OUT-1-queue').textContent).toBe('–');
  });

  it('falls back to the default thresholds until the checkpoint is known', () => {
    render(
      <I18nProvider initialLang="en">
        <LaneCards lanes={[{ id: 'IN-1', direction: 'inbound' }]} records={[record('IN-1', 4, 20 * 60)]} thresholds={undefined} />
      </I18nProvider>,
    );
    expect(screen.getByTestId('lane-IN-1').className).toContain('level-normal');
  });
});
