// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen, within } from '@testing-library/react';
import { DEFAULT_CONGESTION, DEFAULT_RECORD_INTERVALS, type CheckpointInfo, type WaitEstimate } from '@gatewatch/shared';
import { I18nProvider } from '../../../i18n/index.js';
import { corridorFromEstimates, estimateAsShown } from '../api.js';
import { CorridorStrip, crossingLevel } from './CorridorStrip.js';

afterEach(cleanup);

const CPS: CheckpointInfo[] = [
  { id: 'dinh-vu-port', name: { vi: 'Cổng cảng Đình Vũ', en: 'Dinh Vu Port Gate' }, kind: 'port', region: 'hai-phong', order: 2, lanes: [], congestion: DEFAULT_CONGESTION, ...DEFAULT_RECORD_INTERVALS, laneOpenMinutes: 30 },
  { id: 'lao-cai-rail', name: { vi: 'Ga Lào Cai', en: 'Lao Cai Station' }, kind: 'rail', region: 'lao-cai', order: 0, lanes: [], congestion: DEFAULT_CONGESTION, ...DEFAULT_RECORD_INTERVALS, laneOpenMinutes: 30 },
  { id: 'kim-thanh-road', name: { vi: 'Cửa khẩu Kim Thành', en: 'Kim Thanh Gate' }, kind: 'road', region: 'lao-cai', order: 1, lanes: [], congestion: DEFAULT_CONGESTION, ...DEFAULT_RECORD_INTERVALS, laneOpenMinutes: 30 },
];
const est = (checkpoint: string, direction: WaitEstimate['direction'], waitS: number | null, level: WaitEstimate['level'], queueLength = 4): WaitEstimate => ({
  checkpoint,
  direction,
  expectedWaitS: waitS,
  queueLength,
  lanesOpen: waitS === null ? 0 : 1,
  lanesTotal: 1,
  state: level === 'closed' ? 'closed' : level === 'unknown' ? 'unknown' : 'open',
  level,
  updatedAt: '2026-11-25T17:30:00Z',
});
const ESTIMATES = [
  est('lao-cai-rail', 'inbound', 3900, 'busy', 31),
  est('lao-cai-rail', 'outbound', null, 'closed', 0),
  est('kim-thanh-road', 'inbound', 600, 'normal'),
  est('kim-thanh-road', 'outbound', 8000, 'congested'),
];

describe('CorridorStrip', () => {
  it('shows one item per crossing with its wait and queue per direction', () => {
    const crossings = new Map(corridorFromEstimates(ESTIMATES).map((c) => [c.checkpoint, c]));
    const sorted = [...CPS].sort((a, b) => a.order - b.order);
    render(
      <I18nProvider initialLang="vi">
        <CorridorStrip checkpoints={sorted} crossings={crossings} linkOf={(id) => (id === 'kim-thanh-road' ? '#/checkpoint/kim-thanh-road' : undefined)} />
      </I18nProvider>,
    );
    const list = screen.getByRole('list', { name: 'Các cửa khẩu theo thứ tự hành lang' });
    const items = within(list).getAllByRole('listitem');
    expect(items.map((i) => within(i).getByRole('heading').textContent)).toEqual(['Ga Lào Cai', 'Cửa khẩu Kim Thành', 'Cổng cảng Đình Vũ']);

    const laoCai = items[0]!;
    const inbound = within(laoCai).getByRole('row', { name: /Chiều nhập/ });
    expect(inbound.textContent).toContain('1 giờ 5 phút');
    expect(inbound.textContent).toContain('31');
    expect(within(laoCai).getByRole('row', { name: /Chiều xuất/ }).textContent).toContain('Đóng cửa');
    expect(laoCai.getAttribute('data-level')).toBe('busy');
    expect(laoCai.textContent).toContain('Cập nhật 00:30');

    expect(items[1]!.getAttribute('data-level')).toBe('congested');
    expect(within(items[1]!).getByRole('link', { name: /Xem chi tiết/ }).getAttribute('href')).toBe('#/checkpoint/kim-thanh-road');
    // nothing known yet: grey, no link, said so
    expect(items[2]!.getAttribute('data-level')).toBe('unknown');
    expect(within(items[2]!).queryByRole('link')).toBeNull();
    expect(items[2]!.textContent).toContain('Chưa có ước tính');
  });

  it('colours a crossing by its worst direction', () => {
    expect(crossingLevel([est('x', 'inbound', 1, 'normal'), est('x', 'outbound', 1, 'busy')])).toBe('busy');
    expect(crossingLevel([est('x', 'inbound', null, 'closed')])).toBe('closed');
    expect(crossingLevel([])).toBe('unknown');
  });
});

describe('estimates as the page shows them', () => {
  const NOW = Date.parse('2026-12-07T23:30:00+07:00');
  const e = (over: Partial<WaitEstimate>): WaitEstimate => ({ ...est('kim-thanh-road', 'inbound', 300, 'normal'), ...over });
  it('a page that lost the server shows every figure stale from then on, a closed crossing closed until it opens', () => {
    const lost = { up: false as const, sinceMs: NOW - 45_000 };
    expect(estimateAsShown(e({}), NOW - 60_000, lost, NOW)).toMatchObject({ state: 'stale', ageS: 45, level: 'unknown', expectedWaitS: 300 });
    const closed = e({ state: 'closed', level: 'closed', expectedWaitS: null, opensAt: '2026-12-08T00:00:00.000Z' });
    expect(estimateAsShown(closed, NOW - 60_000, lost, NOW)).toEqual(closed);
    expect(estimateAsShown(closed, NOW - 60_000, lost, Date.parse('2026-12-08T00:00:10Z'))).toMatchObject({ state: 'stale', ageS: Math.round((Date.parse('2026-12-08T00:00:10Z') - lost.sinceMs) / 1000) });
  });

  it('ages a stale figure while it is shown, and leaves an open one as the server sent it', () => {
    expect(estimateAsShown(e({ state: 'stale', ageS: 40, level: 'unknown' }), NOW - 20_000, { up: true }, NOW)).toMatchObject({ ageS: 60 });
    expect(estimateAsShown(e({}), NOW - 600_000, { up: true }, NOW)).toEqual(e({}));
  });
});
