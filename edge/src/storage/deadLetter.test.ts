import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEAD_LETTER_FILE, FileDeadLetter, LogThrottle, MemoryDeadLetter, type RejectedPoint } from './deadLetter.js';
import { samplePoints } from './outbox.contract.js';
import { captureLog } from './storage.fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'gw-deadletter-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const newDir = (): string => join(root, `d${++n}`, 'outbox');

const read = (dir: string): RejectedPoint[] =>
  readFileSync(join(dir, DEAD_LETTER_FILE), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as RejectedPoint);

const rejection = { status: 400, error: 'partial write: field type conflict dropped=1', at: new Date('2024-05-01T10:00:00.123Z') };

describe('FileDeadLetter', () => {
  it('appends one line per point, with status, error text and time, creating the folder', () => {
    const dir = newDir();
    const dl = new FileDeadLetter(dir, captureLog().log);
    expect(dl.location).toBe(join(dir, 'rejected.ndjson'));
    const a = samplePoints(1, 3);
    const b = samplePoints(10, 2, 'clearance');
    dl.write(a, rejection);
    dl.write(b, { ...rejection, status: 422, error: 'other' });
    const lines = read(dir);
    expect(lines.map((l) => l.point)).toEqual([...a, ...b]);
    expect(lines[0]).toEqual({ at: '2024-05-01T10:00:00.123Z', status: 400, error: rejection.error, point: a[0] });
    expect(lines[4]).toMatchObject({ status: 422, error: 'other' });
    expect(dl.stats()).toEqual({ keptPoints: 5, droppedPoints: 0 });
  });

  it('stops at maxBytes (whole lines only, counting what it did not keep), across restarts', () => {
    const dir = newDir();
    const points = samplePoints(1, 10);
    const lineBytes = Buffer.byteLength(JSON.stringify({ at: rejection.at.toISOString(), status: 400, error: rejection.error, point: points[0] }) + '\n');
    const captured = captureLog();
    const dl = new FileDeadLetter(dir, captured.log, { maxBytes: lineBytes * 4 + 10 });
    dl.write(points.slice(0, 3), rejection);
    dl.write(points.slice(3, 6), rejection); // one fits
    expect(dl.stats()).toEqual({ keptPoints: 4, droppedPoints: 2 });
    expect(captured.messages('error')).toContain('dead-letter file full; rejected points not kept');

    // A new process counts what the file already holds.
    const again = new FileDeadLetter(dir, captureLog().log, { maxBytes: lineBytes * 4 + 10 });
    again.write(points.slice(6), rejection);
    expect(again.stats()).toEqual({ keptPoints: 0, droppedPoints: 4 });
    expect(read(dir).map((l) => l.point)).toEqual(points.slice(0, 4));
    expect(statSync(join(dir, DEAD_LETTER_FILE)).size).toBeLessThanOrEqual(lineBytes * 4 + 10);
  });

  it('never throws when it cannot write: counts and logs instead', () => {
    const parent = join(root, `notdir${++n}`);
    // A file where the folder should be: mkdir fails.
    writeFileSync(parent, 'not a folder');
    const captured = captureLog();
    const dl = new FileDeadLetter(join(parent, 'outbox'), captured.log);
    expect(() => dl.write(samplePoints(1, 2), rejection)).not.toThrow();
    expect(dl.stats()).toEqual({ keptPoints: 0, droppedPoints: 2 });
    expect(captured.messages('error')).toContain('cannot write the dead-letter file; rejected points not kept');
  });
});

describe('MemoryDeadLetter', () => {
  it('keeps up to maxPoints and counts the rest', () => {
    const dl = new MemoryDeadLetter(3);
    dl.write(samplePoints(1, 5), rejection);
    expect(dl.points.map((p) => p.point)).toEqual(samplePoints(1, 3));
    expect(dl.points[0]).toMatchObject({ status: 400, error: rejection.error, at: '2024-05-01T10:00:00.123Z' });
    expect(dl.stats()).toEqual({ keptPoints: 3, droppedPoints: 2 });
  });
});

describe('LogThrottle', () => {
  it('lets one through per interval and counts the ones held back', () => {
    let now = 0;
    const t = new LogThrottle(1000, () => now);
    expect(t.take()).toBe(0);
    now = 500;
    expect(t.take()).toBeUndefined();
    expect(t.take()).toBeUndefined();
    now = 1000;
    expect(t.take()).toBe(2);
    expect(t.take()).toBeUndefined();
  });
});
