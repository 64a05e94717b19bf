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
  /** Pure: the bytes of one frame (no line end) to a typed frame or an InputError. */
  decode(bytes: Buffer, device: string): Result<T>;
}

type State = 'idle' | 'frame' | 'garbage' | 'overlong';

/**
 * Splits bytes into frames and decodes them, synchronously: the serial port adapter and the
 * history backfill (which replays device bytes on a virtual clock) share it. Memory is bounded
 * by `maxBytes`: garbage and over-long runs are counted, not kept (only their first bytes, for
 * the error message).
 */
export class Framer<T> {
  private readonly buf: Buffer;
  private len = 0;
  /** Bytes in the current garbage or over-long run. */
  private skipped = 0;
  private state: State = 'idle';

  constructor(private readonly opts: FramingOptions<T>) {
    // The frame, and for skipped runs the first bytes of them for the error message.
    this.buf = Buffer.alloc(Math.max(opts.maxBytes, PREVIEW_CHARS));
  }

  /** Feeds bytes; `emit` gets every frame (or error) they complete, in order. */
  feed(chunk: Uint8Array, emit: (r: Result<T>) => void): void {
    const { sync, maxBytes } = this.opts;
    for (const b of chunk) {
      if (b === CR || b === LF) {
        this.endFrame(emit);
        continue;
      }
      if (b === sync) {
        this.endFrame(emit, true);
        this.state = 'frame';
        this.keep(b);
        continue;
      }
      switch (this.state) {
        case 'idle':
          this.state = sync === undefined ? 'frame' : 'garbage';
          this.skipped = 1;
          this.keep(b);
          break;
        case 'frame':
          if (this.len < maxBytes) this.keep(b);
          else {
            this.state = 'overlong';
            this.skipped = this.len + 1;
          }
          break;
        case 'garbage':
        case 'overlong':
          this.skipped++;
          if (this.len < PREVIEW_CHARS) this.keep(b);
          break;
      }
    }
  }

  /** The bytes stopped (port closed) inside a frame: what arrived of it is not a frame. */
  end(emit: (r: Result<T>) => void): void {
    this.endFrame(emit, true);
  }

  private keep(b: number): void {
    this.buf[this.len++] = b;
  }

  /** Ends the current run. `cut`: it ended without a line end (new `$`, or end of stream). */
  private endFrame(emit: (r: Result<T>) => void, cut = false): void {
    const { device, maxBytes, decode } = this.opts;
    const bytes = this.buf.subarray(0, this.len);
    const where = (): string => frameWhere(device, bytes);
    switch (this.state) {
      case 'idle':
        break;
      case 'frame':
        if (cut) emit(fail(new InputError('FRAME_TRUNCATED', 'frame cut off before its line end', where())));
        else emit(safeDecode(decode, bytes, device));
        break;
      case 'garbage':
        emit(fail(new InputError('FRAME_GARBAGE', `${this.skipped} byte(s) outside any frame discarded`, where())));
        break;
      case 'overlong':
        emit(fail(new InputError('FRAME_TOO_LONG', `frame of ${this.skipped} bytes is longer than the ${maxBytes} allowed`, where())));
        break;
    }
    this.state = 'idle';
    this.len = 0;
    this.skipped = 0;
  }
}

/** The Framer as a stream Transform (node-serialport parser style): bytes in, Result<T> objects out. */
export class FrameParser<T> extends Transform {
  private readonly framer: Framer<T>;

  constructor(opts: FramingOptions<T>) {
    super({ readableObjectMode: true });
    this.framer = new Framer(opts);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    this.framer.feed(chunk, (r) => this.push(r));
    done();
  }

  override _flush(done: TransformCallback): void {
    this.framer.end((r) => this.push(r));
    done();
  }
}

/** A decoder bug must cost one frame, not the port: it would otherwise throw out of `write`. */
function safeDecode<T>(decode: FramingOptions<T>['decode'], bytes: Buffer, device: string): Result<T> {
  try {
    // A copy: the decoder may keep slices of the frame, and the framing buffer is reused.
    return decode(Buffer.from(bytes), device);
  } catch (e) {
    return fail(new InputError('FRAME_DECODER', `decoder failed: ${(e as Error).message}`, frameWhere(device, bytes)));
  }
}
