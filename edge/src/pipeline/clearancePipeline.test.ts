import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cam, coreConfig, T0, tick } from '../core/core.fixtures.js';
import { ClearanceCore } from '../core/tracker.js';
import { EventBus } from '../eventBus.js';
import { createLog } from '../log.js';
import { Journal } from '../storage/journal.js';
import { MemoryOutbox } from '../storage/memoryOutbox.js';
import type { AppendResult, OutboxPoint } from '../storage/outbox.js';
import { ClearancePipeline, StorageFailure } from './clearancePipeline.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-pipeline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const silent = createLog({ level: 'silent', destination: { write: () => true } as unknown as NodeJS.WritableStream });
const limits = { maxPoints: 1000, telemetryShare: 0.9 };

/** An outbox whose disk fills up after `okAppends` appends. */
class FillingOutbox extends MemoryOutbox {
  constructor(private okAppends: number) {
    super(limits);
  }
  override append(points: readonly OutboxPoint[]): AppendResult {
    if (this.okAppends-- <= 0) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
    return super.append(points);
  }
}

async function pipeline(name: string, outbox: MemoryOutbox, failures: unknown[]) {
  const journal = new Journal(join(dir, name), silent);
  const recovered = await journal.recover();
  const core = new ClearanceCore(coreConfig(), recovered.snapshot as never);
  const p = new ClearancePipeline({ core, journal, outbox, bus: new EventBus(silent), log: silent, fsync: 'interval', onStorageFailure: (e) => failures.push(e) });
  p.replay(recovered.records);
  return { p, journal, core };
}

describe('the clearance pipeline', () => {
  it('stops at the first failed write, reports it once, and accepts nothing more', async () => {
    const failures: unknown[] = [];
    const outbox = new FillingOutbox(0);
    await outbox.open();
    const { p } = await pipeline('full', outbox, failures);
    p.submit(cam('gate', 'A', T0));
    p.submit(cam('exit', 'A', T0 + 1000));
    expect(() => p.submit(tick(T0 + 7000))).toThrow(StorageFailure);
    expect(failures).toHaveLength(1);
    expect(p.failed).toBe(true);
    // Refused from now on, so a caller never acknowledges what was not stored.
    expect(() => p.submit(cam('gate', 'B', T0 + 8000))).toThrow(StorageFailure);
    expect(failures).toHaveLength(1);
  });

  it('after a restart on a fresh core, continues after what the outbox holds instead of skipping new records', async () => {
    const outbox = new MemoryOutbox(limits);
    await outbox.open();
    const first = await pipeline('reset-1', outbox, []);
    first.p.submit(cam('gate', 'A', T0));
    first.p.submit(cam('exit', 'A', T0 + 1000));
    first.p.submit(tick(T0 + 7000));
    const held = outbox.stats().lastEmitSeq;
    expect(held).toBeGreaterThan(0);
    // The journal and snapshot are lost (another folder), the outbox is kept.
    const second = await pipeline('reset-2', outbox, []);
    second.p.submit(cam('gate', 'B', T0 + 10_000));
    second.p.submit(cam('exit', 'B', T0 + 11_000));
    second.p.submit(tick(T0 + 17_000));
    const batch = outbox.peek(100)!;
    const units = batch.points.filter((pt) => pt.measurement === 'clearance').map((pt) => pt.fields.unit);
    expect(units).toEqual(['A', 'B']);
  });
});
