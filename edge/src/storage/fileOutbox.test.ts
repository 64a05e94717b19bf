import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { FileOutbox, type FileOutboxOptions } from './fileOutbox.js';
import { outboxContract, samplePoint, samplePoints } from './outbox.contract.js';
import type { OutboxLimits, OutboxPoint } from './outbox.js';
import { captureLog } from './storage.fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'gw-outbox-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => join(root, `o${dirs++}`);
const ROOMY: OutboxLimits = { maxPoints: 10_000_000, telemetryShare: 0.8 };
const segments = (dir: string): string[] => readdirSync(dir).filter((n) => n.startsWith('segment-')).sort();

async function openOutbox(dir: string, options: FileOutboxOptions = {}, limits = ROOMY) {
  const captured = captureLog();
  const outbox = new FileOutbox(dir, limits, captured.log, options);
  await outbox.open();
  return { outbox, ...captured };
}

/** Everything pending, through peek/ack in batches (acks them). */
function drain(outbox: FileOutbox, batch = 1000): OutboxPoint[] {
  const all: OutboxPoint[] = [];
  for (let b = outbox.peek(batch); b; b = outbox.peek(batch)) {
    all.push(...b.points);
    outbox.ack(b.token);
  }
  return all;
}

describe('FileOutbox', () => {
  // Small segments and window so that the contract also runs across rotation and re-reads.
  outboxContract(async (limits) => {
    const o = new FileOutbox(freshDir(), limits, captureLog().log, { segmentMaxPoints: 1000, readAheadPoints: 2500, readChunkBytes: 4096 });
    await o.open();
    return o;
  });

  it('does nothing in its constructor', () => {
    const dir = freshDir();
    new FileOutbox(dir, ROOMY, captureLog().log);
    expect(existsSync(dir)).toBe(false);
  });

  it('keeps pending points, their order and lastEmitSeq across close and reopen', async () => {
    const dir = freshDir();
    const points = samplePoints(0, 120).map((p, i) => (i % 2 ? { ...p, emitSeq: i } : p));
    const a = await openOutbox(dir, { segmentMaxPoints: 25 });
    a.outbox.append(points.slice(0, 100));
    a.outbox.ack(a.outbox.peek(30)!.token);
    a.outbox.append(points.slice(100));
    await a.outbox.close();

    const b = await openOutbox(dir, { segmentMaxPoints: 25 });
    expect(b.outbox.stats()).toMatchObject({ pending: 90, lastEmitSeq: 119 });
    expect(drain(b.outbox, 7)).toEqual(points.slice(30));
    await b.outbox.close();
  });

  it('hands out the unacknowledged batch again after a restart (crash between write and ack)', async () => {
    const dir = freshDir();
    const a = await openOutbox(dir);
    a.outbox.append(samplePoints(0, 50));
    a.outbox.ack(a.outbox.peek(10)!.token);
    const inFlight = a.outbox.peek(10)!;
    await a.outbox.close(); // no ack: as if killed after InfluxDB took the batch

    const b = await openOutbox(dir);
    expect(b.outbox.peek(10)?.points).toEqual(inFlight.points);
    await b.outbox.close();
  });

  it('rotates segments and deletes those fully acknowledged', async () => {
    const dir = freshDir();
    const { outbox } = await openOutbox(dir, { segmentMaxPoints: 100 });
    for (let i = 0; i < 1000; i += 50) outbox.append(samplePoints(i, 50));
    expect(segments(dir).length).toBe(10);
    expect(outbox.segmentCount).toBe(10);
    outbox.ack(outbox.peek(450)!.token);
    expect(segments(dir).length).toBe(6); // 0..399 gone, 400..499 half acknowledged
    expect(drain(outbox, 300)).toEqual(samplePoints(450, 550));
    expect(segments(dir).length).toBe(1); // the one being written to stays
    await outbox.close();
  });

  it('keeps lastEmitSeq in ack.json, also when every segment is gone', async () => {
    const dir = freshDir();
    const a = await openOutbox(dir, { segmentMaxPoints: 10 });
    a.outbox.append(Array.from({ length: 35 }, (_, i) => samplePoint(i, 'clearance', i + 1)));
    expect(drain(a.outbox, 8)).toHaveLength(35);
    await a.outbox.close();
    for (const s of segments(dir)) rmSync(join(dir, s));
    expect(JSON.parse(readFileSync(join(dir, 'ack.json'), 'utf8'))).toMatchObject({ ackedSeq: 35, lastEmitSeq: 35 });

    const b = await openOutbox(dir);
    expect(b.outbox.stats()).toMatchObject({ pending: 0, lastEmitSeq: 35 });
    b.outbox.append([samplePoint(99, 'clearance', 36)]);
    const batch = b.outbox.peek(5)!;
    expect(batch.points).toEqual([samplePoint(99, 'clearance', 36)]);
    expect(batch.token).toBeGreaterThan(35); // seqs never go back below the acknowledged position
    await b.outbox.close();
  });

  it('remembers the emitSeq of refused points across a restart', async () => {
    const dir = freshDir();
    const limits = { maxPoints: 2, telemetryShare: 0.5 };
    const a = await openOutbox(dir, {}, limits);
    const r = a.outbox.append([samplePoint(0, 'clearance', 1), samplePoint(1, 'clearance', 2), samplePoint(2, 'clearance', 3)]);
    expect(r).toEqual({ accepted: 2, refused: { clearance: 1 } });
    a.outbox.append([samplePoint(3, 'queue', 4)]); // refused alone: recorded without any point
    await a.outbox.close();

    const b = await openOutbox(dir, {}, limits);
    expect(b.outbox.stats()).toMatchObject({ pending: 2, lastEmitSeq: 4 });
    expect(drain(b.outbox)).toEqual([samplePoint(0, 'clearance', 1), samplePoint(1, 'clearance', 2)]);
    await b.outbox.close();
  });

  it('recovers from a torn last line cut at every byte offset (what a crash mid-write can leave)', async () => {
    const base = freshDir();
    const points = [...samplePoints(0, 9), samplePoint(9, 'clearance', 77)];
    const a = await openOutbox(base);
    a.outbox.append(points.slice(0, 9));
    a.outbox.append(points.slice(9));
    await a.outbox.close();
    const [seg] = segments(base);
    const full = readFileSync(join(base, seg!));
    const lastStart = full.lastIndexOf(0x0a, full.length - 2) + 1;

    for (let cut = lastStart; cut < full.length; cut++) {
      const dir = freshDir();
      cpSync(base, dir, { recursive: true });
      truncateSync(join(dir, seg!), cut);
      const b = await openOutbox(dir);
      expect(b.outbox.stats().pending).toBe(9);
      expect(b.messages('warn').some((m) => m.includes('torn last line')), `cut at ${cut}`).toBe(cut > lastStart);
      expect(readFileSync(join(dir, seg!)).length).toBe(lastStart);
      // Appending after the repair continues cleanly, and survives another restart.
      b.outbox.append([samplePoint(50)]);
      await b.outbox.close();
      const c = await openOutbox(dir);
      expect(c.messages('warn')).toEqual([]);
      expect(drain(c.outbox)).toEqual([...points.slice(0, 9), samplePoint(50)]);
      await c.outbox.close();
      rmSync(dir, { recursive: true });
    }
  });

  it('keeps the whole lines of a multi-point append torn in the middle, and drops zeros after a power cut', async () => {
    const dir = freshDir();
    const a = await openOutbox(dir);
    a.outbox.append(samplePoints(0, 3));
    a.outbox.append(samplePoints(3, 5));
    await a.outbox.close();
    const path = join(dir, segments(dir)[0]!);
    const bytes = readFileSync(path);
    let nl = -1;
    for (let k = 0; k < 5; k++) nl = bytes.indexOf(0x0a, nl + 1); // end of the 5th line
    truncateSync(path, nl + 20); // 5 whole lines and a piece of the 6th
    appendFileSync(path, Buffer.alloc(300)); // and what a power cut may leave: zeros

    const b = await openOutbox(dir);
    expect(b.messages('warn').some((m) => m.includes('torn last line'))).toBe(true);
    expect(drain(b.outbox)).toEqual(samplePoints(0, 5));
    await b.outbox.close();
  });

  it('skips and logs a corrupt line in the middle, keeping the rest', async () => {
    const dir = freshDir();
    const a = await openOutbox(dir);
    a.outbox.append(samplePoints(0, 4));
    await a.outbox.close();
    const path = join(dir, segments(dir)[0]!);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[1] = lines[1]!.replace('"p":', '"p":!');
    writeFileSync(path, lines.join('\n'));

    const b = await openOutbox(dir);
    expect(b.messages('error').some((m) => m.includes('corrupt line'))).toBe(true);
    expect(b.outbox.stats().pending).toBe(3);
    expect(drain(b.outbox)).toEqual([samplePoint(0), samplePoint(2), samplePoint(3)]);
    await b.outbox.close();
  });

  it('holds only a read window in memory, however large the backlog (300k points)', async () => {
    const dir = freshDir();
    const readAheadPoints = 10_000;
    const a = await openOutbox(dir, { readAheadPoints });
    const total = 300_000;
    for (let i = 0; i < total; i += 2000) {
      a.outbox.append(samplePoints(i, 2000));
      expect(a.outbox.bufferedPoints).toBeLessThanOrEqual(readAheadPoints);
    }
    expect(a.outbox.stats().pending).toBe(total);
    let next = 0;
    let maxBuffered = 0;
    const check = (o: FileOutbox, until: number): void => {
      while (next < until) {
        const b = o.peek(5000)!;
        maxBuffered = Math.max(maxBuffered, o.bufferedPoints);
        expect(b.points[0]).toEqual(samplePoint(next));
        next += b.points.length;
        o.ack(b.token);
      }
    };
    check(a.outbox, 150_000);
    await a.outbox.close();

    const b = await openOutbox(dir, { readAheadPoints });
    expect(b.outbox.bufferedPoints).toBe(0);
    expect(b.outbox.stats().pending).toBe(total - 150_000);
    check(b.outbox, total);
    expect(b.outbox.peek(5000)).toBeUndefined();
    expect(maxBuffered).toBeLessThanOrEqual(readAheadPoints);
    expect(segments(dir).length).toBe(1);
    await b.outbox.close();
  });

  it('loses no confirmed point when the process is SIGKILLed while appending', async () => {
    // The real FileOutbox, transpiled as is (the storage files import node:fs only), runs in a
    // child that appends as fast as it can and prints how many points its appends confirmed.
    const build = freshDir();
    mkdirSync(build, { recursive: true });
    for (const f of ['fileOutbox', 'files', 'memoryOutbox', 'outbox']) {
      const src = readFileSync(new URL(`./${f}.ts`, import.meta.url), 'utf8');
      const js = ts.transpileModule(src, {
        compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
      }).outputText;
      writeFileSync(join(build, `${f}.js`), js);
    }
    writeFileSync(join(build, 'package.json'), '{"type":"module"}');
    writeFileSync(
      join(build, 'child.js'),
      `import { FileOutbox } from './fileOutbox.js';
const log = { info() {}, warn() {}, error() {}, debug() {} };
const o = new FileOutbox(process.argv[2], { maxPoints: 1e9, telemetryShare: 0.9 }, log, { segmentMaxPoints: 3000 });
await o.open();
${killPointSrc}
let i = o.stats().pending;
for (;;) {
  const n = 1 + (i % 7);
  const batch = [];
  for (let k = 0; k < n; k++) batch.push(killPoint(i + k));
  o.append(batch);
  i += n;
  // stdout is a socket here: written only when the event loop runs, so let it run.
  process.stdout.write(i + '\\n');
  if (i % 64 < 7) await new Promise((resolve) => setImmediate(resolve));
}
`,
    );
    const killPoint = new Function(`${killPointSrc}; return killPoint;`)() as (i: number) => OutboxPoint;
    const dir = freshDir();
    for (let round = 1; round <= 3; round++) {
      const confirmed = await runAndKill(join(build, 'child.js'), dir, round * 8000);
      const { outbox, messages } = await openOutbox(dir);
      const pending = outbox.stats().pending;
      expect(pending).toBeGreaterThanOrEqual(confirmed);
      expect(messages('error')).toEqual([]); // at most a torn tail (warn), never a corrupt line
      // Every point, in order, none twice, none missing; then close without acking.
      let i = 0;
      for (const p of drainNoAck(outbox)) expect(p).toEqual(killPoint(i++));
      expect(i).toBe(pending);
      await outbox.close();
    }
  });
});

const killPointSrc = `function killPoint(i) {
  return { measurement: 'queue', tags: { checkpoint: 'c', lane: 'L' + (i % 3) }, fields: { arrivals: i, note: 'x'.repeat(i % 40) }, timeNs: '17' + String(i).padStart(17, '0') };
}`;

/** Reads everything pending without acknowledging it (re-opens a fresh view each batch). */
function drainNoAck(outbox: FileOutbox): OutboxPoint[] {
  // peek returns the same batch until acked, so read it all in one window-sized peek.
  return [...(outbox.peek(Math.max(1, outbox.stats().pending))?.points ?? [])];
}

/** Starts the child, SIGKILLs it once it confirmed at least `atLeast` points in total. */
function runAndKill(script: string, dir: string, atLeast: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let confirmed = 0;
    let buffered = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child confirmed only ${confirmed} points in time; stderr: ${stderr}`));
    }, 15_000);
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      buffered += d.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      const last = lines[lines.length - 1];
      if (last !== undefined) confirmed = Number(last);
      if (confirmed >= atLeast && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') resolve(confirmed);
      else reject(new Error(`child exited with ${code}: ${stderr}`));
    });
  });
}
