/**
 * `pnpm eval [--seed N] [--day YYYY-MM-DD] [--no-faults]`: how good the published wait
 * estimates were over a seeded simulated day, per crossing, beside two naive baselines
 * (evaluate.ts says how it is scored). Prints a table and writes the figures as JSON to
 * bench/results/eval-<day>-<seed>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CROSSING_IDS } from '../corridor/corridor.js';
import { NO_FAULTS } from '../corridor/faults.js';
import { evaluateEstimates, type ErrorFigures, type EvaluationResult } from './evaluate.js';

export const DEFAULT_SEED = 20261125;
export const DEFAULT_DAY = '2026-11-24';

const USAGE = 'usage: node sim/dist/eval/main.js [--seed N] [--day YYYY-MM-DD] [--no-faults]';

interface Args {
  seed: number;
  day: string;
  faults: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { seed: DEFAULT_SEED, day: DEFAULT_DAY, faults: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    if (a === '--seed') {
      const v = value();
      if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) fail(`--seed: not a non-negative integer: ${v}`);
      args.seed = Number(v);
    } else if (a === '--day') {
      const v = value();
      if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) fail(`--day: not a YYYY-MM-DD date: ${v}`);
      args.day = v;
    } else if (a === '--no-faults') args.faults = false;
    else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else fail(`unknown argument: ${a}`);
  }
  return args;
}

function fail(message: string): never {
  console.error(`eval: ${message}\n${USAGE}`);
  process.exit(2);
}

const f1 = (x: number): string => x.toFixed(1);
const pair = (f: ErrorFigures): string => `${f1(f.mae)} / ${f1(f.p90)}`;

/** Estimator MAE over the best baseline's MAE (< 1: the estimator is better). */
export function ratio(r: EvaluationResult): number {
  const best = Math.min(r.lastAtGate.mae, r.lastHourMean.mae);
  return best > 0 ? r.estimator.mae / best : r.estimator.mae === 0 ? 1 : Infinity;
}

export function table(results: readonly EvaluationResult[]): string {
  const head = ['crossing', 'samples', 'mean wait s', 'estimator MAE/p90 s', 'last-at-gate MAE/p90 s', 'last-hour-mean MAE/p90 s', 'est/best MAE'];
  const rows = results.map((r) => [r.crossing, String(r.samples), f1(r.meanWaitS), pair(r.estimator), pair(r.lastAtGate), pair(r.lastHourMean), ratio(r).toFixed(2)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const results: EvaluationResult[] = [];
  for (const id of CROSSING_IDS) {
    const started = Date.now();
    const r = evaluateEstimates({ crossing: id, seed: args.seed, day: args.day, ...(args.faults ? {} : { faults: NO_FAULTS }) });
    results.push(r);
    console.error(`eval: ${id}: ${r.samples} samples in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  console.log(`\nWait estimates, ${args.day} (Asia/Ho_Chi_Minh), seed ${args.seed}, ${args.faults ? 'default faults' : 'no faults'}: absolute error against the true wait of each joiner`);
  console.log(table(results));
  const fallbacks = results.map((r) => `${r.crossing} ${r.lastHourFallbacks}`).join(', ');
  const unscored = results.map((r) => `${r.crossing} ${r.unscored}`).join(', ');
  console.log(`\nlast-hour-mean fell back to last-at-gate (no unit at the gate in the last hour): ${fallbacks}`);
  console.log(`joiners without a queue record for their interval (not scored): ${unscored}`);
  const dir = fileURLToPath(new URL('../../../bench/results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}eval-${args.day}-${args.seed}${args.faults ? '' : '-nofaults'}.json`;
  writeFileSync(file, `${JSON.stringify({ seed: args.seed, day: args.day, faults: args.faults ? 'default' : 'none', results }, null, 2)}\n`);
  console.log(`figures: ${file}`);
}

main();
