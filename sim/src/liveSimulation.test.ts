import { describe, expect, it } from 'vitest';
import type { DeviceEmission } from './backfill.js';
import { localDayStart, type TruthItem } from './corridor/index.js';
import { liveEmissions } from './liveSimulation.js';

const HOUR = 3600_000;

/** The emissions and truth of a live simulation from `fromMs`, up to `toMs`. */
function play(fromMs: number, toMs: number): { emissions: DeviceEmission[]; truth: TruthItem[] } {
  const truth: TruthItem[] = [];
  const emissions: DeviceEmission[] = [];
  for (const e of liveEmissions({ crossing: 'kim-thanh-road', seed: 11, fromMs, onTruth: (t) => truth.push(t) })) {
    if (e.at >= toMs) break;
    emissions.push(e);
  }
  return { emissions, truth: truth.filter((t) => t.at < toMs) };
}

describe('the live simulation of a crossing', () => {
  const runStart = localDayStart('2026-11-25') + 9 * HOUR;
  const first = play(runStart, runStart + 2 * HOUR);

  it('plays from its start on, with the traffic already in the crossing', () => {
    expect(first.emissions[0]!.at).toBeGreaterThanOrEqual(runStart);
    // Units that arrived before the start leave after it: their truth comes with the live part.
    expect(first.truth.some((t) => t.record.type === 'unit' && t.record.queueAt < runStart)).toBe(true);
  });

  it('started again later the same day, plays on exactly what the first would have played from then on', () => {
    const restart = runStart + 40 * 60_000 + 1234;
    const again = play(restart, runStart + 2 * HOUR);
    expect(again.emissions.length).toBeGreaterThan(100);
    expect(again.emissions).toEqual(first.emissions.filter((e) => e.at >= restart));
    expect(again.truth).toEqual(first.truth.filter((t) => t.at >= restart));
  });
});
