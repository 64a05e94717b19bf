/**
 * The outbox on disk: what the agent has measured survives a dead link, a SIGKILL of the agent
 * and an InfluxDB that is down for an hour, and leaves in order once InfluxDB takes it.
 *
 * Layout of `dir`:
 *   segment-000000000001.ndjson   append-only segments, oldest first, one JSON object per line:
 *                                 {"s":<seq>,"p":<OutboxPoint>}  a point; seq counts up by one
 *                                 {"e":<emitSeq>}                the emitSeq of refused points
 *   ack.json                      {"version":1,"ackedSeq":…,"lastEmitSeq":…}, replaced atomically
 *   rejected.ndjson               not the outbox's: the sender's dead letter (deadLetter.ts)
 *
 * Why NDJSON and not a length-prefixed binary format: a crash can only tear the last write, and
 * a torn line is recognisable without a length or checksum (it lacks its newline, or does not
 * parse, or its seq is out of order). In exchange an operator can read, count and repair an
 * outbox with tail, wc and jq on a box at a border crossing, and the encoding is the same
 * JSON.stringify that the rest of the agent uses; a benchmark can tell whether it is too slow.
 *
 * Memory: only a read window (the next batches, `readAheadPoints`) is held in RAM, never the
 * whole backlog; after an hour-long outage the backlog may be millions of points.
 */
import { closeSync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Log } from '../log.js';
import { appendAllSync, fileSize, fsyncDir, parseObjectLine, scanLines, writeFileAtomicSync } from './files.js';
import { assertMax, notify } from './memoryOutbox.js';
import {
  admits,
  copyPoint,
  type AppendResult,
  type Outbox,
  type OutboxBatch,
  type OutboxLimits,
  type OutboxPoint,
  type OutboxStats,
} from './outbox.js';

export interface FileOutboxOptions {
  /** Start a new segment after this many points (default 50,000)… */
  segmentMaxPoints?: number;
  /** …or this many bytes (default 16 MiB), so that acknowledged data leaves the disk in pieces. */
  segmentMaxBytes?: number;
  /** Points read ahead from disk and kept in RAM for the next batches (default 10,000). */
  readAheadPoints?: number;
  /** Bytes per read from a segment (default 1 MiB). */
  readChunkBytes?: number;
}

interface Segment {
  no: number;
  path: string;
  /** Bytes of whole lines in the file: the write position, and where reading stops. */
  bytes: number;
  points: number;
  /** Seq of its last point; 0 when it holds none. */
  lastSeq: number;
}

interface Entry {
  seq: number;
  point: OutboxPoint;
}

type Line = { kind: 'point'; seq: number; point: OutboxPoint } | { kind: 'marker'; emitSeq: number };

const ACK_FILE = 'ack.json';
const SEGMENT_RE = /^segment-(\d{12})\.ndjson$/;
const segmentName = (no: number): string => `segment-${String(no).padStart(12, '0')}.ndjson`;
/** Corrupt lines logged one by one at open; beyond that only counted. */
const CORRUPT_LOG_LIMIT = 10;

export class FileOutbox implements Outbox {
  private readonly segmentMaxPoints: number;
  private readonly segmentMaxBytes: number;
  private readonly readAheadPoints: number;
  private readonly readChunkBytes: number;

  private fd: number | undefined;
  private segments: Segment[] = [];
  /** Next byte to read, in which segment; everything before it is in `window` or acknowledged. */
  private cursor: { seg: Segment; offset: number } | undefined;
  /** The oldest unacknowledged points, in order; at most max(readAheadPoints, largest peek). */
  private window: Entry[] = [];
  private nextSeq = 1;
  private ackedSeq = 0;
  private peekedSeq = 0;
  private lastEmitSeq = 0;
  private pending = 0;
  private appended = 0;
  private sent = 0;
  private refused: Record<string, number> = {};
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly dir: string,
    private readonly limits: OutboxLimits,
    private readonly log: Log,
    options: FileOutboxOptions = {},
  ) {
    this.segmentMaxPoints = options.segmentMaxPoints ?? 50_000;
    this.segmentMaxBytes = options.segmentMaxBytes ?? 16 * 1024 * 1024;
    this.readAheadPoints = options.readAheadPoints ?? 10_000;
    this.readChunkBytes = options.readChunkBytes ?? 1024 * 1024;
  }

  /** Recovers: reads the acknowledged position, scans the segments after it, cuts a torn tail. */
  // async so that a failure is a rejection; the work itself is synchronous (see files.ts).
  async open(): Promise<void> {
    if (this.fd !== undefined) throw new Error('outbox is already open');
    mkdirSync(this.dir, { recursive: true });
    // A tmp ack file is a replacement that never happened; ack.json itself is intact.
    rmSync(join(this.dir, `${ACK_FILE}.tmp`), { force: true });
    this.readAck();
    this.segments = [];
    this.window = [];
    this.pending = 0;
    this.appended = 0;
    this.sent = 0;
    this.refused = {};
    this.peekedSeq = this.ackedSeq;

    const names = readdirSync(this.dir)
      .filter((n) => SEGMENT_RE.test(n))
      .sort(); // zero-padded: name order is number order
    let maxSeq = 0;
    let corrupt = 0;
    names.forEach((name, i) => {
      const seg = this.scanSegment(name, i === names.length - 1, maxSeq, (n) => (corrupt += n));
      maxSeq = Math.max(maxSeq, seg.lastSeq);
      this.segments.push(seg);
    });
    // max with ackedSeq: if a power cut lost unsynced segment data that had already been sent
    // and acknowledged, new points must still get seqs above the acknowledged position.
    this.nextSeq = Math.max(maxSeq, this.ackedSeq) + 1;

    const last = this.segments[this.segments.length - 1];
    if (last && last.points < this.segmentMaxPoints && last.bytes < this.segmentMaxBytes) {
      this.fd = openSync(last.path, 'a');
    } else {
      this.fd = this.createSegment((last?.no ?? 0) + 1);
    }
    const first = this.segments[0];
    if (first) this.cursor = { seg: first, offset: 0 };
    this.dropAckedSegments();
    this.log.info(
      { dir: this.dir, pending: this.pending, segments: this.segments.length, ackedSeq: this.ackedSeq, lastEmitSeq: this.lastEmitSeq, corrupt },
      'outbox opened',
    );
  }

  append(points: readonly OutboxPoint[]): AppendResult {
    this.assertOpen();
    const result: AppendResult = { accepted: 0, refused: {} };
    const accepted: Entry[] = [];
    let text = '';
    let seq = this.nextSeq;
    let acceptedEmit = 0;
    let refusedEmit = 0;
    for (const p of points) {
      if (!admits(this.limits, p.measurement, this.pending + accepted.length)) {
        result.refused[p.measurement] = (result.refused[p.measurement] ?? 0) + 1;
        if (p.emitSeq !== undefined && p.emitSeq > refusedEmit) refusedEmit = p.emitSeq;
        continue;
      }
      const point = copyPoint(p);
      if (point.emitSeq !== undefined && point.emitSeq > acceptedEmit) acceptedEmit = point.emitSeq;
      text += JSON.stringify({ s: seq, p: point }) + '\n';
      accepted.push({ seq, point });
      seq++;
    }
    // A refused point's emitSeq must also survive a restart, or the core's replay would emit it
    // again into a now emptier outbox, out of order: a marker line records it with the points.
    if (refusedEmit > Math.max(acceptedEmit, this.lastEmitSeq)) text += JSON.stringify({ e: refusedEmit }) + '\n';

    if (text.length > 0) {
      this.rotateIfFull();
      const active = this.active();
      const data = Buffer.from(text, 'utf8');
      // One write on an O_APPEND fd: once it returns, the page cache has it and a SIGKILL of this
      // process cannot lose it. If it throws, nothing below ran: memory still matches the file.
      appendAllSync(this.assertOpen(), data, active.bytes);
      const caughtUp = this.cursor === undefined || (this.cursor.seg === active && this.cursor.offset === active.bytes);
      active.bytes += data.length;
      if (accepted.length > 0) {
        active.points += accepted.length;
        active.lastSeq = seq - 1;
      }
      // The reader had read everything: hand the new points straight to the window instead of
      // reading back what was just written (the steady state when InfluxDB keeps up).
      if (caughtUp && this.window.length + accepted.length <= this.readAheadPoints) {
        for (const e of accepted) this.window.push(e);
        this.cursor = { seg: active, offset: active.bytes };
      } else if (this.cursor === undefined) {
        this.cursor = { seg: active, offset: active.bytes - data.length };
      }
    }
    this.nextSeq = seq;
    this.pending += accepted.length;
    this.appended += accepted.length;
    result.accepted = accepted.length;
    for (const [m, n] of Object.entries(result.refused)) this.refused[m] = (this.refused[m] ?? 0) + n;
    this.lastEmitSeq = Math.max(this.lastEmitSeq, acceptedEmit, refusedEmit);
    if (accepted.length > 0) notify(this.listeners, (err) => this.log.error({ err }, 'outbox append listener failed'));
    return result;
  }

  peek(max: number): OutboxBatch | undefined {
    this.assertOpen();
    assertMax(max);
    if (this.window.length < max) this.fill(Math.max(max, this.readAheadPoints));
    const n = Math.min(max, this.window.length);
    if (n === 0) return undefined;
    const token = this.window[n - 1]!.seq;
    if (token > this.peekedSeq) this.peekedSeq = token;
    const points: OutboxPoint[] = new Array<OutboxPoint>(n);
    for (let i = 0; i < n; i++) points[i] = this.window[i]!.point;
    return { points, token };
  }

  ack(token: number): void {
    this.assertOpen();
    if (token <= this.ackedSeq) return; // acknowledged already (a repeated ack is harmless)
    if (token > this.peekedSeq) throw new RangeError(`ack(${token}) beyond the last peeked point ${this.peekedSeq}`);
    // The file first: if it cannot be written, memory still says "not acknowledged" and the
    // batch goes again (InfluxDB stores a repeated point once).
    writeFileAtomicSync(join(this.dir, ACK_FILE), JSON.stringify({ version: 1, ackedSeq: token, lastEmitSeq: this.lastEmitSeq }) + '\n');
    let n = 0;
    while (n < this.window.length && this.window[n]!.seq <= token) n++;
    this.window.splice(0, n);
    this.pending -= n;
    this.sent += n;
    this.ackedSeq = token;
    this.dropAckedSegments();
  }

  /** fdatasync of the active segment: what was appended survives a power cut too. */
  sync(): void {
    fdatasyncSync(this.assertOpen());
  }

  stats(): OutboxStats {
    return { pending: this.pending, appended: this.appended, sent: this.sent, refused: { ...this.refused }, lastEmitSeq: this.lastEmitSeq };
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): Promise<void> {
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      try {
        fdatasyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
    this.window = [];
    this.cursor = undefined;
    return Promise.resolve();
  }

  /** Points held in RAM (the read window); bounded by readAheadPoints or the largest peek. */
  get bufferedPoints(): number {
    return this.window.length;
  }

  get segmentCount(): number {
    return this.segments.length;
  }

  private assertOpen(): number {
    if (this.fd === undefined) throw new Error('outbox is not open');
    return this.fd;
  }

  private active(): Segment {
    const seg = this.segments[this.segments.length - 1];
    if (!seg) throw new Error('outbox has no segment'); // open() always creates one
    return seg;
  }

  private readAck(): void {
    this.ackedSeq = 0;
    this.lastEmitSeq = 0;
    let text: string;
    try {
      text = readFileSync(join(this.dir, ACK_FILE), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const ack = parseObjectLine(text.trim());
    if (ack && Number.isSafeInteger(ack.ackedSeq) && Number.isSafeInteger(ack.lastEmitSeq)) {
      this.ackedSeq = ack.ackedSeq as number;
      this.lastEmitSeq = ack.lastEmitSeq as number;
      return;
    }
    // It is replaced atomically, so this is damage from outside. Starting from 0 re-sends what
    // the segments still hold, which InfluxDB stores once: safe, only slower.
    this.log.error({ file: join(this.dir, ACK_FILE) }, 'outbox ack file unreadable; re-sending every point still on disk');
  }

  /** Reads one segment at open: counts, highest seq and emitSeq, torn tail cut away. */
  private scanSegment(name: string, isLast: boolean, seqBefore: number, onCorrupt: (n: number) => void): Segment {
    const no = Number(SEGMENT_RE.exec(name)![1]);
    const path = join(this.dir, name);
    const seg: Segment = { no, path, bytes: 0, points: 0, lastSeq: 0 };
    const fd = openSync(path, 'r+');
    try {
      const size = fileSize(fd);
      let prevSeq = seqBefore;
      let corrupt = 0;
      const end = scanLines(
        fd,
        0,
        size,
        (text, lineEnd) => {
          const line = decodeLine(text);
          if (line?.kind === 'marker') {
            if (line.emitSeq > this.lastEmitSeq) this.lastEmitSeq = line.emitSeq;
          } else if (line?.kind === 'point' && line.seq > prevSeq) {
            prevSeq = line.seq;
            seg.points++;
            seg.lastSeq = line.seq;
            if (line.seq > this.ackedSeq) this.pending++;
            const e = line.point.emitSeq;
            if (e !== undefined && e > this.lastEmitSeq) this.lastEmitSeq = e;
          } else {
            // Skipped here and on every later read. One write per append means only the last
            // line can be torn by a crash; a bad line in the middle is outside damage.
            if (++corrupt <= CORRUPT_LOG_LIMIT) this.log.error({ segment: path, endOffset: lineEnd }, 'outbox: corrupt line skipped');
          }
          return true;
        },
        this.readChunkBytes,
      );
      if (end < size) {
        // A crash in the middle of an append: those points were never confirmed to the caller
        // (append had not returned), so cutting them off loses nothing that was promised.
        ftruncateSync(fd, end);
        fdatasyncSync(fd);
        this.log.warn({ segment: path, offset: end, bytes: size - end, last: isLast }, 'outbox: torn last line truncated (crash during a write)');
      }
      seg.bytes = end;
      onCorrupt(corrupt);
    } finally {
      closeSync(fd);
    }
    return seg;
  }

  private createSegment(no: number): number {
    const path = join(this.dir, segmentName(no));
    const fd = openSync(path, 'ax'); // O_APPEND | O_CREAT | O_EXCL: never reuse an old file
    fsyncDir(this.dir); // the new name must survive a power cut along with what is written to it
    this.segments.push({ no, path, bytes: 0, points: 0, lastSeq: 0 });
    return fd;
  }

  private rotateIfFull(): void {
    const active = this.active();
    // A segment without points is never full: its successor would get a useless twin.
    if (active.points === 0 || (active.points < this.segmentMaxPoints && active.bytes < this.segmentMaxBytes)) return;
    const old = this.assertOpen();
    fdatasyncSync(old);
    closeSync(old);
    this.fd = undefined;
    this.fd = this.createSegment(active.no + 1);
    const next = this.active();
    if (this.cursor?.seg === active && this.cursor.offset === active.bytes) this.cursor = { seg: next, offset: 0 };
    this.dropAckedSegments();
  }

  /** Reads the next points from disk into the window until it holds `target` (or all there is). */
  private fill(target: number): void {
    while (this.window.length < target && this.cursor) {
      const cursor = this.cursor;
      const seg = cursor.seg;
      if (cursor.offset >= seg.bytes) {
        const next = this.segments[this.segments.indexOf(seg) + 1];
        if (!next) return; // caught up with the writer
        this.cursor = { seg: next, offset: 0 };
        continue;
      }
      let lastQueued = this.window[this.window.length - 1]?.seq ?? this.ackedSeq;
      const fd = openSync(seg.path, 'r');
      let offset: number;
      try {
        offset = scanLines(
          fd,
          cursor.offset,
          seg.bytes,
          (text) => {
            const line = decodeLine(text);
            if (line?.kind === 'point' && line.seq > lastQueued) {
              this.window.push({ seq: line.seq, point: line.point });
              lastQueued = line.seq;
            }
            return this.window.length < target;
          },
          this.readChunkBytes,
        );
      } finally {
        closeSync(fd);
      }
      if (offset === cursor.offset) {
        // No whole line where one must be (bytes only ever counts whole lines): skip the rest
        // of this segment rather than spin.
        this.log.error({ segment: seg.path, offset }, 'outbox: unreadable bytes before the end of a segment skipped');
        offset = seg.bytes;
      }
      this.cursor = { seg, offset };
    }
  }

  /** Deletes every segment, but the one written to, whose points are all acknowledged. */
  private dropAckedSegments(): void {
    const active = this.active();
    let dropped = false;
    for (const seg of [...this.segments]) {
      if (seg === active || seg.lastSeq > this.ackedSeq) continue;
      const i = this.segments.indexOf(seg);
      if (this.cursor?.seg === seg) {
        // Only markers or skipped lines can be left unread in it; their emitSeq is in memory
        // and in ack.json already.
        const next = this.segments[i + 1];
        this.cursor = next ? { seg: next, offset: 0 } : undefined;
      }
      try {
        unlinkSync(seg.path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
      this.segments.splice(i, 1);
      dropped = true;
    }
    if (dropped) fsyncDir(this.dir);
  }
}

function decodeLine(text: string): Line | undefined {
  const rec = parseObjectLine(text);
  if (!rec) return undefined;
  if (typeof rec.s === 'number') {
    const p = rec.p as Partial<OutboxPoint> | null | undefined;
    if (
      Number.isSafeInteger(rec.s) &&
      typeof p === 'object' &&
      p !== null &&
      typeof p.measurement === 'string' &&
      typeof p.timeNs === 'string' &&
      typeof p.tags === 'object' &&
      p.tags !== null &&
      typeof p.fields === 'object' &&
      p.fields !== null
    ) {
      return { kind: 'point', seq: rec.s, point: p as OutboxPoint };
    }
    return undefined;
  }
  if (Number.isSafeInteger(rec.e)) return { kind: 'marker', emitSeq: rec.e as number };
  return undefined;
}
