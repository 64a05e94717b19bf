/**
 * The history backfill writes, into a real InfluxDB, the records the live agent would have
 * written for the same device traffic, computes the aggregates for the range, skips a
 * crossing that is already there when run again, completes one that an earlier run left part
 * way, and says so loudly when InfluxDB does not take everything.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applySchema, startInfluxd, type Influxd } from '@gatewatch/infra';
import { startTestInflux, type TestInflux } from '../harness/influx.js';
import { parseSiteConfig } from '@gatewatch/edge';
import { backfill, BackfillError, crossing as simCrossing, localMidnight, NO_FAULTS, simulate, siteDescription, type DeviceEmission, type UnitTruth } from '@gatewatch/sim';
import { expectClearances } from '../edge/expectations.js';
import type { ClearanceRow } from '../edge/fixture.js';
import { buildScenario, scenarioSite, stepsAt } from '../edge/scenario.js';

// Yesterday morning, well inside the raw retention.
const from = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 86_400_000 + 2 * 3600_000;
const to = from + 2 * 3600_000;
const scenario = buildScenario(from + 600_000);
const crossing = {
  site: scenarioSite(),
  emissions: (a: number, b: number) => stepsAt(scenario.steps, from + 600_000).filter((e) => e.at >= a && e.at < b),
};

async function clearanceRows(influxd: Influxd): Promise<ClearanceRow[]> {
  const r = await influxd.query('SELECT * FROM clearance', 'gatewatch');
  const s = r.results[0]!.series![0]!;
  return s.values.map((v) => {
    const row = Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) as Record<string, unknown>;
    return { ...row, time: new Date(Number(BigInt(String(row.time)) / 1_000_000n)).toISOString() } as unknown as ClearanceRow;
  });
}

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

  it('writes the live agent\'s clearances and their hourly aggregates', async () => {
    const progress: number[] = [];
    const result = await backfill({ influxUrl: influxd.url, from, to, crossings: [crossing], onProgress: (d) => progress.push(d) });
    expect(result.crossings).toMatchObject([{ checkpoint: 'kim-thanh-road', skipped: false }]);
    expect(result.downsampled).toBe(true);
    expect(progress.at(-1)).toBe(1);

    const rows = await clearanceRows(influxd);
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

describe('a backfill stopped part way', () => {
  let test: TestInflux;
  beforeAll(async () => {
    test = await startTestInflux('backfill-resume');
  });
  afterAll(async () => {
    await test?.close();
  });

  it('is completed by the next run from where it stopped: each unit once, with its true times, and its aggregates', { timeout: 120_000 }, async () => {
    const { influxd } = test;
    const kim = simCrossing('kim-thanh-road');
    // A morning two days ago (local time), fault free so that every clearance is exact.
    const start = localMidnight(Date.now()) - 2 * 86_400_000 + 6 * 3600_000;
    const truth = new Map<string, UnitTruth>();
    const site = parseSiteConfig({ ...siteDescription(kim), mqtt: { url: 'mqtt://127.0.0.1:1' }, influx: { url: influxd.url }, storage: { dir: '/nonexistent' } }, '/', {});
    const morning = {
      site,
      *emissions(a: number, b: number): Iterable<DeviceEmission> {
        for (const item of simulate({ crossing: kim, seed: 11, fromMs: start, toMs: start + 4 * 3600_000, faults: NO_FAULTS })) {
          if (item.at < a || item.at >= b) continue;
          if (item.kind === 'truth') {
            if (item.record.type === 'unit' && item.record.complete) truth.set(item.record.unit, item.record);
          } else yield item;
        }
      },
    };
    const end = start + 10 * 3600_000;
    // Stopped two hours in, as Ctrl-C would leave it: the history reaches only `mid`.
    const mid = start + 2 * 3600_000;
    const first = await backfill({ influxUrl: influxd.url, from: start, to: mid, crossings: [morning] });
    expect(first.crossings[0]).toMatchObject({ skipped: false });
    const partial = await clearanceRows(influxd);
    // Then records came after a hole, as the live agents of that run wrote on after it was
    // stopped: they must not be taken for how far the history reaches.
    const later = await backfill({ influxUrl: influxd.url, from: start + 5 * 3600_000, to: end, crossings: [morning] });
    expect(later.crossings[0]).toMatchObject({ skipped: false });

    truth.clear();
    const second = await backfill({ influxUrl: influxd.url, from: start, to: end, crossings: [morning] });
    const c = second.crossings[0]!;
    expect(c.skipped).toBe(false);
    // Resumed at the hole, not from the start of the range, nor after the records beyond it.
    expect(c.resumedFrom).toBeGreaterThan(start);
    expect(c.resumedFrom).toBeLessThanOrEqual(mid);

    const rows = await clearanceRows(influxd);
    expect(partial.length).toBeGreaterThan(5);
    expect(rows.length).toBeGreaterThan(partial.length + 5);
    // Each unit once: what the piece after the hole wrote was replaced, not written beside.
    expect(rows).toHaveLength(truth.size);
    for (const row of rows) {
      const t = truth.get(row.unit);
      expect(t, row.unit).toBeDefined();
      expect({ lane: row.lane, channel: row.channel, process_s: row.process_s }, row.unit).toEqual({ lane: t!.lane, channel: t!.channel, process_s: (t!.exitAt - t!.gateAt) / 1000 });
    }
    const agg = await influxd.query('SELECT sum(units) FROM agg_1h.clearance_1h', 'gatewatch');
    expect(agg.results[0]?.series?.[0]?.values[0]?.[1]).toBe(truth.size);

    const third = await backfill({ influxUrl: influxd.url, from: start, to: end, crossings: [morning] });
    expect(third.crossings[0]).toMatchObject({ skipped: true });
  });
});

describe('a backfill that InfluxDB does not take', () => {
  // An InfluxDB behind a proxy that answers queries but is overloaded for writes (503).
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      if (req.url?.startsWith('/query')) {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ results: [{ statement_id: 0 }] }));
      } else {
        res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'overloaded' }));
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it('fails naming the crossing and how much was not written, instead of dropping points silently', async () => {
    const run = backfill({ influxUrl: url, from, to, crossings: [crossing], drainTimeoutMs: 1500 });
    await expect(run).rejects.toBeInstanceOf(BackfillError);
    await expect(run).rejects.toMatchObject({ code: 'NOT_DRAINED', message: expect.stringMatching(/^kim-thanh-road: .* took only 0 of \d+ points/) });
  });
});

describe('a backfill into an InfluxDB that requires credentials', () => {
  const admin = { username: 'gatewatch-admin', password: `pw-${process.pid}-${Date.now()}` };
  let dir: string;
  let influxd: Influxd;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-backfill-auth-'));
    influxd = await startInfluxd({ dataDir: join(dir, 'influxdb'), admin });
    await applySchema({ url: influxd.url, credentials: admin });
  });
  afterAll(async () => {
    await influxd?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  // The site's influx section as the agent's config resolves it (credentials from its environment).
  const siteWith = (credentials: { username: string; password: string }) => ({
    ...crossing,
    site: { ...crossing.site, influx: { ...crossing.site.influx, url: influxd.url, credentials } },
  });

  it('writes with the credentials of the site, and names the refusal of wrong ones', async () => {
    const result = await backfill({ influxUrl: influxd.url, credentials: admin, from, to, crossings: [siteWith(admin)] });
    expect(result.crossings[0]).toMatchObject({ skipped: false });
    const r = await influxd.query('SELECT count(unit) FROM clearance', 'gatewatch');
    expect(r.results[0]?.series?.[0]?.values[0]?.[1]).toBe(scenario.expected.length + 1);
    const agg = await influxd.query('SELECT sum(units) FROM agg_1h.clearance_1h', 'gatewatch');
    expect(agg.results[0]?.series?.[0]?.values[0]?.[1]).toBe(scenario.expected.length + 1);

    await expect(backfill({ influxUrl: influxd.url, from, to, crossings: [siteWith({ ...admin, password: 'not-it' })] })).rejects.toMatchObject({
      code: 'INFLUX_QUERY',
      message: expect.stringMatching(/^kim-thanh-road: InfluxDB at .* answered 401/),
    });
  });
});
