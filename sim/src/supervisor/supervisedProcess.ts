/**
 * A Node process of the run command (the dashboard, an edge agent, a live simulator), kept
 * running as systemd's Restart=always keeps a service: when it exits without having been asked
 * to, it is started again after the restart policy's delay, and what exited, how, and the end of
 * its log are printed. Only stop() ends it for good.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { duration, exitReport, lastLines, RESTART_POLICY, restartDelay, type RestartPolicy } from './restartPolicy.js';

export interface SupervisedProcessOptions {
  /** In the users' words, for the printed lines: "the dashboard", "the edge agent of dinh-vu-port". */
  name: string;
  /**
   * Node's arguments for a start; `restarts` is 0 for the first start. A function, because a
   * process started again may need other arguments (the live simulator plays from the moment
   * it starts again, not from the run's start).
   */
  args: (restarts: number) => string[];
  /** Its stdout and stderr are appended here. */
  logPath: string;
  env?: NodeJS.ProcessEnv;
  policy?: RestartPolicy;
  /** How long stop() waits after SIGTERM before SIGKILL (default 60 s: the agents drain their outbox first). */
  stopTimeoutMs?: number;
  /** Where the exit and restart lines go (default stderr). */
  print?: (text: string) => void;
  /** Default: this Node. */
  execPath?: string;
}

/** Lines of its log printed when a process exits by itself. */
const TAIL_LINES = 20;
/** Bytes read from the end of the log for them: a log may be gigabytes, a line rarely 3 KB. */
const TAIL_BYTES = 64 * 1024;

// Processes started here die with this process, also when it fails (the run command's start-up
// throws, an uncaught error): none is ever left running without its supervisor.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** The last lines of a file, reading only its end. */
export function logTail(path: string, lines = TAIL_LINES): string[] {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const size = fstatSync(fd).size;
    const length = Math.min(size, TAIL_BYTES);
    const buf = Buffer.alloc(length);
    const read = readSync(fd, buf, 0, length, size - length);
    return lastLines(buf.subarray(0, read).toString('utf8'), lines, length === size);
  } catch {
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

export class SupervisedProcess {
  private child: ChildProcess | undefined;
  private startedAt = 0;
  private delayMs: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  /** How many times it was started again after exiting by itself. */
  restarts = 0;
  private readonly policy: RestartPolicy;
  private readonly print: (text: string) => void;

  constructor(private readonly opts: SupervisedProcessOptions) {
    this.policy = opts.policy ?? RESTART_POLICY;
    this.print = opts.print ?? ((text) => process.stderr.write(`${text}\n`));
  }

  /** The pid of the running process; undefined while it is down. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): void {
    if (this.stopping || this.child) return;
    const log = openSync(this.opts.logPath, 'a');
    let child: ChildProcess;
    try {
      // Its own process group: Ctrl-C in the terminal reaches only the run command, which stops
      // the processes in order (the agents drain into a still running InfluxDB).
      child = spawn(this.opts.execPath ?? process.execPath, this.opts.args(this.restarts), {
        stdio: ['ignore', log, log],
        detached: true,
        ...(this.opts.env ? { env: this.opts.env } : {}),
      });
    } finally {
      // The child holds its own copy; one kept here per start would leak at every restart.
      closeSync(log);
    }
    this.child = child;
    this.startedAt = Date.now();
    live.add(child);
    let ended = false;
    const onEnd = (code: number | null, signal: NodeJS.Signals | null): void => {
      if (ended) return;
      ended = true;
      live.delete(child);
      this.child = undefined;
      if (!this.stopping) this.exitedByItself(child.pid, code, signal);
    };
    child.once('exit', onEnd);
    // Not started at all (e.g. the executable went away): no 'exit' follows.
    child.once('error', () => {
      if (child.pid === undefined) onEnd(null, null);
    });
  }

  private exitedByItself(pid: number | undefined, code: number | null, signal: NodeJS.Signals | null): void {
    const upForMs = Date.now() - this.startedAt;
    this.delayMs = restartDelay(this.delayMs, upForMs, this.policy);
    const { name, logPath } = this.opts;
    this.print(exitReport({ name, pid, code, signal, upForMs, restartInMs: this.delayMs, logPath, logTail: logTail(logPath) }));
    this.schedule();
  }

  /** A start again after the delay; one that fails (its log folder gone, no file handle left) is tried again later, never thrown. */
  private schedule(): void {
    const { name } = this.opts;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopping) return;
      this.restarts++;
      try {
        this.start();
      } catch (error) {
        this.delayMs = restartDelay(this.delayMs, 0, this.policy);
        this.print(`${name} could not be started again (${error instanceof Error ? error.message : String(error)}); next try in ${duration(this.delayMs)}.`);
        this.schedule();
        return;
      }
      if (this.child) this.print(`${name} started again (pid ${this.child.pid}, restart ${this.restarts}).`);
    }, this.delayMs);
  }

  /** No start again from now on (the stack is stopping, in order: this one's turn may come later). */
  hold(): void {
    this.stopping = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Ends it for good: no restart is pending any more; SIGTERM, and SIGKILL if it has not exited after the timeout. */
  async stop(): Promise<void> {
    this.hold();
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill('SIGTERM');
    const timeoutMs = this.opts.stopTimeoutMs ?? 60_000;
    const killer = setTimeout(() => {
      this.print(`${this.opts.name} (pid ${child.pid}) did not stop within ${duration(timeoutMs)} of SIGTERM: killed.`);
      child.kill('SIGKILL');
    }, timeoutMs);
    await exited;
    clearTimeout(killer);
  }
}
