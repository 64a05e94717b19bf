/** Structured logs: one JSON object per line on stdout (pino), like the edge agents'. */
import { pino, type Logger } from 'pino';

export type Log = Pick<Logger, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'child' | 'level'>;

export function createLog(opts: { level?: string; destination?: NodeJS.WritableStream } = {}): Log {
  return pino(
    {
      level: opts.level ?? 'info',
      base: { service: 'dashboard' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination ?? pino.destination({ sync: true }),
  );
}

/** A log that writes nothing (tests that do not look at logs). */
export const silentLog = (): Log => pino({ level: 'silent' });
