/**
 * A simulated day of Kim Thanh road gate, backfilled through the edge's own code into a real
 * InfluxDB: with no faults injected, every unit the ground truth says left is one clearance
 * with the true channel, lane, kind and timings (camera readings carry the true times).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSiteConfig } from '@gatewatch/edge';
import type { Influxd } from '@gatewatch/infra';
import { startTestInflux, type TestInflux } from '../harness/influx.js';
import { backfill, crossing, NO_FAULTS, simulate, siteDescription, type DeviceEmission, type UnitTruth } from '@gatewatch/sim';

describe('a simulated day backfilled through the edge, against the ground truth', () => {
  let test: TestInflux;
  let influxd: Influxd;
  beforeAll(async () => {
    test = await startTestInflux('corridor');
    influxd = test.influxd;
  });
  afterAll(async () => {
    await test?.close();
  });

  it('writes one clearance per unit that left, matching its true times and channel', { timeout: 120_000 }, async () => {
    const kim = crossing('kim-thanh-road');
    const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000 - 7 * 3600_000; // a local midnight two days ago
    const from = day;
    const to = day + 86_400_000;
    const truth: UnitTruth[] = [];
    const site = parseSiteConfig({ ...siteDescription(kim), mqtt: { url: 'mqtt://127.0.0.1:1' }, influx: { url: influxd.url }, storage: { dir: '/nonexistent' } }, '/', {});
    const result = await backfill({
      influxUrl: influxd.url,
      from,
      // Units still inside at midnight leave after it: give them the time to.
      to: to + 6 * 3600_000,
      crossings: [
        {
          site,
          *emissions(a: number, b: number): Iterable<DeviceEmission> {
            for (const item of simulate({ crossing: kim, seed: 7, fromMs: from, toMs: to, faults: NO_FAULTS })) {
              if (item.at < a || item.at >= b) continue;
              if (item.kind === 'truth') {
                if (item.record.type === 'unit') truth.push(item.record);
              } else yield item;
            }
          },
        },
      ],
    });
    expect(result.crossings[0]!.skipped).toBe(false);
    const left = truth.filter((t) => t.complete);
    expect(left.length).toBeGreaterThan(50);

    const r = await influxd.query('SELECT * FROM clearance', 'gatewatch');
    const s = r.results[0]!.series![0]!;
    const rows = s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) as Record<string, unknown>);
    expect(rows).toHaveLength(left.length);
    const byUnit = new Map(rows.map((row) => [row.unit as string, row]));
    let timed = 0;
    for (const t of left) {
      const row = byUnit.get(t.unit);
      expect(row, t.unit).toBeDefined();
      expect({ lane: row!.lane, kind: row!.kind, channel: row!.channel, outcome: row!.outcome }, t.unit).toEqual({ lane: t.lane, kind: t.kind, channel: t.channel, outcome: 'released' });
      if (row!.process_s !== null && row!.process_s !== undefined) {
        expect(row!.process_s, t.unit).toBe((t.exitAt - t.gateAt) / 1000);
        timed++;
      }
      // A lane with a queue camera knows when the unit joined; one without (OUT-1) does not.
      const hasQueueCamera = kim.lanes.find((l) => l.id === t.lane)?.cameras.queue !== undefined;
      if (hasQueueCamera) expect(row!.wait_s, t.unit).toBe((t.gateAt - t.queueAt) / 1000);
      else expect(row!.wait_s ?? null, t.unit).toBeNull();
      if (t.weightKg !== undefined) expect(row!.weight_kg, t.unit).toBe(t.weightKg);
    }
    // Every unit passed the gate and exit cameras: all are timed, to the millisecond.
    expect(timed).toBe(left.length);
  });
});
