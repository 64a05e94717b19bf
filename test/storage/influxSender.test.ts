/**
 * InfluxSender against a real influxd: exact values, an outage in the middle, a crash between
 * write and ack, the drain at shutdown, and a batch InfluxDB refuses for good. Every point is
 * compared, not just counted.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInfluxd, type Influxd } from '@gatewatch/infra';
import type { SiteConfig } from '../../edge/src/config/types.js';
import { DEAD_LETTER_FILE, FileDeadLetter, type RejectedPoint } from '../../edge/src/storage/deadLetter.js';
import { FileOutbox } from '../../edge/src/storage/fileOutbox.js';
import { InfluxSender, type InfluxSenderOptions, type LinkState } from '../../edge/src/storage/influxSender.js';
import { MemoryOutbox } from '../../edge/src/storage/memoryOutbox.js';
import type { Outbox, OutboxPoint } from '../../edge/src/storage/outbox.js';
import { captureLog } from '../../edge/src/storage/storage.fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-sender-'));
let influxd: Influxd;
beforeAll(async () => {
  influxd = await startInfluxd({ dataDir: join(dir, 'influxdb') });
});
afterAll(async () => {
  await influxd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let dbs = 0;
const ROOMY = { maxPoints: 10_000_000, telemetryShare: 0.8 };
const T0 = 1_700_000_000_000n * 1_000_000n;

/** Units as they come from plates and container numbers, and worse. */
const NASTY = ['云A12345', 'ABC 123', 'a,b=c', 'say "hi"', 'back\\slash', `it\\'s`, 'end\\', '\\"', 'tab\there', 'đường Lào Cai', 'line\nbreak', ' '];

/** Point i of a test: a mix of the three measurements, each with its own nanosecond time. */
function point(i: number): OutboxPoint {
  const timeNs = (T0 + BigInt(i) * 1_000_003n + BigInt(i % 999)).toString();
  switch (i % 3) {
    case 0:
      return {
        measurement: 'clearance',
        tags: { checkpoint: 'lao-cai', lane: `IN-${i % 4}`, kind: 'truck', channel: 'green', outcome: 'released' },
        fields: { unit: `${NASTY[i % NASTY.length]}#${i}`, wait_s: i / 1000, process_s: 12.5, total_s: i / 1000 + 12.5, weight_kg: 18_250.5 },
        timeNs,
        emitSeq: i,
      };
    case 1:
      return {
        measurement: 'queue',
        tags: { checkpoint: 'lao-cai', lane: `IN-${i % 4}` },
        fields: { length: i % 40, arrivals: i, departures: i - 1, wait_estimate_s: 33.25 },
        timeNs,
        emitSeq: i,
      };
    default:
      return {
        measurement: 'device',
        tags: { checkpoint: 'lao-cai', device: `scanner-${i % 5}` },
        fields: { online: i % 2 === 0, frames: i * 10, bad_frames: i % 3, lost_frames: 0, last_seen_s: -1 },
        timeNs,
      };
  }
}
const points = (from: number, n: number): OutboxPoint[] => Array.from({ length: n }, (_, k) => point(from + k));

/** RFC 3339 with nanoseconds (what InfluxDB answers without epoch=) → ns since the epoch, exactly. */
function rfc3339ToNs(s: string): string {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(s);
  if (!m) throw new Error(`unexpected time ${s}`);
  return (BigInt(Date.parse(`${m[1]}Z`)) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'))).toString();
}

type Row = Record<string, unknown> & { time: string };
/** Every row of a measurement, time as an exact ns string (JSON numbers would round it). */
async function rows(db: string, measurement: string): Promise<Row[]> {
  const res = await fetch(`${influxd.url}/query?${new URLSearchParams({ db, q: `SELECT * FROM "${measurement}"` })}`);
  const body = (await res.json()) as { results: { series?: { columns: string[]; values: unknown[][] }[]; error?: string }[] };
  const series = body.results[0]?.series?.[0];
  if (!series) return [];
  return series.values.map((v) => {
    const row = Object.fromEntries(series.columns.map((c, k) => [c, v[k]])) as Row;
    row.time = rfc3339ToNs(row.time);
    return row;
  });
}

/** The row InfluxDB must hold for a point: its tags, fields and time; absent fields null. */
function expectedRow(p: OutboxPoint): Row {
  return { time: p.timeNs, ...p.tags, ...p.fields };
}

async function expectExactlyOnce(db: string, sent: readonly OutboxPoint[]): Promise<void> {
  for (const m of ['clearance', 'queue', 'device']) {
    const want = sent.filter((p) => p.measurement === m).map(expectedRow);
    const got = await rows(db, m);
    const clean = got.map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null)) as Row);
    const byTime = (a: Row, b: Row): number => (BigInt(a.time) < BigInt(b.time) ? -1 : BigInt(a.time) > BigInt(b.time) ? 1 : 0);
    expect(clean.length, `${m} count`).toBe(want.length);
    expect(clean.sort(byTime), `${m} rows`).toEqual(want.sort(byTime));
  }
}

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

function makeSender(outbox: Outbox, db: string, overrides: Partial<InfluxSenderOptions> = {}) {
  const captured = captureLog();
  const influx: SiteConfig['influx'] = { url: influxd.url, database: db, credentials: {} };
  const sender = new InfluxSender({
    outbox,
    influx,
    batch: { maxPoints: 5000, maxDelayMs: 200 },
    log: captured.log,
    retry: { initialMs: 50, maxMs: 400 },
    ...overrides,
  });
  const states: LinkState[] = [];
  sender.on('state', (s) => states.push(s));
  return { sender, states, ...captured };
}

const newDb = (): string => `gw_test_${++dbs}`;
const openFileOutbox = async (name: string): Promise<FileOutbox> => {
  const o = new FileOutbox(join(dir, name), ROOMY, captureLog().log);
  await o.open();
  return o;
};

describe('InfluxSender with a real influxd', () => {
  it('delivers 12,000 points with exact tags, fields, types, ns timestamps and verbatim strings', async () => {
    const db = newDb();
    const outbox = await openFileOutbox('exact');
    const { sender, states } = makeSender(outbox, db);
    // A listener that throws must not stop the sender.
    sender.on('state', () => {
      throw new Error('listener bug');
    });
    await sender.start();
    const all = points(0, 12_000);
    for (let i = 0; i < all.length; i += 700) outbox.append(all.slice(i, i + 700));
    await waitFor('all sent', () => sender.stats().pointsSent === all.length && outbox.stats().pending === 0);
    expect(states).toEqual(['up']);
    expect(sender.stats()).toMatchObject({ failures: 0, invalidPoints: 0, pending: 0 });
    await expectExactlyOnce(db, all);

    const types = await influxd.query('SHOW FIELD KEYS', db);
    const fieldTypes = Object.fromEntries(
      (types.results[0]?.series ?? []).map((s) => [s.name, Object.fromEntries(s.values.map((v) => [String(v[0]), String(v[1])]))]),
    );
    expect(fieldTypes).toEqual({
      clearance: { process_s: 'float', total_s: 'float', unit: 'string', wait_s: 'float', weight_kg: 'float' },
      device: { bad_frames: 'integer', frames: 'integer', last_seen_s: 'float', lost_frames: 'integer', online: 'boolean' },
      queue: { arrivals: 'integer', departures: 'integer', length: 'integer', wait_estimate_s: 'float' },
    });
    await sender.stop({ drain: true, timeoutMs: 5000 });
    await outbox.close();
  });

  it('sends once maxPoints are pending without waiting for maxDelayMs', async () => {
    const db = newDb();
    const outbox = new MemoryOutbox(ROOMY);
    await outbox.open();
    const { sender } = makeSender(outbox, db, { batch: { maxPoints: 500, maxDelayMs: 600_000 } });
    await sender.start();
    outbox.append(points(0, 499));
    await sleep(500);
    expect(sender.stats().batches).toBe(0); // 499 < 500 and the oldest has not waited 10 minutes
    outbox.append(points(499, 1));
    await waitFor('the full batch', () => sender.stats().batches === 1);
    expect(sender.stats()).toMatchObject({ pointsSent: 500, pending: 0 });
    await sender.stop({ drain: false, timeoutMs: 1000 });
  });

  it('loses and doubles nothing when InfluxDB is down in the middle of the stream', async () => {
    const db = newDb();
    const outbox = await openFileOutbox('outage');
    const { sender, states } = makeSender(outbox, db, { batch: { maxPoints: 1000, maxDelayMs: 100 } });
    await sender.start();
    const all = points(100_000, 9000);
    outbox.append(all.slice(0, 3000));
    await waitFor('first part sent', () => sender.stats().pointsSent >= 2000);

    await influxd.service.stop();
    for (let i = 3000; i < 6000; i += 250) {
      outbox.append(all.slice(i, i + 250));
      await sleep(20);
    }
    await waitFor('link down', () => sender.linkState === 'down');
    await sleep(1000); // several failed retries of the same batch
    expect(sender.stats().failures).toBeGreaterThan(1);
    expect(outbox.stats().pending).toBeGreaterThan(0);

    await influxd.service.start();
    outbox.append(all.slice(6000));
    await waitFor('everything sent after the outage', () => outbox.stats().pending === 0);
    expect(states).toEqual(['up', 'down', 'up']);
    await expectExactlyOnce(db, all);
    await sender.stop({ drain: true, timeoutMs: 5000 });
    await outbox.close();
  });

  it('does not double a batch re-sent after a crash between the write and the ack', async () => {
    const db = newDb();
    const outbox = await openFileOutbox('crash');
    // The first run's acks never reach the disk, as if it was SIGKILLed right after each write.
    const unacked: Outbox = {
      open: () => outbox.open(),
      append: (p) => outbox.append(p),
      peek: (max) => outbox.peek(max),
      ack: () => undefined,
      sync: () => outbox.sync(),
      stats: () => outbox.stats(),
      onAppend: (l) => outbox.onAppend(l),
      close: () => outbox.close(),
    };
    const all = points(200_000, 1500);
    outbox.append(all);
    const first = makeSender(unacked, db);
    await first.sender.start();
    await waitFor('written once', () => first.sender.stats().batches >= 1);
    await first.sender.stop({ drain: false, timeoutMs: 0 });
    await outbox.close();
    await expectExactlyOnce(db, all);

    const reopened = await openFileOutbox('crash');
    expect(reopened.stats().pending).toBe(all.length); // nothing was acknowledged
    const second = makeSender(reopened, db);
    await second.sender.start();
    await waitFor('re-sent and acknowledged', () => reopened.stats().pending === 0);
    expect(second.sender.stats().pointsSent).toBe(all.length);
    await expectExactlyOnce(db, all);
    await second.sender.stop({ drain: true, timeoutMs: 5000 });
    await reopened.close();
  });

  it('drains everything pending on stop, without waiting for the batch timer', async () => {
    const db = newDb();
    const outbox = await openFileOutbox('drain');
    const { sender } = makeSender(outbox, db, { batch: { maxPoints: 5000, maxDelayMs: 600_000 } });
    await sender.start();
    const all = points(300_000, 7777);
    outbox.append(all);
    outbox.append([]);
    await sender.stop({ drain: true, timeoutMs: 15_000 });
    expect(outbox.stats().pending).toBe(0);
    await expectExactlyOnce(db, all);
    await outbox.close();
  });

  it('dead-letters a batch with a field type conflict; its good points arrive once and later points keep flowing', async () => {
    const db = newDb();
    await influxd.query(`CREATE DATABASE "${db}"`);
    // Another writer (an older agent, a manual import) made queue.sensor a string field.
    const seed: OutboxPoint = {
      measurement: 'queue',
      tags: { checkpoint: 'lao-cai', lane: 'IN-9' },
      fields: { length: 3, sensor: 'loop' },
      timeNs: (T0 - 1_000_000_000n).toString(),
    };
    const seeded = await fetch(`${influxd.url}/write?${new URLSearchParams({ db, precision: 'n' })}`, {
      method: 'POST',
      body: `queue,checkpoint=lao-cai,lane=IN-9 length=3i,sensor="loop" ${seed.timeNs}`,
    });
    expect(seeded.status).toBe(204);

    const outboxDir = join(dir, 'rejected');
    const outbox = await openFileOutbox('rejected');
    const deadLetter = new FileDeadLetter(outboxDir, captureLog().log);
    const { sender, states, messages } = makeSender(outbox, db, { batch: { maxPoints: 5000, maxDelayMs: 100 }, deadLetter });
    await sender.start();

    const before = points(400_000, 30);
    outbox.append(before);
    await waitFor('the first batch', () => sender.stats().batches === 1 && outbox.stats().pending === 0);

    // sensor as a number (a float): InfluxDB refuses this one point for the rest of the shard.
    const bad: OutboxPoint = { measurement: 'queue', tags: { checkpoint: 'lao-cai', lane: 'IN-9' }, fields: { length: 4, sensor: 2.5 }, timeNs: (T0 + 7n).toString() };
    const goodAround = [...points(400_030, 30), ...points(400_060, 30)];
    const batch = [...goodAround.slice(0, 30), bad, ...goodAround.slice(30)];
    outbox.append(batch);
    await waitFor('the rejected batch acknowledged', () => sender.stats().rejectedBatches === 1 && outbox.stats().pending === 0);

    const after = points(400_090, 500);
    for (let i = 0; i < after.length; i += 100) outbox.append(after.slice(i, i + 100));
    await waitFor('the points after it', () => outbox.stats().pending === 0 && sender.stats().pointsSent === before.length + after.length);

    // InfluxDB kept the good points of the refused batch (a partial write), each once; not the bad one.
    await expectExactlyOnce(db, [seed, ...before, ...goodAround, ...after]);
    expect(states).toEqual(['up']);
    expect(sender.stats()).toMatchObject({
      failures: 0,
      invalidPoints: 0,
      rejectedBatches: 1,
      rejectedPoints: batch.length,
      pointsSent: before.length + after.length,
      pending: 0,
    });
    expect(sender.stats().lastError).toMatch(/field type conflict/);
    expect(messages('error')).toContain('InfluxDB refused a batch for good; not retried, its points are in the dead letter');

    // The whole refused batch is in the dead letter, with InfluxDB's reason: the bad point among it.
    const rejected = readFileSync(join(outboxDir, DEAD_LETTER_FILE), 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as RejectedPoint);
    expect(rejected.map((r) => r.point)).toEqual(batch);
    for (const r of rejected) {
      expect(r.status).toBe(400);
      expect(r.error).toMatch(/^partial write: field type conflict: input field "sensor" on measurement "queue" is type float, already exists as type string dropped=1$/);
      expect(Math.abs(Date.parse(r.at) - Date.now())).toBeLessThan(60_000);
    }
    expect(deadLetter.stats()).toEqual({ keptPoints: batch.length, droppedPoints: 0 });

    await sender.stop({ drain: true, timeoutMs: 5000 });
    await outbox.close();
    // The dead letter beside the segments does not disturb the outbox, and the ack is durable.
    const reopened = await openFileOutbox('rejected');
    expect(reopened.stats().pending).toBe(0);
    await reopened.close();
  });

  it('gives up draining at the timeout when InfluxDB is unreachable, keeping every point', async () => {
    const outbox = await openFileOutbox('drain-down');
    const captured = captureLog();
    // A port nobody listens on.
    const sender = new InfluxSender({
      outbox,
      influx: { url: 'http://127.0.0.1:9', database: newDb(), credentials: {} },
      batch: { maxPoints: 5000, maxDelayMs: 50 },
      log: captured.log,
      retry: { initialMs: 50, maxMs: 200 },
    });
    const states: Array<[LinkState, string | undefined]> = [];
    sender.on('state', (s, detail) => states.push([s, detail]));
    await sender.start();
    outbox.append(points(0, 100));
    await waitFor('link down', () => sender.linkState === 'down');
    expect(states[0]?.[0]).toBe('down');
    expect(states[0]?.[1]).toMatch(/ECONNREFUSED/);
    await sender.stop({ drain: true, timeoutMs: 500 });
    expect(sender.stats()).toMatchObject({ pending: 100, pointsSent: 0 });
    expect(sender.stats().lastError).toMatch(/ECONNREFUSED/);
    expect(captured.messages('warn')).toContain('influx write failed; retrying the same batch');
    await outbox.close();
    const reopened = await openFileOutbox('drain-down');
    expect(reopened.stats().pending).toBe(100);
    await reopened.close();
  });
});
