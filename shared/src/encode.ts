/**
 * The bytes and messages real devices send (docs/interfaces.md), for simulators and tests.
 * Encoders only: decoding is the edge's own parsers' job, and tests check that every frame
 * made here decodes with them.
 */
import type { CameraEvent, DecisionEvent } from './events.js';

/** XOR of the bytes between `$` and `*`, two upper-case hex digits. */
export function nmeaChecksum(body: string): string {
  let cs = 0;
  for (const b of Buffer.from(body, 'latin1')) cs ^= b;
  return cs.toString(16).toUpperCase().padStart(2, '0');
}

/** `$PGWG,<seq>,<fields>*CS\r\n` */
export function gateSentence(seq: number, fields: string): string {
  const body = `PGWG,${seq},${fields}`;
  return `$${body}*${nmeaChecksum(body)}\r\n`;
}

export const loopFields = (lane: string, at: 'Q' | 'G' | 'X', occupied: boolean): string => `LOOP,${lane},${at},${occupied ? 1 : 0}`;
export const barrierFields = (lane: string, open: boolean): string => `BAR,${lane},${open ? 'O' : 'C'}`;
export const heartbeatFields = (uptimeS: number): string => `HB,${uptimeS}`;

/** A gate controller's sentence counter: 0..65535, wrapping. */
export class GateSequence {
  private seq = 0;
  next(fields: string): string {
    const s = gateSentence(this.seq, fields);
    this.seq = (this.seq + 1) % 65536;
    return s;
  }
}

export const scanLine = (code: string): string => `${code}\r\n`;

/** A&D-style weighbridge line: `ST,GS,+0012345 kg\r\n`. */
export function weightLine(status: 'ST' | 'US' | 'OL', mode: 'GS' | 'NT', kg: number): string {
  const sign = kg < 0 ? '-' : '+';
  return `${status},${mode},${sign}${String(Math.round(Math.abs(kg))).padStart(7, '0')} kg\r\n`;
}

/** ISO 8601 in Vietnam's offset (+07:00), as the corridor's cameras and customs systems stamp. */
export function isoVietnam(ms: number): string {
  const local = new Date(ms + 7 * 3600_000).toISOString().slice(0, 23);
  return `${local}+07:00`;
}

export const cameraPayload = (e: CameraEvent): string => JSON.stringify(e);
export const decisionPayload = (e: DecisionEvent): string => JSON.stringify(e);
