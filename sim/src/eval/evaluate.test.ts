import { describe, expect, it } from 'vitest';
import { HOUR_MS, localDayStart } from '../corridor/profile.js';
import { simulate } from '../corridor/simulate.js';
import { aggregate, evaluateEstimates, figures, type EvaluateOptions, type EvaluationResult } from './evaluate.js';

// Three busy hours of the port gate, after two hours of warm-up: fast, and enough joiners.
const DAY = '2026-11-24';
const FROM = localDayStart(DAY) + 8 * HOUR_MS;
const TO = FROM + 3 * HOUR_MS;
const WARMUP = 2 * HOUR_MS;
const OPTS: EvaluateOptions = { crossing: 'dinh-vu-port', seed: 42, day: DAY, fromMs: FROM, toMs: TO, warmupMs: WARMUP };

const allFigures = (r: EvaluationResult): number[] => [r.estimator, r.lastAtGate, r.lastHourMean].flatMap((f) => [f.mae, f.p90]);

describe('evaluating the published wait estimates against the true waits', () => {
  const result = evaluateEstimates(OPTS);

  it('scores every joiner of the range with finite, non-negative figures', () => {
    expect(result.samples).toBeGreaterThan(10);
    expect(result.unscored).toBe(0);
    for (const x of [...allFigures(result), result.meanWaitS]) {
      expect(Number.isFinite(x)).toBe(true);
      expect(x).toBeGreaterThanOrEqual(0);
    }
  });

  it('gives the same figures for the same seed', () => {
    expect(evaluateEstimates(OPTS)).toEqual(result);
  });

  it('scores a constant-zero estimate at the mean true wait of exactly the units that joined in the range', () => {
    // The truth, independently of the evaluation: the same seeded simulation, its units joining in the range.
    const waits: number[] = [];
    for (const item of simulate({ crossing: OPTS.crossing, seed: OPTS.seed, fromMs: FROM - WARMUP, toMs: TO, drain: true })) {
      if (item.kind === 'truth' && item.record.type === 'unit' && item.record.queueAt >= FROM && item.record.queueAt < TO) {
        waits.push((item.record.gateAt - item.record.queueAt) / 1000);
      }
    }
    const meanWait = waits.reduce((a, b) => a + b, 0) / waits.length;

    const zero = evaluateEstimates({ ...OPTS, estimate: () => 0 });
    expect(zero.samples).toBe(waits.length);
    expect(zero.estimator.mae).toBeCloseTo(meanWait, 6);
    expect(zero.meanWaitS).toBeCloseTo(meanWait, 6);
    // The baselines do not depend on the estimator: same samples, same figures.
    expect({ lastAtGate: zero.lastAtGate, lastHourMean: zero.lastHourMean, samples: zero.samples }).toEqual({
      lastAtGate: result.lastAtGate,
      lastHourMean: result.lastHourMean,
      samples: result.samples,
    });
  });

  it('pools several runs of a crossing: figures over all their samples, not a mean of the runs\' figures', () => {
    const other = evaluateEstimates({ ...OPTS, seed: 43 });
    const [pooled, ...rest] = aggregate([result, other]);
    expect(rest).toEqual([]);
    expect(pooled!.runs).toBe(2);
    expect(pooled!.samples).toBe(result.samples + other.samples);
    expect(pooled!.estimator).toEqual(figures([...result.errors.estimator, ...other.errors.estimator]));
    expect(pooled!.lastAtGate).toEqual(figures([...result.errors.lastAtGate, ...other.errors.lastAtGate]));
    expect(pooled!.meanWaitS).toBeCloseTo((result.meanWaitS * result.samples + other.meanWaitS * other.samples) / pooled!.samples, 6);
  });

  it('publishes one estimate for all the wagons of a train passing the queue camera (they wait alike)', () => {
    const rail = evaluateEstimates({ ...OPTS, crossing: 'lao-cai-rail', fromMs: localDayStart(DAY) + 7 * HOUR_MS, toMs: localDayStart(DAY) + 11 * HOUR_MS, warmupMs: 12 * HOUR_MS });
    expect(rail.samples).toBeGreaterThan(15);
    expect(rail.unscored).toBe(0);
    // The train's first wagon is told before its train is seen; the others as members of it.
    expect(rail.estimator.mae).toBeLessThan(rail.meanWaitS);
  });

  it('computes MAE and nearest-rank p90', () => {
    expect(figures([10, 1, 9, 2, 8, 3, 7, 4, 6, 5])).toEqual({ mae: 5.5, p90: 9 });
    expect(figures([3])).toEqual({ mae: 3, p90: 3 });
    expect(figures([])).toEqual({ mae: 0, p90: 0 });
  });
});
