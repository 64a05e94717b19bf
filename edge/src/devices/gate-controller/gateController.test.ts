import { describe, expect, it } from 'vitest';
import type { Point } from '@gatewatch/shared';
import { barrierFields, gateSentence, heartbeatFields, loopFields, nmeaChecksum } from '@gatewatch/shared';
import { bytes, feed, feedEveryCut, type Outcome } from '../devices.fixtures.js';
import { GateControllerParser } from './parser.js';
import { NMEA_MAX_SENTENCE, parseGateSentence, type GateFrame } from './sentence.js';
import { GateControllerTracker, lostBetween } from './tracker.js';

const DEV = 'gate-ctl';
const make = (): GateControllerParser => new GateControllerParser({ device: DEV });
const codes = (out: Outcome<GateFrame>[]): string[] => out.map((o) => ('frame' in o ? o.frame.type : o.error));

/** A sentence with a wrong checksum (the right one plus one). */
const corrupt = (seq: number, fields: string): string => {
  const body = `PGWG,${seq},${fields}`;
  const wrong = ((parseInt(nmeaChecksum(body), 16) + 1) % 256).toString(16).toUpperCase().padStart(2, '0');
  return `$${body}*${wrong}\r\n`;
};
const lowerCase = (s: string): string => s.replace(/\*([0-9A-F]{2})/, (_m, cs: string) => `*${cs.toLowerCase()}`);

/** Every fixture stream, each fed whole, cut in two at every byte and byte by byte. */
const FIXTURES: Record<string, { stream: Buffer; expect: string[] }> = {
  'good sentences of every type': {
    stream: bytes(
      gateSentence(0, heartbeatFields(12)),
      gateSentence(1, loopFields('IN-1', 'Q', true)),
      gateSentence(2, loopFields('IN-1', 'Q', false)),
      gateSentence(3, barrierFields('IN-1', true)),
      lowerCase(gateSentence(4, loopFields('OUT-2', 'X', true))),
    ),
    expect: ['heartbeat', 'loop', 'loop', 'barrier', 'loop'],
  },
  'a bad checksum between good sentences': {
    stream: bytes(gateSentence(1, heartbeatFields(5)), corrupt(2, loopFields('IN-1', 'G', true)), gateSentence(3, heartbeatFields(10))),
    expect: ['heartbeat', 'FRAME_CHECKSUM', 'heartbeat'],
  },
  'garbage bytes before a sentence': {
    stream: bytes(Uint8Array.from([0x00, 0xff, 0x13]), 'noise', gateSentence(1, loopFields('IN-1', 'Q', true)), gateSentence(2, heartbeatFields(5))),
    expect: ['FRAME_GARBAGE', 'loop', 'heartbeat'],
  },
  'a garbage line, then a sentence': {
    stream: bytes('line noise\r\n', gateSentence(9, heartbeatFields(1))),
    expect: ['FRAME_GARBAGE', 'heartbeat'],
  },
  'an over-long sentence between good ones': {
    stream: bytes(
      gateSentence(1, heartbeatFields(1)),
      gateSentence(2, `HB,${'9'.repeat(120)}`),
      gateSentence(3, barrierFields('IN-1', false)),
    ),
    expect: ['heartbeat', 'FRAME_TOO_LONG', 'barrier'],
  },
  'a sentence cut off by the next one': {
    stream: bytes('$PGWG,7,LOOP,IN-1,', gateSentence(8, loopFields('IN-1', 'G', true))),
    expect: ['FRAME_TRUNCATED', 'loop'],
  },
  'bare LF and bare CR line ends, blank lines': {
    stream: bytes(gateSentence(1, heartbeatFields(1)).replace('\r\n', '\n'), '\r\n\r\n', gateSentence(2, heartbeatFields(2)).replace('\r\n', '\r')),
    expect: ['heartbeat', 'heartbeat'],
  },
  'unknown sentences and bad fields': {
    stream: bytes(
      gateSentence(1, 'XYZ,1'),
      `$GPGGA,1*${nmeaChecksum('GPGGA,1')}\r\n`,
      gateSentence(2, loopFields('IN_1', 'Q', true)),
      gateSentence(3, 'LOOP,IN-1,Z,1'),
      gateSentence(4, 'LOOP,IN-1,Q,2'),
      gateSentence(70000, heartbeatFields(1)),
      '$PGWG,5,HB,1\r\n',
      gateSentence(6, heartbeatFields(6)),
    ),
    expect: ['FRAME_UNKNOWN', 'FRAME_UNKNOWN', 'FRAME_FIELD', 'FRAME_FIELD', 'FRAME_FIELD', 'FRAME_FIELD', 'FRAME_SYNTAX', 'heartbeat'],
  },
  'the stream ends inside a sentence': {
    stream: bytes(gateSentence(1, heartbeatFields(1)), '$PGWG,2,HB'),
    expect: ['heartbeat', 'FRAME_TRUNCATED'],
  },
};

describe('gate controller parser', () => {
  for (const [name, f] of Object.entries(FIXTURES)) {
    it(`${name}: the same frames and errors however the reads are cut`, async () => {
      const { whole, differing } = await feedEveryCut(make, f.stream);
      expect(codes(whole)).toEqual(f.expect);
      expect(differing).toEqual([]);
    });
  }

  it('decodes the fields of each sentence type', async () => {
    const out = await feed(make(), [FIXTURES['good sentences of every type']!.stream]);
    expect(out).toEqual([
      { frame: { type: 'heartbeat', seq: 0, uptimeS: 12 } },
      { frame: { type: 'loop', seq: 1, lane: 'IN-1', point: 'queue', occupied: true } },
      { frame: { type: 'loop', seq: 2, lane: 'IN-1', point: 'queue', occupied: false } },
      { frame: { type: 'barrier', seq: 3, lane: 'IN-1', open: true } },
      { frame: { type: 'loop', seq: 4, lane: 'OUT-2', point: 'exit', occupied: true } },
    ]);
  });

  it('errors name the device and the frame', async () => {
    const sentence = corrupt(2, loopFields('IN-1', 'G', true));
    const [bad] = await feed(make(), [bytes(sentence)]);
    expect(bad).toMatchObject({ error: 'FRAME_CHECKSUM', where: `${DEV} frame ${JSON.stringify(sentence.trimEnd())}` });
  });

  it(`frames a sentence of exactly ${NMEA_MAX_SENTENCE} bytes and rejects one byte more as over-long`, async () => {
    // No sentence type of today is that long: an 82-byte one reaches the decoder (unknown type),
    // an 83-byte one never does.
    const padded = (seq: number, extra: number): string => gateSentence(seq, `NEW,${'1'.repeat(NMEA_MAX_SENTENCE - gateSentence(seq, 'NEW,').length + extra)}`);
    const fits = padded(1, 0);
    const tooLong = padded(2, 1);
    expect(Buffer.byteLength(fits)).toBe(NMEA_MAX_SENTENCE);
    expect(Buffer.byteLength(tooLong)).toBe(NMEA_MAX_SENTENCE + 1);
    expect(codes(await feed(make(), [bytes(fits, tooLong, gateSentence(3, heartbeatFields(3)))]))).toEqual(['FRAME_UNKNOWN', 'FRAME_TOO_LONG', 'heartbeat']);
  });

  it('skips a huge run without a line end and still reads the next sentence', async () => {
    // A stuck transmitter: 1 MB without CR/LF. Buffering is bounded by the NMEA limit.
    const out = await feed(make(), [bytes('$PGWG,1,HB,', 'x'.repeat(1_000_000), '\r\n', gateSentence(2, heartbeatFields(2)))]);
    expect(codes(out)).toEqual(['FRAME_TOO_LONG', 'heartbeat']);
    expect(out[0]).toMatchObject({ message: expect.stringContaining('1000011 bytes') });
  });

  it('parseGateSentence is pure: the same bytes give the same frame', () => {
    const line = Buffer.from(gateSentence(17, loopFields('IN-1', 'Q', true)).trimEnd(), 'latin1');
    expect(parseGateSentence(line, DEV)).toEqual(parseGateSentence(line, DEV));
    expect(parseGateSentence(line, DEV)).toEqual({ ok: true, value: { type: 'loop', seq: 17, lane: 'IN-1', point: 'queue', occupied: true } });
  });
});

describe('gate controller sequence numbers', () => {
  it('counts the sentences missing between two, across the wrap', () => {
    expect(lostBetween(5, 6)).toBe(0);
    expect(lostBetween(5, 8)).toBe(2);
    expect(lostBetween(65535, 0)).toBe(0);
    expect(lostBetween(65534, 1)).toBe(2);
    expect(lostBetween(65535, 65535)).toBe(0); // a repeat, not 65535 lost
  });

  it('the tracker counts gaps of a stream and starts over after a resync', () => {
    const t = new GateControllerTracker();
    const hb = (seq: number): GateFrame => ({ type: 'heartbeat', seq, uptimeS: 0 });
    expect([65533, 65534, 1, 2, 5].map((s) => t.accept(hb(s)).lost)).toEqual([0, 0, 2, 0, 2]);
    t.resync();
    expect(t.accept(hb(40000)).lost).toBe(0);
    expect(t.accept(hb(40002)).lost).toBe(1);
  });
});

describe('gate controller loops', () => {
  const loop = (seq: number, lane: string, point: Point, occupied: boolean): GateFrame => ({ type: 'loop', seq, lane, point, occupied });

  it('one vehicle per rising edge; the first report counts only when it is occupied', () => {
    const t = new GateControllerTracker();
    const passes = [
      loop(1, 'IN-1', 'queue', true), // first report, occupied: a vehicle is on it
      loop(2, 'IN-1', 'queue', true), // still the same vehicle
      loop(3, 'IN-1', 'queue', false),
      loop(4, 'IN-1', 'queue', true), // next vehicle
      loop(5, 'IN-1', 'gate', false), // first report, clear: nothing
      loop(6, 'IN-1', 'gate', true),
      loop(7, 'IN-2', 'queue', true), // other lane, independent
    ].map((f) => t.accept(f).passing);
    expect(passes).toEqual([
      { lane: 'IN-1', point: 'queue' },
      undefined,
      undefined,
      { lane: 'IN-1', point: 'queue' },
      undefined,
      { lane: 'IN-1', point: 'gate' },
      { lane: 'IN-2', point: 'queue' },
    ]);
  });

  it('a vehicle standing on a loop through a reconnect is not counted twice', () => {
    const t = new GateControllerTracker();
    expect(t.accept(loop(1, 'IN-1', 'exit', true)).passing).toBeDefined();
    t.resync();
    expect(t.accept(loop(900, 'IN-1', 'exit', true)).passing).toBeUndefined();
  });

  it('barriers and heartbeats are no vehicle', () => {
    const t = new GateControllerTracker();
    expect(t.accept({ type: 'barrier', seq: 1, lane: 'IN-1', open: true }).passing).toBeUndefined();
    expect(t.accept({ type: 'heartbeat', seq: 2, uptimeS: 5 }).passing).toBeUndefined();
  });
});
