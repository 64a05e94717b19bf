/**
 * InfluxSender against a scripted HTTP server: what goes on the wire, and that a failed batch is
 * retried as exactly the same request. (test/storage/influxSender.test.ts uses a real influxd.)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { InfluxSender, type LinkState } from './influxSender.js';
import { MemoryOutbox } from './memoryOutbox.js';
import { samplePoint } from './outbox.contract.js';
import { captureLog } from './storage.fixtures.js';

interface Request {
  /** performance.now() when it arrived. */
  at: number;
  path: string;
  query: URLSearchParams;
  body: string;
}

/** Answers /query with success and /write with the next scripted status (204 when out). */
async function fakeInflux(writeStatuses: number[]): Promise<{ url: string; writes: Request[]; queries: Request[]; server: Server }> {
  const writes: Request[] = [];
  const queries: Request[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString('utf8')));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const r = { at: performance.now(), path: url.pathname, query: url.searchParams, body };
      if (url.pathname === '/write') {
        writes.push(r);
        const status = writeStatuses.shift() ?? 204;
        res.writeHead(status, { 'content-type': 'application/json' }).end(status >= 300 ? '{"error":"scripted failure"}' : '');
      } else {
        queries.push(r);
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"results":[{"statement_id":0}]}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, writes, queries, server };
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(writeStatuses: number[], batch = { maxPoints: 5000, maxDelayMs: 50 }) {
  const influx = await fakeInflux(writeStatuses);
  const outbox = new MemoryOutbox({ maxPoints: 100_000, telemetryShare: 0.8 });
  await outbox.open();
  const captured = captureLog();
  const sender = new InfluxSender({
    outbox,
    influx: { url: influx.url, database: 'gw', credentials: { username: 'edge', password: 'secret' } },
    batch,
    log: captured.log,
    retry: { initialMs: 20, maxMs: 80 },
  });
  const states: LinkState[] = [];
  sender.on('state', (s) => states.push(s));
  cleanups.push(async () => {
    await sender.stop({ drain: false, timeoutMs: 1000 });
    await new Promise((resolve) => influx.server.close(resolve));
  });
  return { influx, outbox, sender, states, ...captured };
}

describe('InfluxSender', () => {
  it('creates the database, then writes line protocol with ns precision, typed fields and credentials', async () => {
    const { influx, outbox, sender } = await setup([]);
    await sender.start();
    outbox.append([samplePoint(1, 'queue'), samplePoint(2, 'clearance')]);
    await waitFor('a write', () => influx.writes.length === 1 && outbox.stats().pending === 0);
    expect(influx.queries[0]?.query.get('q') ?? influx.queries[0]?.body).toMatch(/create database "gw"/i);
    const w = influx.writes[0]!;
    expect(w.query.get('precision')).toBe('n');
    expect(w.query.get('db')).toBe('gw');
    const [queue, clearance] = w.body.split('\n');
    const q = samplePoint(1, 'queue');
    expect(queue).toBe(`queue,checkpoint=lao-cai,lane=IN-1 arrivals=1i,departures=0i,length=1i,wait_estimate_s=12.25 ${q.timeNs}`);
    // unit is `云A 2,="\'`: only " and \ escaped inside the quotes, nothing else touched.
    expect(clearance).toContain(`unit="云A 2,=\\"\\\\'"`);
  });

  it('retries a failed batch as the very same request until it succeeds, then acks it', async () => {
    const { influx, outbox, sender, states } = await setup([500, 400, 503]);
    await sender.start();
    outbox.append([samplePoint(1), samplePoint(2), samplePoint(3)]);
    await waitFor('first failure', () => influx.writes.length >= 1);
    outbox.append([samplePoint(4), samplePoint(5)]); // arrives during the retries: not in that batch
    await waitFor('all sent', () => outbox.stats().pending === 0);
    const bodies = influx.writes.map((w) => w.body);
    expect(bodies.length).toBe(5);
    expect(new Set(bodies.slice(0, 4)).size).toBe(1);
    expect(bodies[0]!.split('\n')).toHaveLength(3);
    expect(bodies[4]!.split('\n')).toHaveLength(2);
    expect(states).toEqual(['down', 'up']);
    expect(sender.stats()).toMatchObject({ batches: 2, pointsSent: 5, failures: 3, pending: 0 });
    // Recreated after failures, in case InfluxDB came back empty.
    expect(influx.queries.length).toBeGreaterThan(1);
  });

  it('survives listeners that throw', async () => {
    const { influx, outbox, sender, messages } = await setup([500]);
    sender.on('state', () => {
      throw new Error('listener bug');
    });
    await sender.start();
    outbox.append([samplePoint(1)]);
    await waitFor('sent', () => outbox.stats().pending === 0 && influx.writes.length === 2);
    expect(messages('error')).toContain('influx state listener failed');
  });

  it('skips a point InfluxDB could never take, and sends the rest', async () => {
    const { influx, outbox, sender, messages } = await setup([]);
    await sender.start();
    const bad = { ...samplePoint(1), fields: { length: Number.NaN } };
    outbox.append([bad, samplePoint(2)]);
    await waitFor('sent', () => outbox.stats().pending === 0);
    expect(influx.writes[0]!.body.split('\n')).toHaveLength(1);
    expect(sender.stats()).toMatchObject({ invalidPoints: 1, pointsSent: 1 });
    expect(messages('error')).toContain('point can never be written to InfluxDB; skipped');
  });

  it('waits for maxDelayMs when fewer than maxPoints are pending, not when maxPoints are', async () => {
    const { influx, outbox, sender } = await setup([], { maxPoints: 100, maxDelayMs: 400 });
    await sender.start();
    const appendedAt = performance.now();
    outbox.append([samplePoint(1)]);
    await waitFor('timer batch', () => influx.writes.length === 1);
    // A lower bound only: a slow machine can make it later, never earlier.
    expect(influx.writes[0]!.at - appendedAt).toBeGreaterThanOrEqual(390);
    outbox.append(Array.from({ length: 100 }, (_, i) => samplePoint(10 + i)));
    await waitFor('full batch', () => influx.writes.length === 2);
    expect(influx.writes[1]!.body.split('\n')).toHaveLength(100);
  });

  it('can be stopped while failing and started again, without acking what it did not send', async () => {
    const { influx, outbox, sender } = await setup([500, 500, 500, 500, 500, 500]);
    await sender.start();
    outbox.append([samplePoint(1), samplePoint(2)]);
    await waitFor('failures', () => sender.stats().failures >= 2);
    await sender.stop({ drain: false, timeoutMs: 100 });
    expect(outbox.stats().pending).toBe(2);
    await sender.start();
    await waitFor('sent after the restart', () => outbox.stats().pending === 0);
    expect(influx.writes.at(-1)!.body.split('\n')).toHaveLength(2);
  });
});
