/** Compares what InfluxDB holds with what the script implies, unit by unit. */
import { expect } from 'vitest';
import type { ClearanceRow } from './fixture.js';
import type { ExpectedClearance } from './scenario.js';

/** Every expected unit exactly once with exactly its tags, fields and time (ms; nudges aside). */
export function expectClearances(rows: readonly ClearanceRow[], expected: readonly ExpectedClearance[]): void {
  for (const e of expected) {
    const mine = rows.filter((r) => r.unit === e.unit);
    expect(mine, `clearances of ${e.unit}`).toHaveLength(1);
    const r = mine[0]!;
    expect({
      unit: r.unit,
      checkpoint: r.checkpoint,
      lane: r.lane,
      kind: r.kind,
      channel: r.channel,
      outcome: r.outcome,
      wait_s: r.wait_s ?? null,
      process_s: r.process_s ?? null,
      total_s: r.total_s ?? null,
      weight_kg: r.weight_kg ?? null,
      timeMs: Date.parse(r.time),
    }).toEqual({
      unit: e.unit,
      checkpoint: 'kim-thanh-road',
      lane: e.lane,
      kind: e.kind,
      channel: e.channel,
      outcome: e.outcome,
      wait_s: e.wait_s ?? null,
      process_s: e.process_s ?? null,
      total_s: e.total_s ?? null,
      weight_kg: e.weight_kg ?? null,
      timeMs: e.timeMs,
    });
  }
}
