/**
 * Fuzz properties of the serial parsers, written once: each parser's *.fuzz.test.ts runs them
 * (`describeSerialFuzz`) seeded and small in the test suite, and with 10^6 inputs per target
 * under `pnpm fuzz` (shared/src/fuzzing.ts).
 *
 * Per device kind, two targets:
 * - streams: frames made by the simulator's encoders (shared/src/encode.ts) from arbitrary
 *   fields, among garbage, cut into reads anywhere. Each garbage piece is built so that what it
 *   does is exact: it ends in a line end, or (gate controllers) it is cut short by the `$` of
 *   the sentence after it. So every frame must come out equal, every garbage piece as exactly
 *   one bad frame of a known code, and the device's counters (frames, bad_frames, lost_frames)
 *   must be what the generator made.
 * - mutations: the same encoders' frames with bytes flipped, inserted, deleted and replaced.
 *   Nothing may throw, and what comes out must be exactly what a plain model of the framing
 *   says (`modelFraming`): one outcome per run of bytes between line ends (and before each
 *   `$`), so that frames out + bad frames = runs delimited.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  barrierFields,
  gateSentence,
  heartbeatFields,
  InputError,
  iso6346CheckDigit,
  loopFields,
  scanLine,
  weightLine,
  type Point,
  type Result,
  type ScanCode,
} from '@gatewatch/shared';
import { byteEdit, fuzzSettings, fuzzTimeoutMs, mutate, runFuzz, type ByteEdit, type FuzzCounts, type FuzzTarget } from '@gatewatch/shared/fuzzing';
import type { SerialDeviceConfig } from '../config/types.js';
import { DeviceDecoder } from './deviceDecoder.js';
import { feed, outcome, type Outcome } from './devices.fixtures.js';
import { FrameParser, Framer, type FramingOptions } from './framing.js';
import { gateControllerFraming } from './gate-controller/parser.js';
import { NMEA_MAX_BODY, SEQ_MODULUS, type GateFrame } from './gate-controller/sentence.js';
import { scannerFraming } from './scanner/parser.js';
import { SCAN_MAX_BYTES } from './scanner/scan.js';
import { weighbridgeFraming } from './weighbridge/parser.js';
import { WEIGHT_LINE_MAX_BYTES, type WeightReading } from './weighbridge/reading.js';

const CR = 0x0d;
const LF = 0x0a;
const DOLLAR = 0x24;
export const DEVICE = 'fuzz-dev';

/** What one piece of a generated stream must give: a frame, or one bad frame with one of these codes. */
export type Expected<T> = { frame: T } | { bad: readonly string[] };

export interface Piece<T> {
  bytes: Uint8Array;
  expect: Expected<T>[];
}

export interface Stream<T> {
  pieces: Piece<T>[];
  /** Sentences the gate controller's tracker must count as lost (0 for the other kinds). */
  lost: number;
}

export interface SerialKind<T> {
  kind: SerialDeviceConfig['kind'];
  framing(device: string): FramingOptions<T>;
  streams: fc.Arbitrary<Stream<T>>;
  /** One good frame's bytes, line end included: the material of the mutation fuzz. */
  frame: fc.Arbitrary<Uint8Array>;
}

// ------------------------------------------------------------------------------------------------
// Bytes

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');

type Eol = '\r\n' | '\n' | '\r';
/** The contract allows CR, LF or CRLF; the encoders write CRLF. */
const eol: fc.Arbitrary<Eol> = fc.constantFrom<Eol>('\r\n', '\n', '\r');
const withEol = (encoded: string, end: Eol): string => `${encoded.slice(0, -2)}${end}`;
/** Blank lines: no frame, no bad frame. */
const blank = fc.stringMatching(/^[\r\n]{1,3}$/).map((s): Piece<never> => ({ bytes: utf8(s), expect: [] }));

/**
 * Arbitrary bytes none of which is banned. Banned bytes are moved off (xor 0x40) rather than
 * filtered out, which would reject most long arrays; none of CR, LF, `$` maps onto another.
 */
const bytesWithout = (banned: readonly number[], minLength: number, maxLength: number): fc.Arbitrary<Uint8Array> =>
  fc.uint8Array({ minLength, maxLength }).map((a) => a.map((b) => (banned.includes(b) ? b ^ 0x40 : b)));

/**
 * Bytes that no good frame of any kind holds and that are neither blanks (a scan's outer blanks
 * are trimmed), line ends nor `$`: C0 controls, DEL, and bytes never valid in UTF-8. One of them
 * makes any line garbage, whatever else it holds.
 */
const POISON = [
  ...Array.from({ length: 9 }, (_, i) => i), // 0x00-0x08
  ...Array.from({ length: 0x20 - 0x0e }, (_, i) => 0x0e + i), // 0x0e-0x1f
  0x7f,
  0xc0,
  0xc1,
  ...Array.from({ length: 0x100 - 0xf5 }, (_, i) => 0xf5 + i), // 0xf5-0xff
];

const poisoned = (bytes: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> =>
  fc.tuple(bytes, fc.constantFrom(...POISON), fc.nat()).map(([b, p, at]) => {
    const i = at % (b.length + 1);
    return Uint8Array.from([...b.subarray(0, i), p, ...b.subarray(i)]);
  });

const concat = (parts: readonly Uint8Array[]): Uint8Array => Buffer.concat(parts);

/** Read boundaries: cut positions (taken modulo the length), or one read per byte. */
export type Cuts = number[] | 'bytewise';
export const cutsArb: fc.Arbitrary<Cuts> = fc.oneof(
  { weight: 9, arbitrary: fc.array(fc.nat(), { maxLength: 16 }) },
  { weight: 1, arbitrary: fc.constant<'bytewise'>('bytewise') },
);

export function split(bytes: Uint8Array, cuts: Cuts): Uint8Array[] {
  if (cuts === 'bytewise') return Array.from(bytes, (_, i) => bytes.subarray(i, i + 1));
  const at = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const c of [...at, bytes.length]) {
    chunks.push(bytes.subarray(from, c));
    from = c;
  }
  return chunks;
}

// ------------------------------------------------------------------------------------------------
// Gate controller

type SentenceFields =
  | { type: 'loop'; lane: string; at: 'Q' | 'G' | 'X'; occupied: boolean }
  | { type: 'barrier'; lane: string; open: boolean }
  | { type: 'heartbeat'; uptimeS: number };

const POINT: Record<'Q' | 'G' | 'X', Point> = { Q: 'queue', G: 'gate', X: 'exit' };
const laneId = fc.stringMatching(/^[A-Za-z0-9-]{1,16}$/);

const sentenceFields: fc.Arbitrary<SentenceFields> = fc.oneof(
  fc.record({ type: fc.constant('loop' as const), lane: laneId, at: fc.constantFrom('Q' as const, 'G' as const, 'X' as const), occupied: fc.boolean() }),
  fc.record({ type: fc.constant('barrier' as const), lane: laneId, open: fc.boolean() }),
  // Up to the 10 digits the contract allows.
  fc.record({ type: fc.constant('heartbeat' as const), uptimeS: fc.integer({ min: 0, max: 9_999_999_999 }) }),
);

function encodeFields(f: SentenceFields): string {
  switch (f.type) {
    case 'loop':
      return loopFields(f.lane, f.at, f.occupied);
    case 'barrier':
      return barrierFields(f.lane, f.open);
    case 'heartbeat':
      return heartbeatFields(f.uptimeS);
  }
}

function gateFrame(f: SentenceFields, seq: number): GateFrame {
  switch (f.type) {
    case 'loop':
      return { type: 'loop', seq, lane: f.lane, point: POINT[f.at], occupied: f.occupied };
    case 'barrier':
      return { type: 'barrier', seq, lane: f.lane, open: f.open };
    case 'heartbeat':
      return { type: 'heartbeat', seq, uptimeS: f.uptimeS };
  }
}

/** A sentence with a checksum `by` (1..255) off the right one. */
function wrongChecksum(sentence: string, by: number): string {
  const star = sentence.lastIndexOf('*');
  const cs = (parseInt(sentence.slice(star + 1, star + 3), 16) + by) % 256;
  return `${sentence.slice(0, star + 1)}${cs.toString(16).toUpperCase().padStart(2, '0')}\r\n`;
}

/** No `$`, CR nor LF: outside a sentence, one garbage run whatever it holds. */
const lineNoise = (max: number): fc.Arbitrary<Uint8Array> => bytesWithout([CR, LF, DOLLAR], 1, max);

type GateItem =
  /**
   * A good sentence, after `dropped` sentences lost on the wire. Before it, without a line end:
   * nothing, line noise (garbage cut short by its `$`), or the start of a sentence cut off by it
   * (`cutAt` bytes of it, which used up a number).
   */
  | { item: 'sentence'; fields: SentenceFields; eol: Eol; dropped: number; before: null | { noise: Uint8Array } | { cut: SentenceFields; cutAt: number } }
  /** A sentence whose checksum is wrong: a bad frame, and its number is lost. */
  | { item: 'checksum'; fields: SentenceFields; eol: Eol; by: number }
  /** A line of noise: garbage. */
  | { item: 'noise'; noise: Uint8Array; eol: Eol }
  /** `$` then noise with a byte NMEA never holds: not a sentence, or one too long. */
  | { item: 'dollar'; noise: Uint8Array; eol: Eol }
  | { item: 'blank'; piece: Piece<never> };

type GateTail = null | { noise: Uint8Array } | { cut: SentenceFields; cutAt: number };

const gateItem: fc.Arbitrary<GateItem> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      item: fc.constant('sentence' as const),
      fields: sentenceFields,
      eol,
      dropped: fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 3 }) }),
      before: fc.oneof(
        { weight: 3, arbitrary: fc.constant(null) },
        { weight: 1, arbitrary: fc.record({ noise: lineNoise(120) }) },
        { weight: 1, arbitrary: fc.record({ cut: sentenceFields, cutAt: fc.nat() }) },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ item: fc.constant('checksum' as const), fields: sentenceFields, eol, by: fc.integer({ min: 1, max: 255 }) }) },
  { weight: 1, arbitrary: fc.record({ item: fc.constant('noise' as const), noise: lineNoise(120), eol }) },
  { weight: 1, arbitrary: fc.record({ item: fc.constant('dollar' as const), noise: poisoned(bytesWithout([CR, LF, DOLLAR], 0, 120)), eol }) },
  { weight: 1, arbitrary: fc.record({ item: fc.constant('blank' as const), piece: blank }) },
);

const gateTail: fc.Arbitrary<GateTail> = fc.oneof(
  { weight: 3, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.record({ noise: lineNoise(120) }) },
  { weight: 1, arbitrary: fc.record({ cut: sentenceFields, cutAt: fc.nat() }) },
);

const GARBAGE = ['FRAME_GARBAGE'];
const TRUNCATED = ['FRAME_TRUNCATED'];
const TOO_LONG = ['FRAME_TOO_LONG'];

/** Lays the items out with consecutive sentence numbers from `start`, counting what the tracker must find lost. */
export function gateStream(start: number, items: readonly GateItem[], tail: GateTail): Stream<GateFrame> {
  const pieces: Piece<GateFrame>[] = [];
  let next = start;
  let sinceGood = 0;
  let seenGood = false;
  let lost = 0;
  const number = (): number => {
    const seq = next;
    next = (next + 1) % SEQ_MODULUS;
    return seq;
  };
  /** A number used up by a sentence that never decodes. */
  const spent = (): number => {
    sinceGood++;
    return number();
  };
  const good = (): number => {
    if (seenGood) lost += sinceGood;
    seenGood = true;
    sinceGood = 0;
    return number();
  };
  const cutOff = (cut: SentenceFields, cutAt: number): Piece<GateFrame> => {
    const body = gateSentence(spent(), encodeFields(cut)).slice(0, -2);
    // From the `$` alone up to the whole sentence without its line end.
    return { bytes: utf8(body.slice(0, 1 + (cutAt % body.length))), expect: [{ bad: TRUNCATED }] };
  };
  for (const it of items) {
    switch (it.item) {
      case 'sentence': {
        for (let i = 0; i < it.dropped; i++) spent();
        if (it.before && 'noise' in it.before) pieces.push({ bytes: it.before.noise, expect: [{ bad: GARBAGE }] });
        if (it.before && 'cut' in it.before) pieces.push(cutOff(it.before.cut, it.before.cutAt));
        const seq = good();
        pieces.push({ bytes: utf8(withEol(gateSentence(seq, encodeFields(it.fields)), it.eol)), expect: [{ frame: gateFrame(it.fields, seq) }] });
        break;
      }
      case 'checksum':
        pieces.push({ bytes: utf8(withEol(wrongChecksum(gateSentence(spent(), encodeFields(it.fields)), it.by), it.eol)), expect: [{ bad: ['FRAME_CHECKSUM'] }] });
        break;
      case 'noise':
        pieces.push({ bytes: concat([it.noise, utf8(it.eol)]), expect: [{ bad: GARBAGE }] });
        break;
      case 'dollar': {
        const bytes = concat([Uint8Array.of(DOLLAR), it.noise]);
        pieces.push({ bytes: concat([bytes, utf8(it.eol)]), expect: [{ bad: bytes.length > NMEA_MAX_BODY ? TOO_LONG : ['FRAME_SYNTAX'] }] });
        break;
      }
      case 'blank':
        pieces.push(it.piece);
        break;
    }
  }
  if (tail && 'noise' in tail) pieces.push({ bytes: tail.noise, expect: [{ bad: GARBAGE }] });
  if (tail && 'cut' in tail) pieces.push(cutOff(tail.cut, tail.cutAt));
  return { pieces, lost };
}

export const gateController: SerialKind<GateFrame> = {
  kind: 'gate-controller',
  framing: gateControllerFraming,
  streams: fc
    .tuple(fc.integer({ min: 0, max: SEQ_MODULUS - 1 }), fc.array(gateItem, { maxLength: 24 }), gateTail)
    .map(([start, items, tail]) => gateStream(start, items, tail)),
  frame: fc.tuple(fc.integer({ min: 0, max: SEQ_MODULUS - 1 }), sentenceFields).map(([seq, f]) => utf8(gateSentence(seq, encodeFields(f)))),
};

// ------------------------------------------------------------------------------------------------
// Line devices (scanner, weighbridge): no start byte, so only a line end bounds garbage

interface LineFrame<T> {
  /** What the encoder wrote, CRLF included. */
  line: string;
  value: T;
}

type LineItem<T> = { item: 'frame'; frame: LineFrame<T>; eol: Eol } | { item: 'noise'; noise: Uint8Array; eol: Eol } | { item: 'blank'; piece: Piece<never> };

/**
 * Streams of one line device. A garbage line holds a poison byte, so that it can never be read
 * as a frame; over `maxBytes` it is over-long whatever it holds. The tail, cut off by the end
 * of the stream, is any bytes without a line end (a good frame's among them).
 */
function lineStreams<T>(frame: fc.Arbitrary<LineFrame<T>>, maxBytes: number, decodeCodes: readonly string[]): fc.Arbitrary<Stream<T>> {
  const noise = poisoned(bytesWithout([CR, LF], 0, 2 * maxBytes));
  const item: fc.Arbitrary<LineItem<T>> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ item: fc.constant('frame' as const), frame, eol }) },
    { weight: 2, arbitrary: fc.record({ item: fc.constant('noise' as const), noise, eol }) },
    { weight: 1, arbitrary: fc.record({ item: fc.constant('blank' as const), piece: blank }) },
  );
  const tail = fc.oneof(
    { weight: 3, arbitrary: fc.constant(null) },
    { weight: 1, arbitrary: bytesWithout([CR, LF], 1, 2 * maxBytes) },
    { weight: 1, arbitrary: frame.map((f) => utf8(f.line.slice(0, -2))) },
  );
  return fc.tuple(fc.array(item, { maxLength: 24 }), tail).map(([items, end]) => {
    const pieces = items.map((it): Piece<T> => {
      switch (it.item) {
        case 'frame':
          return { bytes: utf8(withEol(it.frame.line, it.eol)), expect: [{ frame: it.frame.value }] };
        case 'noise':
          return { bytes: concat([it.noise, utf8(it.eol)]), expect: [{ bad: it.noise.length > maxBytes ? TOO_LONG : decodeCodes }] };
        case 'blank':
          return it.piece;
      }
    });
    if (end) pieces.push({ bytes: end, expect: [{ bad: end.length > maxBytes ? TOO_LONG : TRUNCATED }] });
    return { pieces, lost: 0 };
  });
}

const digits = (n: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^\\d{${n}}$`));

const scanCode: fc.Arbitrary<ScanCode> = fc.oneof(
  digits(12).map((declaration): ScanCode => ({ type: 'declaration', declaration })),
  fc
    .tuple(fc.stringMatching(/^[A-Z]{3}$/), fc.constantFrom('U', 'J', 'Z'), digits(6))
    .map(([owner, category, serial]): ScanCode => {
      const first10 = `${owner}${category}${serial}`;
      return { type: 'container', unit: `${first10}${iso6346CheckDigit(first10)}` };
    }),
  // Vietnamese plates (24C-123.45, 29A-12345, 51LD-123.45) and Chinese ones (云A12345).
  fc.stringMatching(/^\d{2}[A-Z]{1,2}\d?[- ]?\d{3}\.?\d{1,2}$/).map((unit): ScanCode => ({ type: 'plate', unit })),
  fc
    .tuple(fc.integer({ min: 0x4e00, max: 0x9fff }), fc.stringMatching(/^[A-Z][A-Z0-9]{5,6}$/))
    .map(([han, rest]): ScanCode => ({ type: 'plate', unit: `${String.fromCharCode(han)}${rest}` })),
);

/** Scans as the scanner sends them, with the outer blanks some scanners add (trimmed by the parser). */
const scanFrame: fc.Arbitrary<LineFrame<ScanCode>> = fc
  .tuple(scanCode, fc.stringMatching(/^[ \t]{0,2}$/), fc.stringMatching(/^[ \t]{0,2}$/))
  .map(([code, lead, trail]) => ({ line: scanLine(`${lead}${code.type === 'declaration' ? code.declaration : code.unit}${trail}`), value: code }));

export const scanner: SerialKind<ScanCode> = {
  kind: 'scanner',
  framing: scannerFraming,
  streams: lineStreams(scanFrame, SCAN_MAX_BYTES, ['SCAN_INVALID', 'FRAME_ENCODING']),
  frame: scanFrame.map((f) => utf8(f.line)),
};

const STATUS = { ST: 'stable', US: 'unstable', OL: 'overload' } as const;
const MODE = { GS: 'gross', NT: 'net' } as const;
/** The indicator shows 7 digits. */
const MAX_KG = 9_999_999;

const weightFrame: fc.Arbitrary<LineFrame<WeightReading>> = fc
  .tuple(
    fc.constantFrom('ST' as const, 'US' as const, 'OL' as const),
    fc.constantFrom('GS' as const, 'NT' as const),
    // The encoder rounds to whole kilograms; fractions test that it and the parser agree.
    fc.oneof(fc.integer({ min: -MAX_KG, max: MAX_KG }), fc.double({ min: -MAX_KG - 0.49, max: MAX_KG + 0.49, noNaN: true })),
  )
  .map(([status, mode, kg]) => {
    const whole = Math.round(Math.abs(kg));
    return { line: weightLine(status, mode, kg), value: { status: STATUS[status], mode: MODE[mode], kg: kg < 0 ? -whole : whole } };
  });

export const weighbridge: SerialKind<WeightReading> = {
  kind: 'weighbridge',
  framing: weighbridgeFraming,
  streams: lineStreams(weightFrame, WEIGHT_LINE_MAX_BYTES, ['FRAME_SYNTAX']),
  frame: weightFrame.map((f) => utf8(f.line)),
};

// ------------------------------------------------------------------------------------------------
// Running bytes through the parser

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function deviceConfig(kind: SerialDeviceConfig['kind']): SerialDeviceConfig {
  return { id: DEVICE, kind, path: '/dev/null', baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, lane: 'IN-1' };
}

/** The chunks through a Framer (what comes out) and a DeviceDecoder (the device record's counters), then the end of the stream. */
function parse<T>(kind: SerialKind<T>, chunks: readonly Uint8Array[]): { results: Result<T>[]; counters: { frames: number; bad_frames: number; lost_frames: number } } {
  const framer = new Framer(kind.framing(DEVICE));
  const decoder = new DeviceDecoder(deviceConfig(kind.kind), { onInput: () => undefined, onBadFrame: () => undefined, log: quiet });
  const results: Result<T>[] = [];
  const emit = (r: Result<T>): void => {
    results.push(r);
  };
  for (const chunk of chunks) {
    framer.feed(chunk, emit);
    decoder.feed(chunk, 0);
  }
  framer.end(emit);
  decoder.disconnected(0);
  return { results, counters: decoder.counters() };
}

const show = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? Buffer.from(x).toString('latin1') : x));

function fail(msg: string): never {
  throw new Error(msg);
}

/** A bad frame is a typed error naming the device and the frame. */
function checkError(e: unknown): void {
  if (!(e instanceof InputError)) fail(`an error that is not an InputError: ${show(e)}`);
  if (!e.where?.startsWith(`${DEVICE} frame "`)) fail(`error ${e.code} does not name the device and frame: where is ${show(e.where)}`);
}

// ------------------------------------------------------------------------------------------------
// Targets

export function streamTarget<T>(kind: SerialKind<T>): FuzzTarget<[Stream<T>, Cuts]> {
  return {
    name: `${kind.kind} streams`,
    input: 'frames and garbage runs generated, each to come out as one frame or one bad frame',
    property: (counts: FuzzCounts) =>
      fc.property(kind.streams, cutsArb, (stream, cuts) => {
        const expected = stream.pieces.flatMap((p) => p.expect);
        const { results, counters } = parse(kind, split(concat(stream.pieces.map((p) => p.bytes)), cuts));
        if (results.length !== expected.length) fail(`${results.length} results for ${expected.length} frames and garbage runs: ${show(results.map(outcome))}`);
        results.forEach((r, i) => {
          const e = expected[i]!;
          if (!r.ok) checkError(r.error);
          const good = 'frame' in e ? r.ok && isDeepStrictEqual(r.value, e.frame) : !r.ok && e.bad.includes(r.error.code);
          if (!good) fail(`result ${i} is ${show(outcome(r))}, expected ${show(e)}`);
        });
        const frames = expected.filter((e) => 'frame' in e).length;
        const want = { frames, bad_frames: expected.length - frames, lost_frames: stream.lost };
        const got = { frames: counters.frames, bad_frames: counters.bad_frames, lost_frames: counters.lost_frames };
        if (!isDeepStrictEqual(got, want)) fail(`device counters ${show(got)}, expected ${show(want)}`);
        counts.inputs += expected.length;
        counts.frames += frames;
        counts.badFrames += expected.length - frames;
      }),
  };
}

/** Bytes that change framing or syntax, more often than chance would pick them. */
const SPECIAL = [CR, LF, DOLLAR, 0x2a /* * */, 0x2c /* , */, 0x2e /* . */, 0x2b /* + */, 0x2d /* - */, 0x30, 0x39, 0x41, 0x20, 0x00, 0x7f, 0x80, 0xe4, 0xff];
const edit = byteEdit(SPECIAL);

/** What the framing of a parser must give, in plain terms: a model to compare the Framer with. */
type Modelled<T> = { result: Result<T> } | { code: string; message: string };

/**
 * The framing contract (framing.ts) restated simply: a run is the bytes between line ends, and
 * with a start byte (`$`) a run also ends before each one. Each non-empty run is one outcome:
 * with a start byte, a run not starting with it is garbage; then a run over `maxBytes` is
 * over-long; one that a line end did not close was cut off; the rest is the decoder's.
 */
export function modelFraming<T>(bytes: Uint8Array, framing: FramingOptions<T>): Modelled<T>[] {
  const out: Modelled<T>[] = [];
  let start = 0;
  const close = (end: number, cut: boolean): void => {
    if (end === start) return;
    const run = bytes.subarray(start, end);
    if (framing.sync !== undefined && run[0] !== framing.sync) {
      out.push({ code: 'FRAME_GARBAGE', message: `${run.length} byte(s) outside any frame discarded` });
    } else if (run.length > framing.maxBytes) {
      out.push({ code: 'FRAME_TOO_LONG', message: `frame of ${run.length} bytes is longer than the ${framing.maxBytes} allowed` });
    } else if (cut) {
      out.push({ code: 'FRAME_TRUNCATED', message: 'frame cut off before its line end' });
    } else {
      out.push({ result: framing.decode(Buffer.from(run), framing.device, 0, run.length) });
    }
  };
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === CR || b === LF) {
      close(i, false);
      start = i + 1;
    } else if (b === framing.sync) {
      close(i, true);
      start = i;
    }
  }
  close(bytes.length, true);
  return out;
}

const plain = <T>(m: Modelled<T>): unknown => ('result' in m ? outcome(m.result) : m);

export function mutationTarget<T>(kind: SerialKind<T>): FuzzTarget<[Uint8Array[], ByteEdit[], Cuts]> {
  return {
    name: `${kind.kind} mutations`,
    input: 'runs of bytes delimited in the mutated stream, each to come out as one frame or one bad frame',
    property: (counts: FuzzCounts) =>
      fc.property(fc.array(kind.frame, { minLength: 1, maxLength: 12 }), fc.array(edit, { minLength: 1, maxLength: 8 }), cutsArb, (frames, edits, cuts) => {
        const bytes = mutate(concat(frames), edits);
        const framing = kind.framing(DEVICE);
        const model = modelFraming(bytes, framing);
        const { results, counters } = parse(kind, split(bytes, cuts));
        if (results.length !== model.length) fail(`${results.length} results for ${model.length} runs: ${show(results.map(outcome))}`);
        results.forEach((r, i) => {
          const m = model[i]!;
          if (!r.ok) checkError(r.error);
          const same = 'result' in m ? isDeepStrictEqual(outcome(r), outcome(m.result)) : !r.ok && r.error.code === m.code && r.error.message === `${r.error.where}: ${m.message}`;
          if (!same) fail(`result ${i} is ${show(outcome(r))}, the model says ${show(plain(m))}`);
        });
        const frameCount = results.filter((r) => r.ok).length;
        if (counters.frames !== frameCount || counters.bad_frames !== model.length - frameCount) {
          fail(`device counters ${counters.frames} frames + ${counters.bad_frames} bad for ${frameCount} + ${model.length - frameCount} of ${model.length} runs`);
        }
        counts.inputs += model.length;
        counts.frames += frameCount;
        counts.badFrames += model.length - frameCount;
      }),
  };
}

/**
 * The stream Transform the serial port pipes into gives what the Framer gives, however the
 * writes are cut (the suite runs this one: it is asynchronous, and the Framer is its core).
 */
export function frameParserAgrees<T>(kind: SerialKind<T>): fc.IAsyncProperty<[Stream<T>, Cuts]> {
  return fc.asyncProperty(kind.streams, cutsArb, async (stream, cuts) => {
    const chunks = split(concat(stream.pieces.map((p) => p.bytes)), cuts);
    const viaStream: Outcome<T>[] = await feed(new FrameParser(kind.framing(DEVICE)), chunks);
    const viaFramer = parse(kind, chunks).results.map(outcome);
    if (!isDeepStrictEqual(viaStream, viaFramer)) fail(`FrameParser gave ${show(viaStream)}, the Framer ${show(viaFramer)}`);
  });
}

/** Suite runs per target: a stream holds about six frames and garbage runs, so some 2,500 inputs. */
const SUITE_RUNS = 400;

/** The tests of one kind, in its own file so that `pnpm fuzz` spreads the kinds over the cores. */
export function describeSerialFuzz<T>(kind: SerialKind<T>): void {
  const settings = fuzzSettings();
  const timeout = fuzzTimeoutMs(settings);
  describe(`${kind.kind} parser fuzz (seed ${settings.seed})`, () => {
    it(
      'every frame among garbage comes out equal however the reads are cut, and the counters match',
      () => {
        const r = runFuzz(streamTarget(kind), SUITE_RUNS, settings);
        expect(r.frames).toBeGreaterThan(0);
        expect(r.badFrames).toBeGreaterThan(0);
        if (settings.long) expect(r.inputs).toBeGreaterThanOrEqual(settings.minInputs);
      },
      timeout,
    );

    it(
      'mutated frames: no exception, exactly the framing model, frames + bad frames = runs delimited',
      () => {
        const r = runFuzz(mutationTarget(kind), SUITE_RUNS, settings);
        expect(r.frames).toBeGreaterThan(0);
        expect(r.badFrames).toBeGreaterThan(0);
        if (settings.long) expect(r.inputs).toBeGreaterThanOrEqual(settings.minInputs);
      },
      timeout,
    );

    it('the FrameParser stream gives what the Framer gives', async () => {
      await fc.assert(frameParserAgrees(kind), { seed: settings.seed, numRuns: 50, includeErrorInReport: true });
    });
  });
}
