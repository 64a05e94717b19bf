/**
 * The input journal and snapshots of the clearance core. The core is a pure state machine, so
 * its state after a crash is "last snapshot + the inputs journaled since, replayed in order".
 *
 * Layout of `dir`:
 *   snapshot.json                  {"version":1,"segment":N,"state":…}, replaced atomically;
 *                                  the journal records that follow it are in segments ≥ N
 *   journal-000000000007.ndjson    one JSON object (an input) per line, append-only
 *
 * NDJSON for the same reasons as the outbox (fileOutbox.ts): only the last line can be torn by
 * a crash, and a torn line is recognisable by its missing newline; and it can be read by eye.
 */
import { closeSync, fdatasyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Log } from '../log.js';
import { appendAllSync, fileSize, fsyncDir, parseObjectLine, scanLines, writeFileAtomicSync } from './files.js';

export interface Recovered {
  /** The state given to the last completed `checkpoint`; undefined before the first one. */
  snapshot: unknown;
  /** Every record appended after that checkpoint, in order. */
  records: object[];
}

export class JournalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JournalError';
  }
}

const SNAPSHOT_FILE = 'snapshot.json';
const SEGMENT_RE = /^journal-(\d{12})\.ndjson$/;
const segmentName = (no: number): string => `journal-${String(no).padStart(12, '0')}.ndjson`;

export class Journal {
  private fd: number | undefined;
  private segmentNo = 0;
  private bytes = 0;
  private appendedSinceCheckpoint = 0;

  constructor(
    private readonly dir: string,
    private readonly log: Log,
  ) {}

  /**
   * Opens the journal: reads the snapshot and the records after it (a torn last line is cut
   * away and logged), then starts a fresh segment for appends. Call once, before `append`.
   */
  // async so that a failure is a rejection, like any other open().
  async recover(): Promise<Recovered> {
    if (this.fd !== undefined) throw new JournalError('journal is already open');
    mkdirSync(this.dir, { recursive: true });
    rmSync(join(this.dir, `${SNAPSHOT_FILE}.tmp`), { force: true });
    const { snapshot, fromSegment } = this.readSnapshot();

    const segments = readdirSync(this.dir)
      .map((name) => SEGMENT_RE.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
    const records: object[] = [];
    let torn = 0;
    let corrupt = 0;
    for (const no of segments) {
      const path = join(this.dir, segmentName(no));
      if (no < fromSegment) {
        // Older than the snapshot: left over by a crash between the snapshot and the clean-up.
        rmSync(path, { force: true });
        continue;
      }
      const fd = openSync(path, 'r+');
      try {
        const size = fileSize(fd);
        const end = scanLines(fd, 0, size, (text, lineEnd) => {
          const rec = parseObjectLine(text);
          if (rec) records.push(rec);
          else {
            corrupt++;
            this.log.error({ segment: path, endOffset: lineEnd }, 'journal: corrupt line skipped');
          }
          return true;
        });
        if (end < size) {
          // The process died during an append: that input was never confirmed (append had not
          // returned, so the MQTT message was not acknowledged either) and comes again.
          ftruncateSync(fd, end);
          fdatasyncSync(fd);
          torn++;
          this.log.warn({ segment: path, offset: end, bytes: size - end }, 'journal: torn last line truncated (crash during a write)');
        }
      } finally {
        closeSync(fd);
      }
    }
    // Appends go to a new segment (never onto a file that was just repaired).
    const last = segments[segments.length - 1] ?? 0;
    this.openSegment(Math.max(last + 1, fromSegment));
    this.appendedSinceCheckpoint = records.length;
    this.log.info({ dir: this.dir, snapshot: snapshot !== undefined, records: records.length, torn, corrupt }, 'journal recovered');
    return { snapshot, records };
  }

  /** Appends one record with a single write: when it returns, it survives a SIGKILL. */
  append(record: object): void {
    const fd = this.assertOpen();
    const data = Buffer.from(JSON.stringify(record) + '\n', 'utf8');
    appendAllSync(fd, data, this.bytes);
    this.bytes += data.length;
    this.appendedSinceCheckpoint++;
  }

  /** fdatasync: the records appended so far survive a power cut too. */
  sync(): void {
    fdatasyncSync(this.assertOpen());
  }

  /**
   * Saves `state` (JSON-serialisable) as the new snapshot and starts a new journal segment;
   * older segments are deleted. The order makes every crash point safe: until the snapshot's
   * rename is durable the old snapshot and its segments are intact; after it, the snapshot
   * names the (possibly not yet created) new segment, so the old records are never replayed
   * twice.
   */
  checkpoint(state: unknown): void {
    this.assertOpen();
    const next = this.segmentNo + 1;
    writeFileAtomicSync(join(this.dir, SNAPSHOT_FILE), JSON.stringify({ version: 1, segment: next, hasState: state !== undefined, state }) + '\n');
    const previous = this.segmentNo;
    this.closeFd();
    this.openSegment(next);
    for (let no = previous; no >= 1; no--) {
      const path = join(this.dir, segmentName(no));
      try {
        rmSync(path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') break; // older ones went before
        throw error;
      }
    }
    fsyncDir(this.dir);
    this.appendedSinceCheckpoint = 0;
  }

  /** Records appended since the last checkpoint (or recovered), for the caller's metrics. */
  get sinceCheckpoint(): number {
    return this.appendedSinceCheckpoint;
  }

  close(): Promise<void> {
    if (this.fd !== undefined) {
      try {
        fdatasyncSync(this.fd);
      } finally {
        this.closeFd();
      }
    }
    return Promise.resolve();
  }

  private readSnapshot(): { snapshot: unknown; fromSegment: number } {
    const path = join(this.dir, SNAPSHOT_FILE);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { snapshot: undefined, fromSegment: 0 };
      throw error;
    }
    const snap = parseObjectLine(text.trim());
    if (!snap || !Number.isSafeInteger(snap.segment) || (snap.segment as number) < 1) {
      // Written atomically, so this is outside damage. Starting empty would restart the core's
      // emit sequence and silently skip new points as "already in the outbox": refuse instead.
      throw new JournalError(`journal snapshot ${path} is unreadable; move it away to start from an empty state`);
    }
    return { snapshot: snap.hasState === false ? undefined : snap.state, fromSegment: snap.segment as number };
  }

  private openSegment(no: number): void {
    this.fd = openSync(join(this.dir, segmentName(no)), 'a');
    this.bytes = fileSize(this.fd);
    this.segmentNo = no;
    fsyncDir(this.dir);
  }

  private closeFd(): void {
    const fd = this.fd;
    this.fd = undefined;
    if (fd !== undefined) closeSync(fd);
  }

  private assertOpen(): number {
    if (this.fd === undefined) throw new JournalError('journal is not open (call recover() first)');
    return this.fd;
  }
}
