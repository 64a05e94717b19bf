/**
 * The ground truth as a file: NDJSON, one record a line, in the order the simulator yields
 * them (a unit once its last frame is out, an outage when it ends). Unit lines carry the
 * unit's true queue, gate and exit times (epoch ms), channel, weight and the faults injected
 * on it; outage lines a device's silent spell. The only I/O of the corridor model.
 */
import { createReadStream, createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { SimItem, TruthRecord, UnitTruth } from './simulate.js';

/** One record as its line (key order as built by the simulator, so a seeded run gives the same bytes). */
export const truthLine = (r: TruthRecord): string => `${JSON.stringify(r)}\n`;

/** Appends truth records to a file (truncated at open), honouring the stream's back-pressure. */
export class TruthWriter {
  private readonly out: WriteStream;
  private failure: Error | undefined;
  records = 0;

  constructor(readonly path: string) {
    this.out = createWriteStream(path, { flags: 'w' });
    this.out.on('error', (e) => (this.failure = e));
  }

  /** Writes one record; resolves at once unless the stream asks to wait. */
  async write(r: TruthRecord): Promise<void> {
    if (this.failure) throw this.failure;
    this.records++;
    if (!this.out.write(truthLine(r))) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    if (this.failure) throw this.failure;
    this.out.end();
    await once(this.out, 'finish');
  }
}

/**
 * Runs a simulation through: every truth record to `path`, every emission to `onEmission`
 * (e.g. the backfill's replay). Returns how many truth records were written.
 */
export async function writeTruth(path: string, items: Iterable<SimItem>, onEmission?: (e: Exclude<SimItem, { kind: 'truth' }>) => void): Promise<number> {
  const w = new TruthWriter(path);
  try {
    for (const item of items) {
      if (item.kind === 'truth') await w.write(item.record);
      else onEmission?.(item);
    }
  } finally {
    await w.close();
  }
  return w.records;
}

function parseLine(line: string, where: string): TruthRecord {
  const r = JSON.parse(line) as unknown;
  if (typeof r !== 'object' || r === null || !('type' in r) || (r.type !== 'unit' && r.type !== 'outage')) {
    throw new Error(`${where}: not a truth record`);
  }
  return r as TruthRecord;
}

/** Every record of a truth file (small files: tests). */
export function readTruth(path: string): TruthRecord[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l, i) => parseLine(l, `${path}:${i + 1}`));
}

/** The records of a truth file one by one, without reading it whole (evaluation of long runs). */
export async function* streamTruth(path: string): AsyncGenerator<TruthRecord> {
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (line.length > 0) yield parseLine(line, `${path}:${n}`);
  }
}

export const isUnit = (r: TruthRecord): r is UnitTruth => r.type === 'unit';
