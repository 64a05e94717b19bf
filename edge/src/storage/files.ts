/**
 * Small synchronous file primitives shared by the outbox and the journal. Synchronous on
 * purpose: their callers promise "when this returns, it is on disk", which an async write
 * queued behind the event loop cannot promise.
 */
import { closeSync, fdatasyncSync, fstatSync, fsyncSync, ftruncateSync, openSync, readSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

const NEWLINE = 0x0a;

/**
 * Writes all of `data` at the end of an O_APPEND file. One write() normally takes it all; a
 * short write (disk nearly full, signal) is continued. If the write fails half way, the file is
 * cut back to where it was, so that a caller who sees the error never leaves half a line
 * behind for the next append to glue onto.
 */
export function appendAllSync(fd: number, data: Buffer, sizeBefore: number): void {
  let done = 0;
  try {
    while (done < data.length) done += writeSync(fd, data, done, data.length - done);
  } catch (error) {
    if (done > 0) {
      try {
        ftruncateSync(fd, sizeBefore);
      } catch {
        // Nothing more can be done here; recovery on the next open drops a torn tail anyway.
      }
    }
    throw error;
  }
}

/** fsync of a folder, so that a file created, renamed or removed in it stays so after a power cut. */
export function fsyncDir(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Replaces `path` atomically: readers (and a restart after a crash at any moment) see either
 * the old content or the new one, never a mix. Write a temporary file, fsync it, rename it over
 * the old one, fsync the folder so the rename itself is durable.
 */
export function writeFileAtomicSync(path: string, data: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    appendAllSync(fd, Buffer.from(data, 'utf8'), 0);
    fdatasyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  fsyncDir(dirname(path));
}

export function fileSize(fd: number): number {
  return fstatSync(fd).size;
}

/**
 * Reads the complete ('\n'-terminated) lines of an open file between byte offsets `from` and
 * `to`, handing each to `onLine` (without its newline) with the offset just after it. Stops
 * early when `onLine` returns false. Returns the offset after the last line consumed; bytes
 * after it are either unread (stopped early) or an incomplete last line (a torn write).
 * Memory: one chunk, grown only for a line longer than it.
 */
export function scanLines(
  fd: number,
  from: number,
  to: number,
  onLine: (line: string, end: number) => boolean,
  chunkBytes = 1 << 20,
): number {
  let pos = from;
  let buf = Buffer.allocUnsafe(Math.max(1024, chunkBytes));
  while (pos < to) {
    const want = Math.min(buf.length, to - pos);
    let got = 0;
    while (got < want) {
      const n = readSync(fd, buf, got, want - got, pos + got);
      if (n === 0) break;
      got += n;
    }
    if (got === 0) return pos;
    const chunk = buf.subarray(0, got);
    let start = 0;
    for (let nl = chunk.indexOf(NEWLINE, start); nl !== -1; nl = chunk.indexOf(NEWLINE, start)) {
      const line = chunk.toString('utf8', start, nl);
      start = nl + 1;
      if (!onLine(line, pos + start)) return pos + start;
    }
    if (start === 0) {
      // Not one whole line in this chunk: either the torn tail, or a line longer than the chunk.
      if (pos + got >= to) return pos;
      buf = Buffer.allocUnsafe(buf.length * 2);
      continue;
    }
    pos += start;
  }
  return pos;
}

/** Parses a JSON line; undefined for anything that is not a JSON object (a corrupt line). */
export function parseObjectLine(line: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(line);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
