/** Test helpers for the storage layer (not built: *.fixtures.ts). */
import { Writable } from 'node:stream';
import { createLog, type Log } from '../log.js';

export interface CapturedLog {
  log: Log;
  /** Parsed log lines so far. */
  entries(): Array<Record<string, unknown>>;
  /** `msg` of every line at `level` or above ('warn' includes 'error'). */
  messages(level?: 'info' | 'warn' | 'error'): string[];
}

const RANK: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

/** A real pino logger (as the agent has) whose lines are kept in memory for assertions. */
export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l.length > 0));
      done();
    },
  });
  const log = createLog({ level: 'debug', destination });
  const entries = (): Array<Record<string, unknown>> => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return {
    log,
    entries,
    messages: (level = 'info') =>
      entries()
        .filter((e) => (RANK[String(e.level)] ?? 0) >= (RANK[level] ?? 0))
        .map((e) => String(e.msg)),
  };
}
