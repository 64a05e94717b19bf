/**
 * The real-world faults the simulator plays, at configurable rates, and how a frame or a
 * message is spoilt. A spoilt frame is spoilt so that the edge's parser refuses exactly that
 * frame and nothing around it (its line end survives): one injected fault, one bad frame.
 */
import type { Prng } from '../prng.js';

export interface FaultRates {
  /** A camera fails to read the unit at a point (per reading). */
  missedRead: number;
  /** A serial frame arrives spoilt: bad checksum or line noise (per frame, every device). */
  corruptFrame: number;
  /** An MQTT message is delivered twice with the same id, 0.2-3 s apart (QoS 1 redelivery). */
  repeatMessage: number;
  /** An MQTT message the edge must refuse: a time without offset, or JSON cut off (per message). */
  badMessage: number;
  /** An MQTT message published later than it is stamped (per message)... */
  lateMessage: number;
  /** ...by this many milliseconds, uniform. */
  lateMs: readonly [number, number];
  /** Spells of silence per device per day (a cable, a power cut, a camera rebooting). */
  silencesPerDeviceDay: number;
  /** How long a device stays silent, milliseconds, uniform. */
  silenceMs: readonly [number, number];
}

export const DEFAULT_FAULTS: Readonly<FaultRates> = {
  missedRead: 0.03,
  corruptFrame: 0.002,
  repeatMessage: 0.02,
  badMessage: 0.003,
  lateMessage: 0.03,
  lateMs: [1000, 6000],
  silencesPerDeviceDay: 0.5,
  silenceMs: [60_000, 600_000],
};

/** Nothing goes wrong: for tests that need the plain traffic. */
export const NO_FAULTS: Readonly<FaultRates> = {
  ...DEFAULT_FAULTS,
  missedRead: 0,
  corruptFrame: 0,
  repeatMessage: 0,
  badMessage: 0,
  lateMessage: 0,
  silencesPerDeviceDay: 0,
};

export type CorruptHow = 'checksum' | 'noise' | 'dropout';
export type BadMessageHow = 'ts-without-offset' | 'truncated-json';

/**
 * Line noise: 1-3 bytes of the frame (never its line end) replaced by bytes 0x80-0xBF. These
 * are not printable ASCII (a gate sentence is refused), not a weight line, and, being UTF-8
 * continuation bytes with no lead byte, never valid UTF-8 (a scan is refused, even one that held
 * a Chinese character: only ASCII positions are hit, so no multi-byte character is completed
 * into another one). Never `$`, CR or LF, so framing around the frame is untouched.
 */
export function noise(frame: Buffer, rng: Prng): Buffer {
  const body = frame.subarray(0, bodyLength(frame));
  const out = Buffer.from(frame);
  const ascii: number[] = [];
  // Not the `$` of a sentence: the noise must stay inside the frame it spoils.
  for (let i = 0; i < body.length; i++) if (body[i]! < 0x80 && body[i] !== 0x24) ascii.push(i);
  const n = Math.min(ascii.length, rng.int(1, 3));
  for (let k = 0; k < n; k++) {
    const i = ascii.splice(rng.int(0, ascii.length - 1), 1)[0]!;
    out[i] = rng.int(0x80, 0xbf);
  }
  return out;
}

/**
 * A gate sentence whose checksum does not match (a bit flipped on the line, caught by the
 * checksum): the two hex digits replaced by another valid-looking value.
 */
export function badChecksum(sentence: Buffer, rng: Prng): Buffer {
  const text = sentence.toString('latin1');
  const star = text.lastIndexOf('*');
  const good = parseInt(text.slice(star + 1, star + 3), 16);
  const bad = (good ^ rng.int(1, 255)).toString(16).toUpperCase().padStart(2, '0');
  return Buffer.from(`${text.slice(0, star + 1)}${bad}${text.slice(star + 3)}`, 'latin1');
}

/**
 * Bytes lost on the line: 1-6 characters dropped from the first 14 of a weight line (status,
 * mode, sign and value: a fixed-width field, so the line can no longer match).
 */
export function dropout(line: Buffer, rng: Prng): Buffer {
  const end = Math.min(14, bodyLength(line));
  const n = rng.int(1, Math.min(6, end));
  const at = rng.int(0, end - n);
  return Buffer.concat([line.subarray(0, at), line.subarray(at + n)]);
}

/** A spoilt copy of a frame for its device kind, and how it was spoilt. */
export function corruptFrame(kind: 'gate-controller' | 'scanner' | 'weighbridge', frame: Buffer, rng: Prng): { bytes: Buffer; how: CorruptHow } {
  switch (kind) {
    case 'gate-controller':
      return rng.next() < 0.5 ? { bytes: badChecksum(frame, rng), how: 'checksum' } : { bytes: noise(frame, rng), how: 'noise' };
    case 'scanner':
      return { bytes: noise(frame, rng), how: 'noise' };
    case 'weighbridge':
      return rng.next() < 0.5 ? { bytes: dropout(frame, rng), how: 'dropout' } : { bytes: noise(frame, rng), how: 'noise' };
  }
}

/**
 * A message the edge must refuse. `ts-without-offset`: a device whose clock setting lost its
 * zone (`2026-11-25T08:30:00.120`); `truncated-json`: the payload cut off on the way.
 */
export function badMessage(event: Readonly<Record<string, unknown>>, rng: Prng): { payload: string; how: BadMessageHow } {
  if (rng.next() < 0.5) {
    const ts = String(event.ts).replace(/(Z|[+-]\d{2}:\d{2})$/, '');
    return { payload: JSON.stringify({ ...event, ts }), how: 'ts-without-offset' };
  }
  const whole = JSON.stringify(event);
  return { payload: whole.slice(0, rng.int(1, whole.length - 1)), how: 'truncated-json' };
}

/** Length of a frame without its line end. */
function bodyLength(frame: Buffer): number {
  let n = frame.length;
  while (n > 0 && (frame[n - 1] === 0x0a || frame[n - 1] === 0x0d)) n--;
  return n;
}
