import { describe, expect, it } from 'vitest';
import { DEFAULT_OVERDUE_S } from '@gatewatch/shared';
import type { UnitInside } from '@gatewatch/shared';
import { isOverdue, stageOf } from './overdue.js';

const NOW = Date.parse('2026-11-25T10:00:00Z');
const inside = (s: number, channel: UnitInside['channel'], extra: Partial<UnitInside> = {}): UnitInside => ({
  unit: '24C-12345',
  lane: 'IN-1',
  kind: 'truck',
  channel,
  queueAt: new Date(NOW - s * 1000).toISOString(),
  ...extra,
});

describe('overdue rule', () => {
  it('is overdue only past the channel limit of the checkpoint kind', () => {
    const green = DEFAULT_OVERDUE_S.road.green;
    expect(isOverdue(inside(green, 'green'), 'road', NOW)).toBe(false);
    expect(isOverdue(inside(green + 1, 'green'), 'road', NOW)).toBe(true);
    // red units have longer in the yard
    expect(isOverdue(inside(green + 1, 'red'), 'road', NOW)).toBe(false);
    expect(isOverdue(inside(DEFAULT_OVERDUE_S.road.red + 1, 'red'), 'road', NOW)).toBe(true);
  });

  it('uses the rail limits for wagons and the unknown channel', () => {
    expect(isOverdue(inside(3 * 3600 + 60, 'green'), 'rail', NOW)).toBe(false);
    expect(isOverdue(inside(3 * 3600 + 60, 'green'), 'port', NOW)).toBe(true);
    expect(isOverdue(inside(DEFAULT_OVERDUE_S.rail.unknown + 1, 'unknown'), 'rail', NOW)).toBe(true);
  });

  it('counts from the first stage seen', () => {
    const u: UnitInside = { unit: 'X', lane: 'G1', kind: 'container', channel: 'green', gateAt: new Date(NOW - 4 * 3600_000).toISOString() };
    expect(isOverdue(u, 'port', NOW)).toBe(true);
    expect(stageOf(u)).toBe('gate');
    expect(stageOf({ ...u, exitAt: u.gateAt! })).toBe('exit');
    expect(stageOf(inside(1, 'green'))).toBe('queue');
  });
});
