/**
 * The edge agent as the benchmark runs it: its own process from edge/dist/main.js, as at a
 * crossing, with its CPU time and peak memory read from /proc (Linux, where GateWatch runs).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, closeSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';
import { BenchFailure, live } from './mqtt.js';

export const EDGE_MAIN = fileURLToPath(new URL('../../../edge/dist/main.js', import.meta.url));

export class BenchAgent {
  private child: ChildProcess | undefined;
  private exit: string | undefined;

  constructor(
    readonly configPath: string,
    readonly logPath: string,
    site: object,
  ) {
    mkdirSync(dirname(configPath), { recursive: true });
    writeFileSync(configPath, stringify(site));
  }

  get pid(): number {
    if (!this.child?.pid || this.exit) throw new BenchFailure(`the edge agent is not running (${this.exit ?? 'not started'}); see ${this.logPath}`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exit === undefined;
  }

  /** Fails unless the agent is still running (it must not die under load). */
  checkAlive(): void {
    if (this.exit) throw new BenchFailure(`the edge agent ${this.exit} during the run; see ${this.logPath}`);
  }

  async start(): Promise<void> {
    this.child = spawnEntry(EDGE_MAIN, ['--config', this.configPath], this.logPath, (how) => (this.exit = how));
    const deadline = Date.now() + 30_000;
    while (!readFileSync(this.logPath, 'utf8').includes('"msg":"agent running"')) {
      this.checkAlive();
      if (Date.now() > deadline) throw new BenchFailure(`the edge agent did not say 'agent running' within 30 s; see ${this.logPath}`);
      await sleep(100);
    }
  }

  /**
   * SIGTERM: the agent drains its outbox and exits 0, logging its counters ('agent stopped').
   * Resolves with that line's fields; fails on another exit or no such line.
   */
  async stop(timeoutMs = 30_000): Promise<StoppedLine> {
    const child = this.child;
    if (!child || this.exit) throw new BenchFailure(`the edge agent ${this.exit ?? 'was not started'} before it was stopped; see ${this.logPath}`);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const code = await exited;
    clearTimeout(timer);
    if (code !== 0) throw new BenchFailure(`the edge agent exited with ${code} on SIGTERM (0 expected within ${timeoutMs / 1000} s); see ${this.logPath}`);
    const line = readFileSync(this.logPath, 'utf8')
      .split('\n')
      .findLast((l) => l.includes('"msg":"agent stopped"'));
    if (!line) throw new BenchFailure(`the edge agent stopped without its 'agent stopped' line; see ${this.logPath}`);
    return JSON.parse(line) as StoppedLine;
  }

  kill(): void {
    if (this.child && !this.exit) this.child.kill('SIGKILL');
  }
}

/**
 * One of our built entries (edge/dist, dashboard/server/dist) as its own process, its output
 * appended to `logPath`; killed by the exit hooks if the benchmark ends first (`live`).
 */
export function spawnEntry(entry: string, args: readonly string[], logPath: string, onExit: (how: string) => void): ChildProcess {
  if (!existsSync(entry)) throw new BenchFailure(`${entry} is missing: build first (pnpm build)`);
  const fd = openSync(logPath, 'a');
  const child = spawn(process.execPath, [entry, ...args], { stdio: ['ignore', fd, fd] });
  closeSync(fd);
  live.add(child);
  child.once('exit', (code, signal) => {
    live.delete(child);
    onExit(`exited (${code ?? signal})`);
  });
  return child;
}

/** What the agent's 'agent stopped' log line holds (edge/src/agent.ts), as far as the benchmark reads it. */
export interface StoppedLine {
  core: { inputs: number; duplicates: number; invalid: number; released: number; timeouts: number; unitsRefused: number; boundDrops: number };
  pipeline: { inputs: number; emitted: number; refused: number };
  outbox: { pending: number };
}

let clockTicks: number | undefined;
/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux almost always). */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      const n = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      clockTicks = Number.isInteger(n) && n > 0 ? n : 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

function procFile(pid: number, name: string): string {
  const path = `/proc/${pid}/${name}`;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new BenchFailure(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}): the agent's CPU and memory are read from Linux's /proc`);
  }
}

/** User + system CPU seconds the process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = procFile(pid, 'stat');
  // After "pid (comm) ": comm may hold spaces, so count from its closing parenthesis. The rest
  // starts at field 3 (state); utime and stime are fields 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new BenchFailure(`/proc/${pid}/stat: no utime and stime in '${stat.slice(0, 120)}'`);
  return (utime + stime) / ticksPerSecond();
}

function statusKb(pid: number, key: 'VmHWM' | 'VmRSS'): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB$`, 'm').exec(procFile(pid, 'status'));
  if (!m) throw new BenchFailure(`/proc/${pid}/status has no ${key} line`);
  return Number(m[1]) * 1024;
}

/** The process's peak resident set size so far (VmHWM), bytes. */
export const peakRssBytes = (pid: number): number => statusKb(pid, 'VmHWM');

/** The process's resident set size now (VmRSS), bytes. */
export const rssBytes = (pid: number): number => statusKb(pid, 'VmRSS');
