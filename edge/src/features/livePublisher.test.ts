import { describe, expect, it } from 'vitest';
import type { OpenUnitView } from '../core/index.js';
import { unitsInsideRecord } from './livePublisher.js';

const T = Date.parse('2026-11-25T03:00:00.000Z');

describe('units inside, as the dashboard receives them', () => {
  it('gives each open unit its stages as UTC times and its channel so far', () => {
    const open: OpenUnitView[] = [
      { unit: '24C-123.45', lane: 'IN-1', kind: 'truck', channel: 'red', queueMs: T - 3_600_000, gateMs: T - 600_000, held: false },
      { unit: 'MSCU1234565', lane: 'IN-2', kind: 'container', channel: 'unknown', gateMs: T - 5_000, exitMs: T - 1_000, weightKg: 31_250, held: true },
    ];
    expect(unitsInsideRecord('kim-thanh-road', T, open)).toEqual({
      checkpoint: 'kim-thanh-road',
      time: '2026-11-25T03:00:00.000Z',
      units: [
        { unit: '24C-123.45', lane: 'IN-1', kind: 'truck', channel: 'red', queueAt: '2026-11-25T02:00:00.000Z', gateAt: '2026-11-25T02:50:00.000Z' },
        { unit: 'MSCU1234565', lane: 'IN-2', kind: 'container', channel: 'unknown', gateAt: '2026-11-25T02:59:55.000Z', exitAt: '2026-11-25T02:59:59.000Z' },
      ],
      more: 0,
    });
  });

  it('lists the oldest units up to the cap and counts the rest', () => {
    const open: OpenUnitView[] = Array.from({ length: 7 }, (_, i) => ({ unit: `U${i}`, lane: 'IN-1', kind: 'truck', channel: 'green', queueMs: T + i, held: false }));
    const r = unitsInsideRecord('kim-thanh-road', T, open, 5);
    expect(r.units.map((u) => u.unit)).toEqual(['U0', 'U1', 'U2', 'U3', 'U4']);
    expect(r.more).toBe(2);
  });
});
