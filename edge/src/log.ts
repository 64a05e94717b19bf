/**
 * Structured logs: one JSON object per line on stdout (pino), so that a site's log shipper
 * can index them. Every line of an agent carries its checkpoint.
 */
import { pino, type Logger } from 'pino';

export type Log = Pick<Logger, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'child' | 'level'>;

export function createLog(opts: { level: string; checkpoint?: string; destination?: NodeJS.WritableStream }): Log {
  const base = opts.checkpoint ? { checkpoint: opts.checkpoint } : {};
  return pino(
    { level: opts.level, base, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label) => ({ level: label }) } },
    opts.destination ?? pino.destination({ sync: true }),
  );
}

/**
 * Logs at most `perWindow` lines per key per window and then one summary of how many were
 * held back: a device spitting garbage must not flood the disk of an edge box.
 */
export class RateLimitedLog {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly log: Log,
    private readonly perWindow = 10,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  warn(key: string, obj: object, msg: string): void {
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || t - w.start >= this.windowMs) {
      if (w && w.count > this.perWindow) {
        this.log.warn({ key, suppressed: w.count - this.perWindow }, 'similar warnings were suppressed');
      }
      w = { start: t, count: 0 };
      this.windows.set(key, w);
    }
    w.count++;
    if (w.count <= this.perWindow) this.log.warn(obj, msg);
  }
}
