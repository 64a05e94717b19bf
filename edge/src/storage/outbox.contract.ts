/**
 * The one contract every Outbox implementation must keep (MQTT.js test/node/abstract_store.ts):
 * call `outboxContract(factory)` inside a describe() in the implementation's test file. The
 * factory returns an opened, empty outbox; the suite closes it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Outbox, OutboxLimits, OutboxPoint } from './outbox.js';

export type OutboxFactory = (limits: OutboxLimits) => Promise<Outbox>;

const ROOMY: OutboxLimits = { maxPoints: 1_000_000, telemetryShare: 0.8 };

let clock = 1_700_000_000_000;
/** A point with a distinct timestamp and a payload that JSON and line protocol must both keep. */
export function samplePoint(i: number, measurement = 'queue', emitSeq?: number): OutboxPoint {
  const p: OutboxPoint = {
    measurement,
    tags: { checkpoint: 'lao-cai', lane: `IN-${i % 3}` },
    fields:
      measurement === 'clearance'
        ? { unit: `云A ${i},="\\'`, wait_s: i / 1000, total_s: 1.5 }
        : { length: i % 17, arrivals: i, departures: 0, wait_estimate_s: 12.25 },
    timeNs: `${(BigInt(clock + i) * 1_000_000n + BigInt(i % 7)).toString()}`,
  };
  if (emitSeq !== undefined) p.emitSeq = emitSeq;
  return p;
}

export function samplePoints(from: number, n: number, measurement = 'queue'): OutboxPoint[] {
  return Array.from({ length: n }, (_, k) => samplePoint(from + k, measurement));
}

export function outboxContract(make: OutboxFactory): void {
  describe('Outbox contract', () => {
    const opened: Outbox[] = [];
    const open = async (limits: OutboxLimits = ROOMY): Promise<Outbox> => {
      const o = await make(limits);
      opened.push(o);
      return o;
    };
    afterEach(async () => {
      for (const o of opened.splice(0)) await o.close();
      clock += 1_000_000;
    });

    it('is empty when new', async () => {
      const o = await open();
      expect(o.peek(10)).toBeUndefined();
      expect(o.stats()).toEqual({ pending: 0, appended: 0, sent: 0, refused: {}, lastEmitSeq: 0 });
    });

    it('hands points out in append order, unchanged', async () => {
      const o = await open();
      const a = samplePoints(0, 3);
      const b = samplePoints(3, 2, 'clearance');
      expect(o.append(a)).toEqual({ accepted: 3, refused: {} });
      expect(o.append(b)).toEqual({ accepted: 2, refused: {} });
      expect(o.peek(100)?.points).toEqual([...a, ...b]);
      expect(o.stats()).toMatchObject({ pending: 5, appended: 5, sent: 0 });
    });

    it('keeps what was appended even if the caller changes its objects afterwards', async () => {
      const o = await open();
      const p = samplePoint(1);
      const copy = structuredClone(p);
      o.append([p]);
      p.fields.length = 999;
      p.tags.lane = 'changed';
      expect(o.peek(1)?.points).toEqual([copy]);
    });

    it('returns the same batch until it is acknowledged, whatever is appended meanwhile', async () => {
      const o = await open();
      o.append(samplePoints(0, 5));
      const first = o.peek(3);
      o.append(samplePoints(5, 5));
      const again = o.peek(3);
      expect(again?.token).toBe(first?.token);
      expect(again?.points).toEqual(first?.points);
      expect(again?.points).toEqual(samplePoints(0, 3));
    });

    it('removes acknowledged points and hands out the next ones', async () => {
      const o = await open();
      o.append(samplePoints(0, 10));
      const b1 = o.peek(4)!;
      o.ack(b1.token);
      expect(o.stats()).toMatchObject({ pending: 6, sent: 4 });
      const b2 = o.peek(4)!;
      expect(b2.points).toEqual(samplePoints(4, 4));
      expect(b2.token).not.toBe(b1.token);
      o.ack(b2.token);
      const b3 = o.peek(4)!;
      expect(b3.points).toEqual(samplePoints(8, 2));
      o.ack(b3.token);
      expect(o.peek(4)).toBeUndefined();
      expect(o.stats()).toMatchObject({ pending: 0, appended: 10, sent: 10 });
    });

    it('ignores a repeated ack and refuses an ack of points never handed out', async () => {
      const o = await open();
      o.append(samplePoints(0, 4));
      const b = o.peek(2)!;
      o.ack(b.token);
      o.ack(b.token);
      expect(o.stats()).toMatchObject({ pending: 2, sent: 2 });
      expect(() => o.ack(b.token + 1000)).toThrow(RangeError);
      expect(o.peek(10)?.points).toEqual(samplePoints(2, 2));
    });

    it('rejects a peek of fewer than one point', async () => {
      const o = await open();
      o.append(samplePoints(0, 1));
      expect(() => o.peek(0)).toThrow(RangeError);
    });

    it('keeps order across many batches', async () => {
      const o = await open();
      const n = 12_345;
      for (let i = 0; i < n; i += 500) o.append(samplePoints(i, Math.min(500, n - i)));
      let seen = 0;
      for (let b = o.peek(1000); b; b = o.peek(1000)) {
        expect(b.points[0]).toEqual(samplePoint(seen));
        expect(b.points[b.points.length - 1]).toEqual(samplePoint(seen + b.points.length - 1));
        seen += b.points.length;
        o.ack(b.token);
        if (seen % 3000 === 0) o.append([]); // an empty append changes nothing
      }
      expect(seen).toBe(n);
      expect(o.stats()).toMatchObject({ pending: 0, sent: n });
    });

    it('refuses telemetry at telemetryShare × maxPoints, then everything at maxPoints, and counts it', async () => {
      const o = await open({ maxPoints: 10, telemetryShare: 0.6 });
      // 6 telemetry fit (0..5 pending when admitted), the 7th and 8th do not.
      expect(o.append(samplePoints(0, 8))).toEqual({ accepted: 6, refused: { queue: 2 } });
      // Clearances keep the last room: 4 fit, then the bound refuses them too.
      const mixed = [...samplePoints(8, 5, 'clearance'), samplePoint(13, 'device'), samplePoint(14, 'queue')];
      expect(o.append(mixed)).toEqual({ accepted: 4, refused: { clearance: 1, device: 1, queue: 1 } });
      expect(o.stats()).toMatchObject({ pending: 10, refused: { queue: 3, clearance: 1, device: 1 } });
      // Nothing refused is stored: the outbox holds the first 6 + 4.
      const b = o.peek(100)!;
      expect(b.points).toEqual([...samplePoints(0, 6), ...samplePoints(8, 4, 'clearance')]);
      // Room again once InfluxDB took some: telemetry still waits until below the share.
      o.ack(b.token);
      expect(o.append(samplePoints(20, 7))).toEqual({ accepted: 6, refused: { queue: 1 } });
      expect(o.stats().refused).toEqual({ queue: 4, clearance: 1, device: 1 });
    });

    it('remembers the highest emitSeq appended, accepted or refused', async () => {
      const o = await open({ maxPoints: 3, telemetryShare: 0.5 });
      expect(o.stats().lastEmitSeq).toBe(0);
      o.append([samplePoint(0, 'clearance', 4), samplePoint(1, 'queue', 7)]);
      expect(o.stats().lastEmitSeq).toBe(7);
      o.append([samplePoint(2, 'device')]); // no emitSeq: unchanged (and refused)
      expect(o.stats().lastEmitSeq).toBe(7);
      const r = o.append([samplePoint(3, 'clearance', 9), samplePoint(4, 'clearance', 12)]);
      expect(r).toEqual({ accepted: 1, refused: { clearance: 1 } });
      expect(o.stats().lastEmitSeq).toBe(12);
      o.append([samplePoint(5, 'queue', 10)]);
      expect(o.stats().lastEmitSeq).toBe(12);
    });

    it('tells listeners about accepted points, and a failing listener fails nothing', async () => {
      const o = await open({ maxPoints: 2, telemetryShare: 1 });
      let calls = 0;
      const off = o.onAppend(() => calls++);
      o.onAppend(() => {
        throw new Error('listener bug');
      });
      expect(o.append(samplePoints(0, 2)).accepted).toBe(2);
      expect(calls).toBe(1);
      o.append(samplePoints(2, 1)); // all refused: nothing new to send
      expect(calls).toBe(1);
      off();
      o.ack(o.peek(2)!.token);
      o.append(samplePoints(3, 1));
      expect(calls).toBe(1);
      expect(o.stats().pending).toBe(1);
    });
  });
}
