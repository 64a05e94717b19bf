/**
 * What every target checks with the server (fuzz/server.ts) while it runs (the property):
 * the process is still up, `/api/health` answers 200 within 1 s after every 1 000 inputs and at
 * the end, and the heap after a full GC (fuzz/heapInspector.ts) returns to within 20 % of what it
 * was after a warm-up; RSS is reported, not judged. And how long a dashboard target runs.
 */
import { runFuzzAsync, SUITE_SEED, type AsyncFuzzTarget } from '@gatewatch/shared/fuzzing';
import type { FuzzServer } from './server.js';
import type { Memory } from './heapInspector.js';

const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/**
 * What a target keeps while it runs against a server: the checks every 1 000 inputs, the heap
 * after a warm-up, and the last inputs (a crash shows up on the input after the one that caused
 * it when nothing synchronises with the server, as with REST).
 */
export class Watchdog {
  static readonly CHECK_EVERY = 1000;
  start: Memory | undefined;
  end: Memory | undefined;
  checks = 0;
  slowestHealthMs = 0;
  private nextCheck = Watchdog.CHECK_EVERY;
  private readonly recent: string[] = [];

  constructor(
    readonly server: FuzzServer,
    /** Inputs before the start heap is read. */
    private readonly warmup: number,
  ) {}

  /** Remembers an input (shown, short) among the last few. */
  saw(shown: string): void {
    this.recent.push(shown);
    if (this.recent.length > 4) this.recent.shift();
  }

  /** The last inputs, latest last. */
  lastInputs(): string {
    return this.recent.map((s, i) => `    ${i - this.recent.length + 1}: ${s}`).join('\n');
  }

  /** After each input: no handler failed (the log), the warm-up heap once, the health check every 1 000 inputs. */
  async after(inputs: number): Promise<void> {
    const failed = this.server.newErrors();
    if (failed.length) throw new Error(`a handler threw (the server logged at error level):\n    ${failed.join('\n    ')}`);
    if (this.start === undefined && inputs >= this.warmup) this.start = await this.server.heapAfterGc();
    if (inputs >= this.nextCheck) {
      this.nextCheck = inputs + Watchdog.CHECK_EVERY;
      await this.check();
    }
  }

  private async check(): Promise<void> {
    try {
      this.slowestHealthMs = Math.max(this.slowestHealthMs, await this.server.check());
      this.checks++;
    } catch (error) {
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n  the last inputs:\n${this.lastInputs()}`);
    }
  }

  /** At the end: up, healthy within 1 s, and the heap after GC within 20 % above the start's. */
  async finish(): Promise<string> {
    await this.check();
    this.end = await this.server.heapAfterGc();
    const start = this.start ?? this.end;
    const ratio = this.end.heapUsed / start.heapUsed;
    const line =
      `heap after GC ${mib(start.heapUsed)} after warm-up, ${mib(this.end.heapUsed)} at the end (${((ratio - 1) * 100).toFixed(1)} %); ` +
      `RSS ${mib(start.rss)} → ${mib(this.end.rss)}; ${this.checks} health checks, slowest ${this.slowestHealthMs.toFixed(0)} ms`;
    if (ratio > 1.2) throw new Error(`the server's heap did not return to within 20 % of its start: ${line}`);
    return line;
  }
}

/** `pnpm fuzz` without --inputs: inputs per dashboard target (the minimum); each is a round trip to the server. */
export const DASHBOARD_MIN_INPUTS = 100_000;
/** Inputs in the test suite's seeded run of a dashboard target. */
export const SUITE_INPUTS = 300;
/** Inputs before the start heap is read: the server's caches and pools filled once. */
export const warmupInputs = (long: boolean): number => (long ? 2_000 : 100);
/** A test against a started server: starting it and the suite's inputs, or a long run. */
export const serverTestTimeoutMs = (long: boolean): number => (long ? 60 * 60_000 : 90_000);

/**
 * The suite's small run of a target on a mutant server, which must fail: its failure message
 * (fast-check's report, the server's stderr among it), shown in part on the console. Throws when
 * the run passes, so that a mutant test cannot pass by a fuzz that found nothing.
 */
export async function failureOnMutant<Ts>(target: AsyncFuzzTarget<Ts>, shownLines: number): Promise<string> {
  const failure = await runFuzzAsync(target, SUITE_INPUTS, { long: false, seed: SUITE_SEED, minInputs: 0 }).then(
    () => undefined,
    (error: unknown) => error,
  );
  if (!(failure instanceof Error)) throw new Error(`the fuzz of ${target.name} passed on the mutant server: it would not see the bug`);
  console.log(`the fuzz on the mutant: ${failure.message.split('\n').slice(0, shownLines).join('\n')}`);
  return failure.message;
}

/** What the report of a crash of the mutants' bug says (the original watch bug's TypeError, or its stack overflow on a deep value). */
export const MUTANT_CRASH = /the server process exited with code 1[\s\S]*(Cannot convert object to primitive value|Maximum call stack size exceeded)/;
