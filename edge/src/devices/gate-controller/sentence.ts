/**
 * Gate controller sentences (docs/interfaces.md, "Gate controller"): NMEA 0183 style
 * proprietary sentences `$PGWG,<seq>,<type>,<fields...>*<CS>\r\n`. Pure: bytes in, a typed
 * frame or an InputError out.
 */
import { fail, InputError, isLaneId, ok, type Point, type Result } from '@gatewatch/shared';
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

const LOOP_POINTS: Readonly<Record<string, Point>> = { Q: 'queue', G: 'gate', X: 'exit' };

/** XOR of the bytes between `$` and `*`. */
export function nmeaXor(bytes: Uint8Array): number {
  let cs = 0;
  for (const b of bytes) cs ^= b;
  return cs;
}

const HEX2 = /^[0-9A-Fa-f]{2}$/;
const SEQ = /^\d{1,5}$/;
const UINT = /^\d{1,10}$/;

/** Decodes one sentence: its bytes from `$` up to the checksum, without the line end. */
export function parseGateSentence(bytes: Buffer, device: string): Result<GateFrame> {
  const err = (code: string, msg: string): Result<never> => fail(new InputError(code, msg, frameWhere(device, bytes)));
  if (bytes.length > NMEA_MAX_BODY) return err('FRAME_TOO_LONG', `sentence is longer than ${NMEA_MAX_SENTENCE} bytes`);
  if (bytes[0] !== 0x24) return err('FRAME_SYNTAX', "sentence does not start with '$'");
  // NMEA is printable ASCII; anything else is line noise, even if the checksum happened to match.
  for (const b of bytes) if (b < 0x20 || b > 0x7e) return err('FRAME_SYNTAX', 'sentence holds a byte that is not printable ASCII');
  const star = bytes.lastIndexOf(0x2a);
  if (star < 0 || star !== bytes.length - 3) return err('FRAME_SYNTAX', "sentence does not end in '*' and two hex digits");
  const cs = bytes.toString('latin1', star + 1);
  if (!HEX2.test(cs)) return err('FRAME_SYNTAX', `checksum '${cs}' is not two hex digits`);
  const body = bytes.subarray(1, star);
  const expected = nmeaXor(body);
  if (parseInt(cs, 16) !== expected) {
    return err('FRAME_CHECKSUM', `checksum ${cs} does not match ${expected.toString(16).toUpperCase().padStart(2, '0')}`);
  }

  const [talker, seqText, type, ...fields] = body.toString('latin1').split(',');
  if (talker !== TALKER) return err('FRAME_UNKNOWN', `unknown sentence '${talker ?? ''}' (expected ${TALKER})`);
  if (seqText === undefined || !SEQ.test(seqText) || Number(seqText) >= SEQ_MODULUS) {
    return err('FRAME_FIELD', `sequence number '${seqText ?? ''}' is not 0..${SEQ_MODULUS - 1}`);
  }
  const seq = Number(seqText);
  const lane = (s: string | undefined): s is string => s !== undefined && isLaneId(s);

  switch (type) {
    case 'LOOP': {
      if (fields.length !== 3) return err('FRAME_FIELD', `LOOP needs 3 fields (lane, Q|G|X, 1|0), has ${fields.length}`);
      const [ln, at, state] = fields;
      if (!lane(ln)) return err('FRAME_FIELD', `lane '${ln ?? ''}' must match [A-Za-z0-9-]{1,16}`);
      const point = at === undefined ? undefined : LOOP_POINTS[at];
      if (point === undefined) return err('FRAME_FIELD', `loop position '${at ?? ''}' must be Q, G or X`);
      if (state !== '1' && state !== '0') return err('FRAME_FIELD', `loop state '${state ?? ''}' must be 1 or 0`);
      return ok({ type: 'loop', seq, lane: ln, point, occupied: state === '1' });
    }
    case 'BAR': {
      if (fields.length !== 2) return err('FRAME_FIELD', `BAR needs 2 fields (lane, O|C), has ${fields.length}`);
      const [ln, state] = fields;
      if (!lane(ln)) return err('FRAME_FIELD', `lane '${ln ?? ''}' must match [A-Za-z0-9-]{1,16}`);
      if (state !== 'O' && state !== 'C') return err('FRAME_FIELD', `barrier state '${state ?? ''}' must be O or C`);
      return ok({ type: 'barrier', seq, lane: ln, open: state === 'O' });
    }
    case 'HB': {
      const [uptime] = fields;
      if (fields.length !== 1 || uptime === undefined || !UINT.test(uptime)) {
        return err('FRAME_FIELD', 'HB needs one field: the uptime in whole seconds');
      }
      return ok({ type: 'heartbeat', seq, uptimeS: Number(uptime) });
    }
    default:
      return err('FRAME_UNKNOWN', `unknown sentence type '${type ?? ''}'`);
  }
}
