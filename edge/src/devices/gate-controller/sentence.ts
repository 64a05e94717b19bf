/**
 * Gate controller sentences (docs/interfaces.md, "Gate controller"): NMEA 0183 style
 * proprietary sentences `$PGWG,<seq>,<type>,<fields...>*<CS>\r\n`. Pure: bytes in, a typed
 * frame or an InputError out.
 *
 * Read straight from the bytes, without regexes, splitting or intermediate strings: a gate
 * controller sends a sentence per loop edge, every lane's, and the edge decodes them on one
 * core beside everything else. The only string made of a good sentence is its lane.
 */
import { fail, InputError, ok, type Point, type Result } from '@gatewatch/shared';
import { frameWhere } from '../framing.js';

/** NMEA 0183 limit: a sentence is at most 82 bytes from `$` to `\n` inclusive. */
export const NMEA_MAX_SENTENCE = 82;
/** The same without the CR LF: what the framer may buffer. */
export const NMEA_MAX_BODY = NMEA_MAX_SENTENCE - 2;
/** Sentence numbers run 0..SEQ_MODULUS-1 and wrap. */
export const SEQ_MODULUS = 65536;

export const TALKER = 'PGWG';

export type GateFrame =
  /** An induction loop is occupied (a vehicle on it) or clear. */
  | { type: 'loop'; seq: number; lane: string; point: Point; occupied: boolean }
  /** The lane's barrier opened or closed. Not used by the core yet; parsed so that it can be. */
  | { type: 'barrier'; seq: number; lane: string; open: boolean }
  /** Every 5 s: the controller is alive. */
  | { type: 'heartbeat'; seq: number; uptimeS: number };

const DOLLAR = 0x24;
const STAR = 0x2a;
const COMMA = 0x2c;
const DASH = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;
const ONE = 0x31;
const OPEN = 0x4f; // O
const CLOSED = 0x43; // C

/**
 * The loop position a one-byte field names (Q, G or X). A switch on the byte rather than a
 * lookup by string key, which an inherited name such as `constructor` would also have passed.
 */
function loopPoint(b: number): Point | undefined {
  switch (b) {
    case 0x51: // Q
      return 'queue';
    case 0x47: // G
      return 'gate';
    case 0x58: // X
      return 'exit';
    default:
      return undefined;
  }
}

/** XOR of the bytes between `$` and `*`. */
export function nmeaXor(bytes: Uint8Array): number {
  let cs = 0;
  for (let i = 0; i < bytes.length; i++) cs ^= bytes[i]!;
  return cs;
}

/** Value of a hex digit (either case), -1 for any other byte. */
function hexDigit(b: number): number {
  if (b >= ZERO && b <= NINE) return b - ZERO;
  const lower = b | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** Bytes [from, to) as a string; they are printable ASCII by the time fields are read. */
function ascii(bytes: Uint8Array, from: number, to: number): string {
  let s = '';
  for (let i = from; i < to; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

/** Where the field starting at `from` ends: the next comma, or the `*`. */
function fieldEnd(bytes: Uint8Array, from: number, star: number): number {
  let i = from;
  while (i < star && bytes[i] !== COMMA) i++;
  return i;
}

/** Whether bytes [from, to) are exactly `text` (ASCII). */
function fieldIs(bytes: Uint8Array, from: number, to: number, text: string): boolean {
  if (to - from !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (bytes[from + i] !== text.charCodeAt(i)) return false;
  return true;
}

/** A decimal number of 1..`maxDigits` digits (leading zeros allowed), -1 when it is not one. */
function digits(bytes: Uint8Array, from: number, to: number, maxDigits: number): number {
  if (to === from || to - from > maxDigits) return -1;
  let v = 0;
  for (let i = from; i < to; i++) {
    const b = bytes[i]!;
    if (b < ZERO || b > NINE) return -1;
    v = v * 10 + (b - ZERO);
  }
  return v;
}

/** A lane id (shared/src/ids.ts LANE_ID, `[A-Za-z0-9-]{1,16}`) as a string, undefined when it is not one. */
function laneAt(bytes: Uint8Array, from: number, to: number): string | undefined {
  if (to === from || to - from > 16) return undefined;
  for (let i = from; i < to; i++) {
    const b = bytes[i]!;
    const lower = b | 0x20;
    if (!((b >= ZERO && b <= NINE) || (lower >= 0x61 && lower <= 0x7a) || b === DASH)) return undefined;
  }
  return ascii(bytes, from, to);
}

/** A one-byte field, or -1 when the field is not one byte long. */
const single = (bytes: Uint8Array, from: number, to: number): number => (to - from === 1 ? bytes[from]! : -1);

/**
 * A bad sentence: counted, never thrown, so without a stack trace (see InputError.untraced). A
 * plain function taking the frame rather than a closure over it, which every sentence, good or
 * bad, would have allocated.
 */
function bad(code: string, msg: string, bytes: Buffer, start: number, end: number, device: string): Result<never> {
  return fail(InputError.untraced(code, msg, frameWhere(device, bytes.subarray(start, end))));
}

/**
 * Decodes one sentence: bytes [start, end), from `$` up to the checksum, without the line end.
 * A range rather than a slice: the framer hands over the read as it came, and a Buffer view per
 * sentence cost about a fifth of the parsing.
 */
export function parseGateSentence(bytes: Buffer, device: string, start = 0, end = bytes.length): Result<GateFrame> {
  if (end - start > NMEA_MAX_BODY) return bad('FRAME_TOO_LONG', `sentence is longer than ${NMEA_MAX_SENTENCE} bytes`, bytes, start, end, device);
  if (end === start || bytes[start] !== DOLLAR) return bad('FRAME_SYNTAX', "sentence does not start with '$'", bytes, start, end, device);
  // One pass: NMEA is printable ASCII (anything else is line noise, even if the checksum happened
  // to match); the XOR and the commas of the bytes after `$` come with it.
  let xor = 0;
  let commas = 0;
  for (let i = start + 1; i < end; i++) {
    const b = bytes[i]!;
    if (b < 0x20 || b > 0x7e) return bad('FRAME_SYNTAX', 'sentence holds a byte that is not printable ASCII', bytes, start, end, device);
    xor ^= b;
    if (b === COMMA) commas++;
  }
  // The last `*` must be the third byte from the end.
  const star = end - 3;
  if (star <= start || bytes[star] !== STAR || bytes[star + 1] === STAR || bytes[star + 2] === STAR) {
    return bad('FRAME_SYNTAX', "sentence does not end in '*' and two hex digits", bytes, start, end, device);
  }
  const hi = hexDigit(bytes[star + 1]!);
  const lo = hexDigit(bytes[star + 2]!);
  if (hi < 0 || lo < 0) return bad('FRAME_SYNTAX', `checksum '${ascii(bytes, star + 1, end)}' is not two hex digits`, bytes, start, end, device);
  // The body is what lies between `$` and `*`: take the `*` and the two digits back out.
  const expected = xor ^ STAR ^ bytes[star + 1]! ^ bytes[star + 2]!;
  if (hi * 16 + lo !== expected) {
    const cs = ascii(bytes, star + 1, end);
    return bad('FRAME_CHECKSUM', `checksum ${cs} does not match ${expected.toString(16).toUpperCase().padStart(2, '0')}`, bytes, start, end, device);
  }

  // Fields: talker, sequence number, type, then the type's own (as many as the commas after the type).
  let from = start + 1;
  let to = fieldEnd(bytes, from, star);
  if (!fieldIs(bytes, from, to, TALKER)) {
    return bad('FRAME_UNKNOWN', `unknown sentence '${ascii(bytes, from, to)}' (expected ${TALKER})`, bytes, start, end, device);
  }
  const seqFrom = to + 1;
  const seqTo = to === star ? to : fieldEnd(bytes, seqFrom, star);
  const seq = to === star ? -1 : digits(bytes, seqFrom, seqTo, 5);
  if (seq < 0 || seq >= SEQ_MODULUS) {
    return bad('FRAME_FIELD', `sequence number '${ascii(bytes, seqFrom, seqTo)}' is not 0..${SEQ_MODULUS - 1}`, bytes, start, end, device);
  }
  if (seqTo === star) return bad('FRAME_UNKNOWN', "unknown sentence type ''", bytes, start, end, device);
  const typeFrom = seqTo + 1;
  const typeTo = fieldEnd(bytes, typeFrom, star);
  const fields = commas - 2;

  if (fieldIs(bytes, typeFrom, typeTo, 'LOOP')) {
    if (fields !== 3) return bad('FRAME_FIELD', `LOOP needs 3 fields (lane, Q|G|X, 1|0), has ${fields}`, bytes, start, end, device);
    from = typeTo + 1;
    to = fieldEnd(bytes, from, star);
    const lane = laneAt(bytes, from, to);
    if (lane === undefined) return bad('FRAME_FIELD', `lane '${ascii(bytes, from, to)}' must match [A-Za-z0-9-]{1,16}`, bytes, start, end, device);
    from = to + 1;
    to = fieldEnd(bytes, from, star);
    const point = loopPoint(single(bytes, from, to));
    if (point === undefined) return bad('FRAME_FIELD', `loop position '${ascii(bytes, from, to)}' must be Q, G or X`, bytes, start, end, device);
    from = to + 1;
    const state = single(bytes, from, star);
    if (state !== ONE && state !== ZERO) return bad('FRAME_FIELD', `loop state '${ascii(bytes, from, star)}' must be 1 or 0`, bytes, start, end, device);
    return ok({ type: 'loop', seq, lane, point, occupied: state === ONE });
  }
  if (fieldIs(bytes, typeFrom, typeTo, 'BAR')) {
    if (fields !== 2) return bad('FRAME_FIELD', `BAR needs 2 fields (lane, O|C), has ${fields}`, bytes, start, end, device);
    from = typeTo + 1;
    to = fieldEnd(bytes, from, star);
    const lane = laneAt(bytes, from, to);
    if (lane === undefined) return bad('FRAME_FIELD', `lane '${ascii(bytes, from, to)}' must match [A-Za-z0-9-]{1,16}`, bytes, start, end, device);
    from = to + 1;
    const state = single(bytes, from, star);
    if (state !== OPEN && state !== CLOSED) return bad('FRAME_FIELD', `barrier state '${ascii(bytes, from, star)}' must be O or C`, bytes, start, end, device);
    return ok({ type: 'barrier', seq, lane, open: state === OPEN });
  }
  if (fieldIs(bytes, typeFrom, typeTo, 'HB')) {
    // Up to 10 digits: below 2^53, so adding them up digit by digit is exact.
    const uptimeS = fields === 1 ? digits(bytes, typeTo + 1, star, 10) : -1;
    if (uptimeS < 0) return bad('FRAME_FIELD', 'HB needs one field: the uptime in whole seconds', bytes, start, end, device);
    return ok({ type: 'heartbeat', seq, uptimeS });
  }
  return bad('FRAME_UNKNOWN', `unknown sentence type '${ascii(bytes, typeFrom, typeTo)}'`, bytes, start, end, device);
}
