// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import { DEFAULT_OVERDUE_S, unitsInside, type UnitsInsideRecord } from '@gatewatch/shared';
import { I18nProvider } from '../../../i18n/index.js';
import { UnitsTable } from './UnitsTable.js';

const NOW = Date.parse('2026-11-25T10:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

const units: UnitsInsideRecord = {
  checkpoint: 'kim-thanh-road',
  time: ago(0),
  more: 2,
  units: [
    { unit: '24C-12345', lane: 'IN-1', kind: 'truck', channel: 'green', queueAt: ago(600) },
    { unit: '29H-45678', lane: 'IN-2', kind: 'truck', channel: 'green', queueAt: ago(3 * 3600 + 5), gateAt: ago(3 * 3600 - 60) },
    { unit: '51D-22222', lane: 'IN-1', kind: 'truck', channel: 'red', queueAt: ago(4 * 3600) },
    // Seen at the exit, held by the edge for its lateness window: it has left.
    { unit: 'BMOU9262071', lane: 'IN-2', kind: 'container', channel: 'green', queueAt: ago(5 * 3600), gateAt: ago(60), exitAt: ago(2) },
  ],
};

describe('UnitsTable', () => {
  it('lists the units inside longest first, never one that has left, with its stage, and highlights the overdue ones', () => {
    render(
      <I18nProvider initialLang="en">
        <UnitsTable units={unitsInside(units, DEFAULT_OVERDUE_S.road, NOW)} more={units.more} />
      </I18nProvider>,
    );
    const table = screen.getByRole('region', { name: 'Units inside the control area' });
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows.map((r) => within(r).getAllByRole('cell')[0]!.textContent)).toEqual(['51D-22222', '29H-45678', '24C-12345']);
    // red has five hours on a road crossing; green three
    expect(rows.map((r) => r.hasAttribute('data-overdue'))).toEqual([false, true, false]);
    expect(rows[1]!.textContent).toContain('Overdue');
    expect(rows[1]!.textContent).toContain('3 h');
    expect(rows.map((r) => within(r).getAllByRole('cell')[4]!.textContent)).toEqual(['Queuing', 'Leaving', 'Queuing']);
    expect(rows[2]!.textContent).toContain('10 min');
    expect(rows[0]!.textContent).toContain('4 h');
    expect(screen.getByRole('status').textContent).toBe('1 overdue');
    expect(screen.getByText('And 2 more units not listed.')).toBeTruthy();
  });
});
