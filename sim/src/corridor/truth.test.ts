import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateDay, type Emission, type TruthRecord } from './simulate.js';
import { isUnit, readTruth, streamTruth, truthLine, writeTruth } from './truth.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-truth-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the truth file', () => {
  it('holds every truth record of a run, one a line, and reads back the same', async () => {
    const path = join(dir, 'kim-thanh.ndjson');
    const records: TruthRecord[] = [];
    let emissions = 0;
    for (const item of simulateDay({ crossing: 'kim-thanh-road', seed: 7, day: '2026-11-25' })) {
      if (item.kind === 'truth') records.push(item.record);
    }
    const written = await writeTruth(path, simulateDay({ crossing: 'kim-thanh-road', seed: 7, day: '2026-11-25' }), (e: Emission) => {
      expect(e.kind).not.toBe('truth');
      emissions++;
    });
    expect(written).toBe(records.length);
    expect(emissions).toBeGreaterThan(1000);
    expect(readFileSync(path, 'utf8')).toBe(records.map(truthLine).join(''));
    expect(readTruth(path)).toEqual(records);
    const streamed: TruthRecord[] = [];
    for await (const r of streamTruth(path)) streamed.push(r);
    expect(streamed).toEqual(records);
    expect(records.filter(isUnit).length).toBeGreaterThan(50);
    expect(records.some((r) => r.type === 'outage')).toBe(true);
  });

  it('is byte-identical for the same seed and day', async () => {
    const a = join(dir, 'a.ndjson');
    const b = join(dir, 'b.ndjson');
    await writeTruth(a, simulateDay({ crossing: 'lao-cai-rail', seed: 3, day: '2026-11-25' }));
    await writeTruth(b, simulateDay({ crossing: 'lao-cai-rail', seed: 3, day: '2026-11-25' }));
    expect(readFileSync(a)).toEqual(readFileSync(b));
  });

  it('refuses a line that is not a truth record', async () => {
    const path = join(dir, 'bad.ndjson');
    await writeTruth(path, []);
    expect(readTruth(path)).toEqual([]);
    const { writeFileSync } = await import('node:fs');
    writeFileSync(path, '{"type":"unit"}\n{"nope":1}\n');
    expect(() => readTruth(path)).toThrow(/bad\.ndjson:2: not a truth record/);
  });
});
