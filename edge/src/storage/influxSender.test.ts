/**
 * InfluxSender against a scripted HTTP server: what goes on the wire, and that a failed batch is
 * retried as exactly the same request. (test/storage/influxSender.test.ts uses a real influxd.)
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryDeadLetter } from './deadLetter.js';
import { classifyWriteError, InfluxSender, type LinkState } from './influxSender.js';
import { MemoryOutbox } from './memoryOutbox.js';
import { samplePoint, samplePoints } from './outbox.contract.js';
import type { Outbox } from './outbox.js';
import { captureLog } from './storage.fixtures.js';

interface Request {
  /** performance.now() when it arrived. */
  at: number;
  path: string;
  query: URLSearchParams;
  body: string;
}

/** A scripted answer: a status (with a generic error body), or a status and its body. */
type Answer = number | { status: number; body: string };

/** Answers /query with success and /write with the next scripted answer (204 when out). */
async function fakeInflux(writeStatuses: Answer[]): Promise<{ url: string; writes: Request[]; queries: Request[]; server: Server }> {
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
        const answer = writeStatuses.shift() ?? 204;
        const status = typeof answer === 'number' ? answer : answer.status;
        const text = typeof answer === 'number' ? (status >= 300 ? '{"error":"scripted failure"}' : '') : answer.body;
        res.writeHead(status, { 'content-type': 'application/json' }).end(text);
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

async function setup(writeStatuses: Answer[], batch = { maxPoints: 5000, maxDelayMs: 50 }, wrap: (o: Outbox) => Outbox = (o) => o) {
  const influx = await fakeInflux(writeStatuses);
  const outbox = new MemoryOutbox({ maxPoints: 100_000, telemetryShare: 0.8 });
  await outbox.open();
  const captured = captureLog();
  const deadLetter = new MemoryDeadLetter();
  const sender = new InfluxSender({
    outbox: wrap(outbox),
    influx: { url: influx.url, database: 'gw', credentials: { username: 'edge', password: 'secret' } },
    batch,
    log: captured.log,
    retry: { initialMs: 20, maxMs: 80 },
    deadLetter,
  });
  const states: LinkState[] = [];
  sender.on('state', (s) => states.push(s));
  cleanups.push(async () => {
    await sender.stop({ drain: false, timeoutMs: 1000 });
    await new Promise((resolve) => influx.server.close(resolve));
  });
  return { influx, outbox, sender, states, deadLetter, ...captured };
}

const lines = (r: Request | undefined): number => (r ? r.body.split('\n').length : 0);
const CONFLICT =
  'partial write: field type conflict: input field "length" on measurement "queue" is type float, already exists as type integer dropped=1';

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
    const { influx, outbox, sender, states } = await setup([500, 429, 503]);
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

describe('classifyWriteError', () => {
  /** The shape the influx package rejects with for an answer 300–499 (RequestError). */
  const answered = (status: number, body: string): Error =>
    Object.assign(new Error(`A ${status} Whatever error occurred: ${body}`), { res: { statusCode: status } });

  it('calls a 4xx about the points permanent, with InfluxDB\'s own error text', () => {
    expect(classifyWriteError(answered(400, JSON.stringify({ error: CONFLICT }) + '\n'))).toEqual({ kind: 'permanent', status: 400, message: CONFLICT });
    expect(classifyWriteError(answered(400, '{"error":"unable to parse \'queue x\': invalid field format"}'))).toMatchObject({
      kind: 'permanent',
      message: "unable to parse 'queue x': invalid field format",
    });
    for (const status of [400, 405, 409, 410, 415, 422, 499]) expect(classifyWriteError(answered(status, '')).kind, String(status)).toBe('permanent');
    // Not JSON (a proxy's page): the whole message.
    expect(classifyWriteError(answered(400, '<html>bad</html>')).message).toBe('A 400 Whatever error occurred: <html>bad</html>');
  });

  it('calls auth, database-not-found, timeouts, rate limits, 5xx and no answer transient', () => {
    for (const status of [401, 403, 404, 408, 429, 301, 302]) {
      expect(classifyWriteError(answered(status, '{"error":"x"}')), String(status)).toEqual({ kind: 'transient', status, message: 'x' });
    }
    // 5xx and timeouts reach us as ServiceNotAvailableError, without a response.
    expect(classifyWriteError(new Error('Service Unavailable'))).toEqual({ kind: 'transient', status: undefined, message: 'Service Unavailable' });
    expect(classifyWriteError(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' })).kind).toBe('transient');
    expect(classifyWriteError(Object.assign(new Error('boom'), { res: { statusCode: 500 } })).kind).toBe('transient');
    expect(classifyWriteError('weird').kind).toBe('transient');
  });

  it('calls 413 too large', () => {
    expect(classifyWriteError(answered(413, '{"error":"Request Entity Too Large"}'))).toEqual({ kind: 'too-large', status: 413, message: 'Request Entity Too Large' });
  });
});

describe('InfluxSender and failed writes', () => {
  it('dead-letters a batch InfluxDB refuses for good (400), does not resend it, and goes on', async () => {
    const { influx, outbox, sender, states, deadLetter, messages } = await setup([{ status: 400, body: JSON.stringify({ error: CONFLICT }) }]);
    await sender.start();
    const bad = samplePoints(1, 3);
    outbox.append(bad);
    await waitFor('rejected and acked', () => outbox.stats().pending === 0);
    outbox.append(samplePoints(10, 2));
    await waitFor('the next batch', () => outbox.stats().pending === 0 && influx.writes.length === 2);
    await sleep(100); // and nothing more
    expect(influx.writes.map(lines)).toEqual([3, 2]);
    expect(states).toEqual(['up']);
    expect(sender.stats()).toMatchObject({ batches: 2, pointsSent: 2, failures: 0, rejectedBatches: 1, rejectedPoints: 3, lastError: CONFLICT });
    expect(deadLetter.points.map((r) => r.point)).toEqual(bad);
    for (const r of deadLetter.points) {
      expect(r).toMatchObject({ status: 400, error: CONFLICT });
      expect(Math.abs(Date.parse(r.at) - Date.now())).toBeLessThan(10_000);
    }
    expect(messages('error')).toContain('InfluxDB refused a batch for good; not retried, its points are in the dead letter');
  });

  it('logs repeated rejections at most once a minute, and still counts and keeps them all', async () => {
    const refuse = { status: 400, body: '{"error":"unable to parse"}' };
    const { outbox, sender, deadLetter, messages } = await setup([refuse, refuse, refuse], { maxPoints: 2, maxDelayMs: 10 });
    await sender.start();
    outbox.append(samplePoints(1, 6));
    await waitFor('all rejected', () => outbox.stats().pending === 0);
    expect(sender.stats()).toMatchObject({ batches: 3, pointsSent: 0, rejectedBatches: 3, rejectedPoints: 6 });
    expect(deadLetter.points).toHaveLength(6);
    expect(messages('error').filter((m) => m.startsWith('InfluxDB refused'))).toHaveLength(1);
  });

  it('retries 401, 403, 404, 408 and 429 as the same batch, like a 5xx', async () => {
    const { influx, outbox, sender, deadLetter } = await setup([401, 403, 404, 408, 429, 503]);
    await sender.start();
    outbox.append(samplePoints(1, 4));
    await waitFor('sent', () => outbox.stats().pending === 0);
    expect(influx.writes).toHaveLength(7);
    expect(new Set(influx.writes.map((w) => w.body)).size).toBe(1);
    expect(sender.stats()).toMatchObject({ failures: 6, rejectedBatches: 0, pointsSent: 4 });
    expect(deadLetter.points).toHaveLength(0);
  });

  it('splits a batch that is too large (413) in halves, in order, until the pieces fit', async () => {
    const { influx, outbox, sender } = await setup([413, 204, 413, 204, 204]);
    await sender.start();
    const all = samplePoints(1, 5);
    outbox.append(all);
    await waitFor('sent', () => outbox.stats().pending === 0);
    expect(influx.writes.map(lines)).toEqual([5, 3, 2, 1, 1]);
    // Every point once, in order, across the pieces that were taken.
    const taken = [1, 3, 4].flatMap((i) => influx.writes[i]!.body.split('\n'));
    expect(taken).toEqual(influx.writes[0]!.body.split('\n'));
    expect(sender.stats()).toMatchObject({ batches: 1, pointsSent: 5, failures: 0, rejectedBatches: 0 });
  });

  it('dead-letters only the piece of a split batch that InfluxDB refuses', async () => {
    const { influx, outbox, sender, deadLetter } = await setup([413, 204, { status: 400, body: `{"error":"${CONFLICT.replace(/"/g, '\\"')}"}` }]);
    await sender.start();
    const all = samplePoints(1, 4);
    outbox.append(all);
    await waitFor('done', () => outbox.stats().pending === 0);
    expect(influx.writes.map(lines)).toEqual([4, 2, 2]);
    expect(deadLetter.points.map((r) => r.point)).toEqual(all.slice(2));
    expect(deadLetter.points[0]?.error).toBe(CONFLICT);
    expect(sender.stats()).toMatchObject({ batches: 1, pointsSent: 2, rejectedBatches: 1, rejectedPoints: 2 });
  });

  it('retries a single point that is still too large, as a transient failure', async () => {
    const { influx, outbox, sender } = await setup([413, 413, 204]);
    await sender.start();
    outbox.append([samplePoint(1)]);
    await waitFor('sent', () => outbox.stats().pending === 0);
    expect(influx.writes.map(lines)).toEqual([1, 1, 1]);
    expect(sender.stats()).toMatchObject({ failures: 2, pointsSent: 1, rejectedBatches: 0 });
  });

  it('retries only the acknowledgement when it fails after a rejection: dead-lettered once', async () => {
    let ackFailures = 2;
    const flakyAck = (o: Outbox): Outbox => ({
      open: () => o.open(),
      append: (p) => o.append(p),
      peek: (max) => o.peek(max),
      ack: (token) => {
        if (ackFailures-- > 0) throw new Error('disk full');
        o.ack(token);
      },
      sync: () => o.sync(),
      stats: () => o.stats(),
      onAppend: (l) => o.onAppend(l),
      close: () => o.close(),
    });
    const { influx, outbox, sender, deadLetter, messages } = await setup([400], undefined, flakyAck);
    await sender.start();
    outbox.append(samplePoints(1, 2));
    await waitFor('acked', () => outbox.stats().pending === 0);
    expect(influx.writes).toHaveLength(1);
    expect(deadLetter.points).toHaveLength(2);
    expect(sender.stats()).toMatchObject({ batches: 1, rejectedBatches: 1, rejectedPoints: 2 });
    expect(messages('error')).toContain('cannot record the acknowledgement; trying again');
  });
});
