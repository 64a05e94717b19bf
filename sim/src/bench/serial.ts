/**
 * Serial parsing on one core: the same gate-controller bytes (shared/src/encode.ts), cut into
 * the same chunks, through
 *  - a bare line split: find each LF, take the line before it as a Buffer view, nothing else
 *    (what node-serialport's parser-delimiter does): the floor any parser pays;
 *  - the edge's parser: the Framer with the gate controller's framing (sync on `$`, bounded
 *    buffer, each frame decoded where it lies in the read by parseGateSentence: checksum,
 *    fields; only a frame cut across two reads is copied);
 *  - the device decoder the agent runs per port: that parser, the loop edge tracking and the
 *    inputs for the core (informative).
 * Each is timed on the wall clock in this one thread, best of several rounds (the machine runs
 * other jobs; the best round is the one least disturbed). Every sentence must come out of each,
 * or the figure is refused.
 */
import { DeviceDecoder, Framer, gateControllerFraming } from '@gatewatch/edge';
import { barrierFields, GateSequence, heartbeatFields, loopFields } from '@gatewatch/shared';
import { BenchFailure } from './mqtt.js';

/** Bytes per read handed to each parser: a few sentences, as a port read under load returns. */
export const CHUNK_BYTES = 256;
const CR = 0x0d;
const LF = 0x0a;

export interface SerialResult {
  sentences: number;
  bytes: number;
  chunkBytes: number;
  rounds: number;
  bareSplitPerS: number;
  parserPerS: number;
  decoderPerS: number;
}

/** A gate controller's traffic: loop edges on four lanes, barrier moves, a heartbeat now and then. */
export function gateControllerBytes(sentences: number): Buffer {
  const seq = new GateSequence();
  const lanes = ['IN-1', 'IN-2', 'OUT-1', 'OUT-2'];
  const points = ['Q', 'G', 'X'] as const;
  const parts: string[] = [];
  let edges = 0;
  for (let i = 0; i < sentences; i++) {
    if (i % 50 === 0) parts.push(seq.next(heartbeatFields(i)));
    else if (i % 10 === 0) parts.push(seq.next(barrierFields(lanes[(i / 10) % lanes.length]!, i % 20 === 0)));
    else {
      // A rising then a falling edge on the same loop: a vehicle on it, then off it.
      const passing = edges >> 1;
      parts.push(seq.next(loopFields(lanes[passing % lanes.length]!, points[(passing >> 2) % 3]!, edges % 2 === 0)));
      edges++;
    }
  }
  return Buffer.from(parts.join(''), 'latin1');
}

function chunks(bytes: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) out.push(bytes.subarray(at, at + size));
  return out;
}

/** Lines (without CR/LF, empty ones skipped) in the chunks; their total length keeps the work from being optimised away. */
function bareSplit(input: readonly Buffer[]): { lines: number; bytes: number } {
  let rest: Buffer = Buffer.alloc(0);
  let lines = 0;
  let bytes = 0;
  for (const chunk of input) {
    let data = rest.length > 0 ? Buffer.concat([rest, chunk]) : chunk;
    let at: number;
    while ((at = data.indexOf(LF)) !== -1) {
      const end = at > 0 && data[at - 1] === CR ? at - 1 : at;
      const line = data.subarray(0, end);
      if (line.length > 0) {
        lines++;
        bytes += line.length;
      }
      data = data.subarray(at + 1);
    }
    rest = data;
  }
  return { lines, bytes };
}

function parse(input: readonly Buffer[]): { frames: number; bad: number } {
  const framer = new Framer(gateControllerFraming('gate-ctl'));
  let frames = 0;
  let bad = 0;
  const emit = (r: { ok: boolean }): void => {
    if (r.ok) frames++;
    else bad++;
  };
  for (const chunk of input) framer.feed(chunk, emit);
  return { frames, bad };
}

function decode(input: readonly Buffer[]): { frames: number; bad: number; inputs: number } {
  let inputs = 0;
  let bad = 0;
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const decoder = new DeviceDecoder(
    { id: 'gate-ctl', kind: 'gate-controller', path: '/dev/null', baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
    { onInput: () => void inputs++, onBadFrame: () => void bad++, log: quiet },
  );
  decoder.connected();
  let rx = 1_790_000_000_000;
  for (const chunk of input) decoder.feed(chunk, rx++);
  return { frames: decoder.counters().frames, bad, inputs };
}

function timed<T>(f: () => T): { result: T; seconds: number } {
  const started = performance.now();
  const result = f();
  return { result, seconds: (performance.now() - started) / 1000 };
}

export function serialParsing(sentences: number, rounds: number): SerialResult {
  const bytes = gateControllerBytes(sentences);
  const input = chunks(bytes, CHUNK_BYTES);
  const best = { split: Infinity, parse: Infinity, decode: Infinity };
  for (let r = 0; r < rounds; r++) {
    const s = timed(() => bareSplit(input));
    if (s.result.lines !== sentences) throw new BenchFailure(`serial parsing: the bare line split found ${s.result.lines} lines in ${sentences} sentences`);
    best.split = Math.min(best.split, s.seconds);
    const p = timed(() => parse(input));
    if (p.result.frames !== sentences || p.result.bad !== 0) {
      throw new BenchFailure(`serial parsing: the gate-controller parser made ${p.result.frames} frames and ${p.result.bad} bad ones of ${sentences} sentences`);
    }
    best.parse = Math.min(best.parse, p.seconds);
    const d = timed(() => decode(input));
    if (d.result.frames !== sentences || d.result.bad !== 0) {
      throw new BenchFailure(`serial parsing: the gate-controller decoder counted ${d.result.frames} frames and ${d.result.bad} bad ones of ${sentences} sentences`);
    }
    best.decode = Math.min(best.decode, d.seconds);
  }
  return {
    sentences,
    bytes: bytes.length,
    chunkBytes: CHUNK_BYTES,
    rounds,
    bareSplitPerS: sentences / best.split,
    parserPerS: sentences / best.parse,
    decoderPerS: sentences / best.decode,
  };
}
