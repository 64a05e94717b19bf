/**
 * Byte framing shared by the serial parsers, in the style of node-serialport's
 * parser-delimiter: a small Transform that buffers partial frames in `_transform`, hands each
 * complete frame to a pure decode function and pushes the typed result (readableObjectMode).
 *
 * Every device of the contract ends its frames with CR, LF or CRLF. Any CR or LF ends a frame
 * and empty frames are skipped, so CRLF split across two reads (CR in one, LF in the next)
 * frames exactly as CRLF in one read: the output never depends on where the OS cut the bytes.
 *
 * Errors are pushed as values (`{ ok: false }`) in order with the frames, never thrown nor
 * emitted as stream 'error' (which would unpipe and stop the stream): a bad frame costs only
 * itself.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { fail, InputError, type Result } from '@gatewatch/shared';

const CR = 0x0d;
const LF = 0x0a;

/** Characters of a frame quoted in error messages: enough to recognise it in a log, bounded. */
export const PREVIEW_CHARS = 40;

/** A frame quoted for an error's `where`: printable, escaped, bounded (a line can be garbage). */
export function preview(bytes: Uint8Array): string {
  const text = Buffer.from(bytes.subarray(0, PREVIEW_CHARS * 4)).toString('utf8');
  const chars = [...text];
  const cut = chars.length > PREVIEW_CHARS ? `${chars.slice(0, PREVIEW_CHARS).join('')}…` : text;
  return JSON.stringify(cut);
}

/** `where` of a frame error: the device and the frame. */
export const frameWhere = (device: string, bytes: Uint8Array): string => `${device} frame ${preview(bytes)}`;

export interface FramingOptions<T> {
  /** Device id, named in every error. */
  device: string;
  /** Longest frame accepted, in bytes, without its line end. Longer frames are skipped whole. */
  maxBytes: number;
  /**
   * Start-of-frame byte (`$` for NMEA). When set, bytes outside a frame before it are garbage
   * (one bad frame per run), and it restarts framing even inside a frame, because a sentence
   * never contains it: whatever came before was cut off and the new sentence must still parse.
   */
  sync?: number;
  /**
   * Pure: one frame, bytes [start, end) of `bytes` (no line end), to a typed frame or an
   * InputError. `bytes` is the read as it came, or the framing buffer for a frame cut across
   * reads, and is valid only during the call: a decoder reads its range and keeps nothing (it
   * returns strings and numbers). A copy, or even a Buffer view, per frame cost more than the
   * decoding of a sentence.
   */
  decode(bytes: Buffer, device: string, start: number, end: number): Result<T>;
}

/** What the current run of bytes (since the last line end or start byte) is. */
type State = 'idle' | 'frame' | 'garbage' | 'overlong';

/**
 * Splits bytes into frames and decodes them, synchronously: the serial port adapter and the
 * history backfill (which replays device bytes on a virtual clock) share it. Memory is bounded
 * by `maxBytes`: garbage and over-long runs are counted, not kept (only their first bytes, for
 * the error message).
 *
 * It finds runs, not bytes: a tight loop looks for the next line end or start byte, and a frame
 * that starts and ends in the same read (nearly all of them) is decoded in place, without being
 * copied. Only the part of a frame before a read boundary is copied into the framing buffer.
 */
export class Framer<T> {
  private readonly buf: Buffer;
  /** Bytes of the current run kept in `buf`. */
  private len = 0;
  /** Bytes of the current run, kept or not. */
  private run = 0;
  private state: State = 'idle';

  constructor(private readonly opts: FramingOptions<T>) {
    // The frame, and for skipped runs the first bytes of them for the error message.
    this.buf = Buffer.alloc(Math.max(opts.maxBytes, PREVIEW_CHARS));
  }

  /** Feeds bytes; `emit` gets every frame (or error) they complete, in order. */
  feed(chunk: Uint8Array, emit: (r: Result<T>) => void): void {
    // Decoders take Buffers: a view of a plain Uint8Array costs one object per read, not per frame.
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const { sync, maxBytes } = this.opts;
    const n = bytes.length;
    let i = 0;
    while (i < n) {
      const b = bytes[i]!;
      if (b === CR || b === LF) {
        if (this.state !== 'idle') this.endRun(emit, false);
        i++;
        continue;
      }
      const starts = b === sync || this.state === 'idle';
      if (b === sync && this.state !== 'idle') this.endRun(emit, true);
      // The run goes on up to the next line end or start byte (or the end of this read).
      let j = i + 1;
      while (j < n) {
        const c = bytes[j]!;
        if (c === CR || c === LF || c === sync) break;
        j++;
      }
      if (starts) {
        if (sync !== undefined && b !== sync) {
          this.state = 'garbage';
        } else if (j < n && bytes[j] !== sync && j - i <= maxBytes) {
          // A whole frame, line end included, in this read: decoded where it lies. The line end
          // is skipped (it would end an empty run: nothing).
          emit(this.decode(bytes, i, j));
          i = j + 1;
          continue;
        } else {
          this.state = 'frame';
        }
      }
      this.take(bytes, i, j);
      i = j;
    }
  }

  /** The bytes stopped (port closed) inside a frame: what arrived of it is not a frame. */
  end(emit: (r: Result<T>) => void): void {
    if (this.state !== 'idle') this.endRun(emit, true);
  }

  /**
   * Adds bytes [from, to) of a read to the current run. A frame is kept whole (up to `maxBytes`,
   * past which it is over-long); of a skipped run only the first bytes, for the error message:
   * as many as the buffer holds when it began as a frame, PREVIEW_CHARS when it is garbage.
   */
  private take(bytes: Buffer, from: number, to: number): void {
    const cap = this.state === 'garbage' ? PREVIEW_CHARS : this.buf.length;
    const keep = Math.min(to - from, cap - this.len);
    for (let k = 0; k < keep; k++) this.buf[this.len + k] = bytes[from + k]!;
    if (keep > 0) this.len += keep;
    this.run += to - from;
    if (this.state === 'frame' && this.run > this.opts.maxBytes) this.state = 'overlong';
  }

  /**
   * Ends the current (non-idle) run. `cut`: it ended without a line end (new `$`, or end of
   * stream). The framer is reset before `emit`, so that a consumer that throws cannot leave it
   * inside a run.
   */
  private endRun(emit: (r: Result<T>) => void, cut: boolean): void {
    let r: Result<T>;
    switch (this.state) {
      case 'frame':
        r = cut ? this.bad('FRAME_TRUNCATED', 'frame cut off before its line end') : this.decode(this.buf, 0, this.len);
        break;
      case 'garbage':
        r = this.bad('FRAME_GARBAGE', `${this.run} byte(s) outside any frame discarded`);
        break;
      default:
        r = this.bad('FRAME_TOO_LONG', `frame of ${this.run} bytes is longer than the ${this.opts.maxBytes} allowed`);
        break;
    }
    this.state = 'idle';
    this.len = 0;
    this.run = 0;
    emit(r);
  }

  /** The current run as a bad frame, quoting what was kept of it. */
  private bad(code: string, message: string): Result<never> {
    return fail(InputError.untraced(code, message, frameWhere(this.opts.device, this.buf.subarray(0, this.len))));
  }

  /** A decoder bug must cost one frame, not the port: it would otherwise throw out of `write`. */
  private decode(bytes: Buffer, start: number, end: number): Result<T> {
    const { decode, device } = this.opts;
    try {
      return decode(bytes, device, start, end);
    } catch (e) {
      return fail(InputError.untraced('FRAME_DECODER', `decoder failed: ${(e as Error).message}`, frameWhere(device, bytes.subarray(start, end))));
    }
  }
}

/** The Framer as a stream Transform (node-serialport parser style): bytes in, Result<T> objects out. */
export class FrameParser<T> extends Transform {
  private readonly framer: Framer<T>;
  /** One emitter for the life of the stream rather than a closure per read. */
  private readonly pushResult = (r: Result<T>): void => {
    this.push(r);
  };

  constructor(opts: FramingOptions<T>) {
    super({ readableObjectMode: true });
    this.framer = new Framer(opts);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.framer.feed(chunk, this.pushResult);
    done();
  }

  override _flush(done: TransformCallback): void {
    this.framer.end(this.pushResult);
    done();
  }
}
