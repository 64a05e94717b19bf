/**
 * When a process of the run command (the dashboard, an edge agent, a live simulator) that exited
 * by itself is started again, and what is said about it: plain data in, plain data out, no I/O
 * (the adapter, supervisedProcess.ts, spawns, waits and prints).
 */

export interface RestartPolicy {
  /** The delay after the first exit, and after one that follows a long enough run. */
  firstDelayMs: number;
  /** The delay doubles at each exit in a row, up to this. */
  maxDelayMs: number;
  /**
   * A process up this long has recovered: its next exit is a new failure, restarted after the
   * first delay again. Without this, a dashboard that crashed a few times at night would wait
   * the full 30 s at its next crash a week later; with it, a process that fails at start-up
   * (a broken config, a port taken) still backs off instead of restarting every second and
   * filling its log.
   */
  stableAfterMs: number;
}

/** As systemd's Restart=always with a growing RestartSec: 1 s, doubling to 30 s; reset after a minute up. */
export const RESTART_POLICY: RestartPolicy = { firstDelayMs: 1000, maxDelayMs: 30_000, stableAfterMs: 60_000 };

/**
 * The delay before starting a process again that has just exited by itself, after being up
 * `upForMs`; `previousDelayMs` is the delay before its last start (undefined: it never
 * restarted).
 */
export function restartDelay(previousDelayMs: number | undefined, upForMs: number, policy: RestartPolicy = RESTART_POLICY): number {
  if (previousDelayMs === undefined || upForMs >= policy.stableAfterMs) return policy.firstDelayMs;
  return Math.min(Math.max(previousDelayMs * 2, policy.firstDelayMs), policy.maxDelayMs);
}

/** "1 s", "2 min 5 s", "3 h 2 min": how long, as read in a terminal. */
export function duration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return ms > 0 && ms < 1000 ? `${(ms / 1000).toFixed(1)} s` : `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`;
  return m % 60 ? `${Math.floor(m / 60)} h ${m % 60} min` : `${Math.floor(m / 60)} h`;
}

export interface ExitReport {
  /** In the users' words: "the dashboard", "the edge agent of dinh-vu-port". */
  name: string;
  pid: number | undefined;
  code: number | null;
  signal: string | null;
  upForMs: number;
  restartInMs: number;
  logPath: string;
  /** The last lines of its log, oldest first. */
  logTail: readonly string[];
}

/**
 * What is printed when a process exits by itself: one line saying what exited, how and when it
 * comes back, then the end of its log (what it said before it died), indented.
 */
export function exitReport(r: ExitReport): string {
  const how = r.signal !== null ? `signal ${r.signal}` : `exit code ${r.code}`;
  const head = `${r.name} (pid ${r.pid ?? '?'}) exited (${how}) after ${duration(r.upForMs)}; restarting in ${duration(r.restartInMs)}.`;
  if (r.logTail.length === 0) return `${head} Its log ${r.logPath} is empty.`;
  return `${head} Last lines of ${r.logPath}:\n${r.logTail.map((l) => `    | ${l}`).join('\n')}`;
}

/**
 * The last `n` lines of the end of a file. `text` is the file's last bytes; unless `whole`
 * (they are the whole file), its first line may be cut and is left out.
 */
export function lastLines(text: string, n: number, whole: boolean): string[] {
  const lines = text.split('\n');
  if (!whole) lines.shift();
  while (lines.length > 0 && lines.at(-1)!.trim() === '') lines.pop();
  return lines.slice(-n);
}
