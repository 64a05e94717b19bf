import { escape } from 'influx';
import { describe, expect, it } from 'vitest';
import { encodePoint, quoteString, type EncodedPoint } from './lineProtocol.js';
import type { OutboxPoint } from './outbox.js';

const base = { tags: { checkpoint: 'lao-cai', lane: 'IN-1' }, timeNs: '1700000000000000001' };
const wire = (p: OutboxPoint): Record<string, string> => {
  const e = encodePoint(p) as EncodedPoint;
  return Object.fromEntries(Object.entries(e.fields).map(([k, v]) => [k, String(v)]));
};

describe('line protocol encoding', () => {
  it('writes the contract integers as integers and the rest as floats, booleans, strings', () => {
    expect(wire({ ...base, measurement: 'queue', fields: { length: 3, arrivals: 10, departures: 0, wait_estimate_s: 12 } })).toEqual({
      length: '3i',
      arrivals: '10i',
      departures: '0i',
      wait_estimate_s: '12',
    });
    expect(wire({ ...base, measurement: 'device', fields: { online: true, frames: 5, bad_frames: 1, lost_frames: 0, last_seen_s: -1 } })).toEqual({
      online: 'true',
      frames: '5i',
      bad_frames: '1i',
      lost_frames: '0i',
      last_seen_s: '-1',
    });
    expect(wire({ ...base, measurement: 'clearance', fields: { unit: 'a"b\\c', wait_s: 1.25 } })).toEqual({ unit: '"a\\"b\\\\c"', wait_s: '1.25' });
  });

  it('escapes only what line protocol needs inside a string field', () => {
    expect(quoteString(`云A 1,=2'"\\`)).toBe(`"云A 1,=2'\\"\\\\"`);
    // Why we do not use the package's escaper: it alters a unit that contains \'.
    expect(escape.quoted(`x\\'y`)).not.toBe(quoteString(`x\\'y`));
  });

  it('refuses points InfluxDB would reject forever', () => {
    const bad = (p: Partial<OutboxPoint>): boolean => 'error' in encodePoint({ ...base, measurement: 'queue', fields: { length: 1 }, ...p });
    expect(bad({})).toBe(false);
    expect(bad({ fields: {} })).toBe(true);
    expect(bad({ fields: { length: 1.5 } })).toBe(true); // declared integer
    expect(bad({ fields: { wait_estimate_s: Number.NaN } })).toBe(true);
    expect(bad({ fields: { length: null as unknown as number } })).toBe(true); // NaN after a JSON round trip
    expect(bad({ timeNs: '1.7e18' })).toBe(true);
    expect(bad({ tags: { lane: 'a\nb' } })).toBe(true);
    expect(encodePoint({ ...base, measurement: 'queue', tags: { checkpoint: 'c', lane: '' }, fields: { length: 1 } })).toMatchObject({ tags: { checkpoint: 'c' } });
  });
});
