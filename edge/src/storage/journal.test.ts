import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Journal, JournalError } from './journal.js';
import { captureLog } from './storage.fixtures.js';

const root = mkdtempSync(join(tmpdir(), 'gw-journal-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => join(root, `j${dirs++}`);
const journalFiles = (dir: string): string[] => readdirSync(dir).filter((n) => n.startsWith('journal-')).sort();

async function open(dir: string) {
  const captured = captureLog();
  const journal = new Journal(dir, captured.log);
  const recovered = await journal.recover();
  return { journal, recovered, ...captured };
}

const input = (i: number): object => ({ type: 'event', id: `e${i}`, lane: 'IN-1', unit: `云A ${i}\n"\\`, ts: 1_700_000_000_000 + i });

describe('Journal', () => {
  it('does nothing in its constructor and refuses appends before recover()', () => {
    const dir = freshDir();
    const j = new Journal(dir, captureLog().log);
    expect(existsSync(dir)).toBe(false);
    expect(() => j.append({})).toThrow(JournalError);
  });

  it('starts empty', async () => {
    const { journal, recovered } = await open(freshDir());
    expect(recovered).toEqual({ snapshot: undefined, records: [] });
    await journal.close();
  });

  it('gives back every record appended, in order, after a restart', async () => {
    const dir = freshDir();
    const a = await open(dir);
    for (let i = 0; i < 50; i++) a.journal.append(input(i));
    a.journal.sync();
    await a.journal.close();
    const b = await open(dir);
    expect(b.recovered.records).toEqual(Array.from({ length: 50 }, (_, i) => input(i)));
    // Records of several runs add up until a checkpoint.
    b.journal.append(input(50));
    await b.journal.close();
    const c = await open(dir);
    expect(c.recovered.records).toHaveLength(51);
    await c.journal.close();
  });

  it('recovers the last snapshot and only the records after it; older segments are deleted', async () => {
    const dir = freshDir();
    const a = await open(dir);
    a.journal.append(input(1));
    a.journal.append(input(2));
    a.journal.checkpoint({ units: ['A', 'B'], emitSeq: 7 });
    expect(journalFiles(dir)).toHaveLength(1);
    a.journal.append(input(3));
    a.journal.checkpoint({ units: ['C'], emitSeq: 9 });
    a.journal.append(input(4));
    a.journal.append(input(5));
    expect(journalFiles(dir)).toHaveLength(1);
    await a.journal.close();

    const b = await open(dir);
    expect(b.recovered).toEqual({ snapshot: { units: ['C'], emitSeq: 9 }, records: [input(4), input(5)] });
    // recover() starts a new segment for appends; the recovered one stays until the next checkpoint.
    expect(journalFiles(dir)).toHaveLength(2);
    b.journal.checkpoint({ units: [], emitSeq: 11 });
    expect(journalFiles(dir)).toHaveLength(1);
    await b.journal.close();
    const c = await open(dir);
    expect(c.recovered).toEqual({ snapshot: { units: [], emitSeq: 11 }, records: [] });
    await c.journal.close();
  });

  it('a checkpoint of undefined recovers as no snapshot', async () => {
    const dir = freshDir();
    const a = await open(dir);
    a.journal.checkpoint(undefined);
    await a.journal.close();
    expect((await open(dir)).recovered.snapshot).toBeUndefined();
  });

  it('is safe when killed between the snapshot and the clean-up', async () => {
    const dir = freshDir();
    const a = await open(dir);
    a.journal.append(input(1));
    await a.journal.close();
    const [seg] = journalFiles(dir);
    // The new snapshot is in place (it names segment 5, not yet created); the old segment is not yet deleted.
    writeFileSync(join(dir, 'snapshot.json'), JSON.stringify({ version: 1, segment: 5, hasState: true, state: { n: 1 } }));
    const b = await open(dir);
    expect(b.recovered).toEqual({ snapshot: { n: 1 }, records: [] });
    expect(journalFiles(dir)).not.toContain(seg);
    b.journal.append(input(2));
    await b.journal.close();
    expect((await open(dir)).recovered).toEqual({ snapshot: { n: 1 }, records: [input(2)] });
  });

  it('drops a torn last line cut at every byte offset, and carries on', async () => {
    const base = freshDir();
    const a = await open(base);
    for (let i = 0; i < 5; i++) a.journal.append(input(i));
    await a.journal.close();
    const [seg] = journalFiles(base);
    const full = readFileSync(join(base, seg!));
    const lastStart = full.lastIndexOf(0x0a, full.length - 2) + 1;
    for (let cut = lastStart; cut < full.length; cut++) {
      const dir = freshDir();
      cpSync(base, dir, { recursive: true });
      truncateSync(join(dir, seg!), cut);
      const b = await open(dir);
      expect(b.recovered.records).toEqual([0, 1, 2, 3].map(input));
      expect(b.messages('warn').some((m) => m.includes('torn last line')), `cut at ${cut}`).toBe(cut > lastStart);
      b.journal.append(input(9));
      await b.journal.close();
      const c = await open(dir);
      expect(c.recovered.records).toEqual([0, 1, 2, 3, 9].map(input));
      expect(c.messages('warn')).toEqual([]);
      await c.journal.close();
      rmSync(dir, { recursive: true });
    }
  });

  it('skips and logs a corrupt line in the middle', async () => {
    const dir = freshDir();
    const a = await open(dir);
    for (let i = 0; i < 3; i++) a.journal.append(input(i));
    await a.journal.close();
    const path = join(dir, journalFiles(dir)[0]!);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[1] = '{"type":';
    writeFileSync(path, lines.join('\n'));
    const b = await open(dir);
    expect(b.recovered.records).toEqual([input(0), input(2)]);
    expect(b.messages('error').some((m) => m.includes('corrupt line'))).toBe(true);
    await b.journal.close();
  });

  it('refuses to start from an unreadable snapshot instead of silently starting empty', async () => {
    const dir = freshDir();
    const a = await open(dir);
    a.journal.checkpoint({ n: 1 });
    await a.journal.close();
    writeFileSync(join(dir, 'snapshot.json'), '{"version":1,"segm');
    await expect(new Journal(dir, captureLog().log).recover()).rejects.toThrow(JournalError);
  });
});
