/**
 * The fuzz harness (`@gatewatch/shared/fuzzing`, test support only): every target's property is
 * written once and run two ways. The test suite runs it seeded and small; `pnpm fuzz`
 * (GATEWATCH_FUZZ=long) runs it until the target has had GATEWATCH_FUZZ_INPUTS inputs (by default
 * 10^6, or the target's own minimum: fuzzSettings) from GATEWATCH_FUZZ_SEED, and prints what it
 * counted.
 *
 * Targets whose property awaits something (a request to a server process) run the same way with
 * runFuzzAsync.
 */
import { appendFileSync } from 'node:fs';
import fc from 'fast-check';
import { isoVietnam } from './encode.js';

/** What a target's property adds up while it runs. */
export interface FuzzCounts {
  /** Inputs the parser was given (what one is, `FuzzTarget.input` says). */
  inputs: number;
  /** Inputs that decoded to a value. */
  frames: number;
  /** Inputs refused with a typed error. */
  badFrames: number;
}

export interface FuzzTarget<Ts> {
  name: string;
  /** What one input is, for the report: a run may hold many (a byte stream of many frames). */
  input: string;
  /** The property, adding what each run fed and got to `counts`. */
  property(counts: FuzzCounts): fc.IProperty<Ts>;
  /** What `frames` and `badFrames` count, for the report; 'frames' and 'bad frames' by default. */
  labels?: readonly [frames: string, badFrames: string];
}

/** A target whose property awaits (a server it sends inputs to): runFuzzAsync runs it. */
export interface AsyncFuzzTarget<Ts> {
  name: string;
  input: string;
  property(counts: FuzzCounts): fc.IAsyncProperty<Ts>;
  labels?: readonly [frames: string, badFrames: string];
  /**
   * Whether fast-check may shrink a failing input. A property against a process that a failure
   * may have killed says no: every later run would fail too, and "shrink" the report to an input
   * that did nothing.
   */
  shrink?: boolean;
}

export interface FuzzSettings {
  long: boolean;
  seed: number;
  /** Long runs: inputs per target at the least. */
  minInputs: number;
  /** Long runs: a file each target's report line is appended to, for a summary after the run. */
  reportFile?: string;
}

/** The suite's runs are replayable as they are: always the same seed. */
export const SUITE_SEED = 42;

function envInt(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw new Error(`${name} must be an integer, is '${v}'`);
  return n;
}

/**
 * The run's settings from the environment. `defaultMinInputs`: a long run's inputs per target
 * when GATEWATCH_FUZZ_INPUTS is not set (`pnpm fuzz` without --inputs): 10^6 for the parsers,
 * fewer for targets whose every input is a round trip to a server process.
 */
export function fuzzSettings(env: NodeJS.ProcessEnv = process.env, defaultMinInputs = 1_000_000): FuzzSettings {
  const long = env.GATEWATCH_FUZZ === 'long';
  // fast-check seeds are 32-bit; a long run without a seed gets a random one, printed for replay.
  const seed = envInt(env, 'GATEWATCH_FUZZ_SEED') ?? (long ? Math.floor(Math.random() * 2 ** 31) : SUITE_SEED);
  const settings: FuzzSettings = { long, seed: seed | 0, minInputs: envInt(env, 'GATEWATCH_FUZZ_INPUTS') ?? defaultMinInputs };
  if (env.GATEWATCH_FUZZ_REPORT) settings.reportFile = env.GATEWATCH_FUZZ_REPORT;
  return settings;
}

/** A test's timeout: long runs take minutes. */
export const fuzzTimeoutMs = (settings: FuzzSettings = fuzzSettings()): number => (settings.long ? 60 * 60_000 : 20_000);

export interface FuzzReport extends FuzzCounts {
  name: string;
  runs: number;
  ms: number;
}

/** Runs of one fc.assert in a long run; each batch's seed follows from the run's seed. */
const LONG_BATCH_RUNS = 2_000;

/**
 * Runs a target: `suiteRuns` runs in the suite, or batches until `minInputs` inputs in a long
 * run. Throws fast-check's report (seed, path, counterexample) when the property fails.
 */
export function runFuzz<Ts>(target: FuzzTarget<Ts>, suiteRuns: number, settings: FuzzSettings = fuzzSettings()): FuzzReport {
  const counts: FuzzCounts = { inputs: 0, frames: 0, badFrames: 0 };
  const property = target.property(counts);
  const started = performance.now();
  let runs = 0;
  if (!settings.long) {
    fc.assert(property, { seed: settings.seed, numRuns: suiteRuns, includeErrorInReport: true });
    runs = suiteRuns;
  } else {
    for (let batch = 0; counts.inputs < settings.minInputs; batch++) {
      fc.assert(property, { seed: (settings.seed + batch) | 0, numRuns: LONG_BATCH_RUNS, includeErrorInReport: true });
      runs += LONG_BATCH_RUNS;
    }
  }
  return finish({ name: target.name, runs, ...counts, ms: performance.now() - started }, target, settings);
}

function finish(report: FuzzReport, target: { input: string; labels?: readonly [string, string] }, settings: FuzzSettings): FuzzReport {
  if (settings.long) {
    const line = formatReport(report, target.input, settings.seed, target.labels);
    console.log(line);
    if (settings.reportFile) appendFileSync(settings.reportFile, `${line}\n`);
  }
  return report;
}

/**
 * runFuzz for a property that awaits: the same runs (`suiteRuns` seeded in the suite; batches
 * from the run's seed until `minInputs` inputs in a long run), the same report line. Rejects with
 * fast-check's report when the property fails.
 */
export async function runFuzzAsync<Ts>(target: AsyncFuzzTarget<Ts>, suiteRuns: number, settings: FuzzSettings = fuzzSettings()): Promise<FuzzReport> {
  const counts: FuzzCounts = { inputs: 0, frames: 0, badFrames: 0 };
  const property = target.property(counts);
  const started = performance.now();
  const params = { includeErrorInReport: true, endOnFailure: target.shrink === false };
  let runs = 0;
  if (!settings.long) {
    await fc.assert(property, { ...params, seed: settings.seed, numRuns: suiteRuns });
    runs = suiteRuns;
  } else {
    for (let batch = 0; counts.inputs < settings.minInputs; batch++) {
      await fc.assert(property, { ...params, seed: (settings.seed + batch) | 0, numRuns: LONG_BATCH_RUNS });
      runs += LONG_BATCH_RUNS;
    }
  }
  return finish({ name: target.name, runs, ...counts, ms: performance.now() - started }, target, settings);
}

/** One mutation of a byte string; `at` is taken modulo its length at the time. */
export interface ByteEdit {
  op: 'flip' | 'insert' | 'delete' | 'replace';
  at: number;
  byte: number;
  bit: number;
}

/** Edits whose new bytes are `special` (the bytes the format's syntax turns on) as often as any other. */
export const byteEdit = (special: readonly number[]): fc.Arbitrary<ByteEdit> =>
  fc.record({
    op: fc.constantFrom('flip' as const, 'insert' as const, 'delete' as const, 'replace' as const),
    at: fc.nat(),
    byte: fc.oneof(fc.constantFrom(...special), fc.integer({ min: 0, max: 255 })),
    bit: fc.integer({ min: 0, max: 7 }),
  });

export function mutate(bytes: Uint8Array, edits: readonly ByteEdit[]): Uint8Array {
  const b = [...bytes];
  for (const e of edits) {
    if (b.length === 0 && e.op !== 'insert') continue;
    const i = e.at % (e.op === 'insert' ? b.length + 1 : b.length);
    if (e.op === 'flip') b[i] = b[i]! ^ (1 << e.bit);
    else if (e.op === 'replace') b[i] = e.byte;
    else if (e.op === 'insert') b.splice(i, 0, e.byte);
    else b.splice(i, 1);
  }
  return Uint8Array.from(b);
}

// ------------------------------------------------------------------------------------------------
// JSON payloads

/** Years 0000 to 9999: what a 4-digit ISO 8601 year can say. */
export const YEAR_0_MS = Date.parse('0000-01-01T00:00:00Z');
export const YEAR_10000_MS = Date.parse('+010000-01-01T00:00:00Z');
const HOURS_7 = 7 * 3600_000;

/** A time as the corridor's devices stamp it (isoVietnam), or in UTC, and the instant it is; up to `maxMs`. */
export const timestamp = (maxMs = YEAR_10000_MS - 1): fc.Arbitrary<{ ts: string; ms: number }> =>
  fc.oneof(
    fc.integer({ min: YEAR_0_MS - HOURS_7, max: Math.min(maxMs, YEAR_10000_MS - HOURS_7 - 1) }).map((ms) => ({ ts: isoVietnam(ms), ms })),
    fc.integer({ min: YEAR_0_MS, max: maxMs }).map((ms) => ({ ts: new Date(ms).toISOString(), ms })),
  );

/**
 * A non-blank string of at most `max` UTF-16 units: ASCII, any code points, or any code units
 * (lone surrogates among them, which JSON.stringify escapes).
 */
export const text = (max: number): fc.Arbitrary<string> =>
  fc
    .oneof(
      fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: max }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: Math.floor(max / 2) }),
      fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 1, maxLength: max }).map((units) => String.fromCharCode(...units)),
    )
    .filter((s) => s.trim().length > 0);

/** Any JSON value. Two levels of nesting: the decoders look into none, and deeper values cost time. */
export const json = fc.jsonValue({ maxDepth: 2 });
const array = fc.array(json, { maxLength: 3 });
const object = fc.dictionary(fc.string(), json, { maxKeys: 3 });
/** JSON values of a type other than the field's. */
export const notString = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), array, object);
export const notNumber = fc.oneof(fc.string(), fc.boolean(), fc.constant(null), array, object);
export const notBoolean = fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(null), array, object);
export const notArray = fc.oneof(fc.string(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), object);

/** Byte edits favouring the bytes JSON syntax turns on. */
export const jsonEdit = byteEdit([...'"{}[],:\\0-+.eE tn'].map((c) => c.charCodeAt(0)).concat([0x00, 0x0a, 0x80, 0xc3, 0xff]));

export type Entries = [string, unknown][];

/**
 * An object as a JSON object with `field` set to `value` (undefined: removed) and `extra` added.
 * Object.fromEntries defines keys as own properties, so `__proto__` is a key like any other.
 */
export function withField(o: object, field: string, value: unknown, extra: Entries = []): Record<string, unknown> {
  const entries = Object.entries(o).filter(([key]) => key !== field);
  if (value !== undefined) entries.push([field, value]);
  return Object.fromEntries([...extra, ...entries]);
}

const n = (x: number): string => x.toLocaleString('en-US');

export function formatReport(r: FuzzReport, input: string, seed: number, labels: readonly [string, string] = ['frames', 'bad frames']): string {
  return (
    `fuzz ${r.name}: ${n(r.inputs)} inputs (${input}) in ${n(r.runs)} runs; ` +
    `${n(r.frames)} ${labels[0]}, ${n(r.badFrames)} ${labels[1]}; ${(r.ms / 1000).toFixed(1)} s; seed ${seed}`
  );
}
