/**
 * InfluxDB's raw write limit: batches of 5000 clearance-like points in line protocol, POSTed to
 * /write over plain HTTP one after the other (as the agent's sender sends them: one batch in
 * flight), into a database of their own. Fails unless InfluxDB then counts every point.
 */
import { BenchFailure } from './mqtt.js';

export const BATCH_POINTS = 5000;
const DATABASE = 'bench_raw';

export interface RawInfluxResult {
  batches: number;
  pointsPerBatch: number;
  points: number;
  /** Mean line length, bytes (with its newline). */
  lineBytes: number;
  pointsPerS: number;
  seconds: number;
}

async function query(url: string, q: string, db?: string): Promise<unknown[][]> {
  const params = new URLSearchParams({ q });
  if (db) params.set('db', db);
  const res = await fetch(`${url}/query`, { method: 'POST', body: params });
  const body = (await res.json()) as { results?: { series?: { values: unknown[][] }[]; error?: string }[]; error?: string };
  const error = body.error ?? body.results?.[0]?.error;
  if (!res.ok || error) throw new BenchFailure(`InfluxDB at ${url}: '${q}' failed: HTTP ${res.status} ${error ?? ''}`);
  return body.results?.[0]?.series?.[0]?.values ?? [];
}

/**
 * The batches' bodies, made before the clock starts. Points are like the agent's `clearance`
 * points (same tags, the unit as a string field), 1 µs apart so that none replaces another.
 */
export function lineProtocolBatches(batches: number, startMs: number): Buffer[] {
  const lanes = ['IN-1', 'IN-2', 'OUT-1', 'OUT-2'];
  const channels = ['green', 'yellow', 'red'];
  const base = BigInt(startMs) * 1_000_000n;
  const out: Buffer[] = [];
  for (let b = 0; b < batches; b++) {
    const lines: string[] = [];
    for (let j = 0; j < BATCH_POINTS; j++) {
      const i = b * BATCH_POINTS + j;
      const wait = 40 + (i % 97) * 0.125;
      const proc = 30 + (i % 89) * 0.25;
      lines.push(
        `clearance,channel=${channels[i % 3]},checkpoint=kim-thanh-road,kind=truck,lane=${lanes[i % 4]},outcome=released ` +
          `process_s=${proc},total_s=${wait + proc},unit="29C-${String(i).padStart(6, '0')}",wait_s=${wait},weight_kg=${14_000 + (i % 500) * 40}i ` +
          `${base + BigInt(i) * 1000n}`,
      );
    }
    out.push(Buffer.from(`${lines.join('\n')}\n`));
  }
  return out;
}

export async function rawInfluxLimit(url: string, batches: number): Promise<RawInfluxResult> {
  await query(url, `CREATE DATABASE ${DATABASE}`);
  const bodies = lineProtocolBatches(batches, Date.now() - 3600_000);
  const points = batches * BATCH_POINTS;
  const started = performance.now();
  for (const [i, body] of bodies.entries()) {
    const res = await fetch(`${url}/write?db=${DATABASE}&precision=ns`, { method: 'POST', body });
    if (res.status !== 204) throw new BenchFailure(`InfluxDB write limit: batch ${i + 1} of ${batches} answered HTTP ${res.status}: ${await res.text()}`);
  }
  const seconds = (performance.now() - started) / 1000;
  const [[, counted] = []] = await query(url, 'SELECT count(unit) FROM clearance', DATABASE);
  if (counted !== points) throw new BenchFailure(`InfluxDB write limit: ${String(counted)} points counted in '${DATABASE}' after writing ${points}`);
  const bytes = bodies.reduce((a, b) => a + b.length, 0);
  return { batches, pointsPerBatch: BATCH_POINTS, points, lineBytes: Math.round(bytes / points), pointsPerS: points / seconds, seconds };
}
