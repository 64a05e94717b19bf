/**
 * The history backfill writes, into a real InfluxDB, the records the live agent would have
 * written for the same device traffic, computes the aggregates for the range, and skips a
 * crossing that is already there when run again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Influxd } from '@gatewatch/infra';
import { startTestInflux, type TestInflux } from '../harness/influx.js';
import { backfill } from '@gatewatch/sim';
import { expectClearances } from '../edge/expectations.js';
import type { ClearanceRow } from '../edge/fixture.js';
import { buildScenario, scenarioSite, stepsAt } from '../edge/scenario.js';

describe('history backfill into a real InfluxDB', () => {
  let test: TestInflux;
  let influxd: Influxd;
  beforeAll(async () => {
    test = await startTestInflux('backfill');
    influxd = test.influxd;
  });
  afterAll(async () => {
    await test?.close();
  });

  // Yesterday morning, well inside the raw retention.
  const from = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000 + 2 * 3600_000;
  const to = from + 2 * 3600_000;
  const scenario = buildScenario(from + 600_000);
  const crossing = {
    site: scenarioSite(),
    emissions: (a: number, b: number) => stepsAt(scenario.steps, from + 600_000).filter((e) => e.at >= a && e.at < b),
  };

  it('writes the live agent\'s clearances and their hourly aggregates', async () => {
    const progress: number[] = [];
    const result = await backfill({ influxUrl: influxd.url, from, to, crossings: [crossing], onProgress: (d) => progress.push(d) });
    expect(result.crossings).toMatchObject([{ checkpoint: 'kim-thanh-road', skipped: false }]);
    expect(result.downsampled).toBe(true);
    expect(progress.at(-1)).toBe(1);

    const r = await influxd.query('SELECT * FROM clearance', 'gatewatch');
    const s = r.results[0]!.series![0]!;
    const rows = s.values.map((v) => {
      const row = Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) as Record<string, unknown>;
      return { ...row, time: new Date(Number(BigInt(String(row.time)) / 1_000_000n)).toISOString() } as unknown as ClearanceRow;
    });
    expect(rows).toHaveLength(scenario.expected.length + 1);
    expectClearances(rows, scenario.expected);

    const agg = await influxd.query('SELECT sum(units) FROM agg_1h.clearance_1h', 'gatewatch');
    expect(agg.results[0]?.series?.[0]?.values[0]?.[1]).toBe(scenario.expected.length + 1);
    const q = await influxd.query("SELECT sum(arrivals) FROM agg_1m.queue_1m WHERE lane = 'IN-1'", 'gatewatch');
    expect(q.results[0]?.series?.[0]?.values[0]?.[1]).toBe(scenario.loopEdges['IN-1']!.Q);
  });

  it('skips a crossing whose range is already in InfluxDB', async () => {
    const result = await backfill({ influxUrl: influxd.url, from, to, crossings: [crossing] });
    expect(result.crossings).toMatchObject([{ checkpoint: 'kim-thanh-road', skipped: true }]);
    const r = await influxd.query('SELECT count(unit) FROM clearance', 'gatewatch');
    expect(r.results[0]?.series?.[0]?.values[0]?.[1]).toBe(scenario.expected.length + 1);
  });
});
