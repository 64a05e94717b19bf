/**
 * `pnpm eval [--seeds 1,2,3,4,5] [--days 2026-11-23,2026-11-29] [--crossings a,b] [--no-faults] [--per-run]`:
 * how good the published wait estimates were over seeded simulated days, per crossing, beside
 * two naive baselines (evaluate.ts says how it is scored). Every seed is played on every day;
 * the samples of all runs of a crossing are pooled into one row (MAE and p90 over all of them).
 * Prints the table (and with --per-run one row per crossing, seed and day) and writes the
 * figures as JSON to bench/results/eval-<days>-<seeds>[-nofaults].json.
 *
 * The defaults are the honest check: five seeds, a weekday and a Sunday. `--seed` and `--day`
 * are the same as `--seeds` and `--days` (one value or a comma-separated list).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CROSSING_IDS, type CrossingId } from '../corridor/corridor.js';
import { NO_FAULTS } from '../corridor/faults.js';
import { aggregate, evaluateEstimates, type AggregateResult, type ErrorFigures, type EvaluationResult } from './evaluate.js';

export const DEFAULT_SEEDS: readonly number[] = [1, 2, 3, 4, 5];
/** A Monday and a Sunday (local days, Asia/Ho_Chi_Minh). */
export const DEFAULT_DAYS: readonly string[] = ['2026-11-23', '2026-11-29'];

const USAGE =
  'usage: node sim/dist/eval/main.js [--seeds N,N,...] [--days YYYY-MM-DD,...] [--crossings ID,...] [--no-faults] [--per-run]\n' +
  `  defaults: --seeds ${DEFAULT_SEEDS.join(',')} --days ${DEFAULT_DAYS.join(',')} --crossings ${CROSSING_IDS.join(',')}`;

interface Args {
  seeds: number[];
  days: string[];
  crossings: CrossingId[];
  faults: boolean;
  perRun: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { seeds: [...DEFAULT_SEEDS], days: [...DEFAULT_DAYS], crossings: [...CROSSING_IDS], faults: true, perRun: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const list = (): string[] => {
      const v = argv[++i];
      if (v === undefined || v === '') fail(`${a} needs a value`);
      return v.split(',').map((x) => x.trim());
    };
    if (a === '--seed' || a === '--seeds') {
      args.seeds = list().map((v) => {
        if (!/^\d+$/.test(v) || !Number.isSafeInteger(Number(v))) fail(`${a}: not a non-negative integer: ${v}`);
        return Number(v);
      });
    } else if (a === '--day' || a === '--days') {
      args.days = list().map((v) => {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) fail(`${a}: not a YYYY-MM-DD date: ${v}`);
        return v;
      });
    } else if (a === '--crossing' || a === '--crossings') {
      args.crossings = list().map((v) => {
        if (!(CROSSING_IDS as readonly string[]).includes(v)) fail(`${a}: unknown crossing '${v}' (the crossings are ${CROSSING_IDS.join(', ')})`);
        return v as CrossingId;
      });
    } else if (a === '--no-faults') args.faults = false;
    else if (a === '--per-run') args.perRun = true;
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

type Row = Pick<EvaluationResult, 'crossing' | 'samples' | 'meanWaitS' | 'estimator' | 'lastAtGate' | 'lastHourMean'> & { label?: string };

/** Estimator MAE over the better baseline's MAE (< 1: the estimator is better). */
export function ratio(r: Row): number {
  const best = Math.min(r.lastAtGate.mae, r.lastHourMean.mae);
  return best > 0 ? r.estimator.mae / best : r.estimator.mae === 0 ? 1 : Infinity;
}

export function table(results: readonly Row[]): string {
  const head = ['crossing', 'samples', 'mean wait s', 'estimator MAE/p90 s', 'last-at-gate MAE/p90 s', 'last-hour-mean MAE/p90 s', 'est/best MAE'];
  const rows = results.map((r) => [r.label ?? r.crossing, String(r.samples), f1(r.meanWaitS), pair(r.estimator), pair(r.lastAtGate), pair(r.lastHourMean), ratio(r).toFixed(2)]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function main(): void {
  const args = parseArgs(process.argv.slice(2));
  const results: EvaluationResult[] = [];
  for (const id of args.crossings) {
    for (const day of args.days) {
      for (const seed of args.seeds) {
        const started = Date.now();
        const r = evaluateEstimates({ crossing: id, seed, day, ...(args.faults ? {} : { faults: NO_FAULTS }) });
        results.push(r);
        console.error(`eval: ${id} ${day} seed ${seed}: ${r.samples} samples in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    }
  }
  const pooled: AggregateResult[] = aggregate(results);
  const what = `${args.days.join(', ')} (Asia/Ho_Chi_Minh) x seeds ${args.seeds.join(', ')}, ${args.faults ? 'default faults' : 'no faults'}`;
  if (args.perRun) {
    console.log(`\nWait estimates per run: absolute error against the true wait of each joiner`);
    console.log(table(results.map((r) => ({ ...r, label: `${r.crossing} ${r.day} #${r.seed}` }))));
  }
  console.log(`\nWait estimates, ${what}: absolute error against the true wait of each joiner, all runs pooled`);
  console.log(table(pooled));
  const fallbacks = pooled.map((r) => `${r.crossing} ${r.lastHourFallbacks}`).join(', ');
  const unscored = pooled.map((r) => `${r.crossing} ${r.unscored}`).join(', ');
  console.log(`\nlast-hour-mean fell back to last-at-gate (no unit at the gate in the last hour): ${fallbacks}`);
  console.log(`joiners without a queue record for their interval (not scored): ${unscored}`);
  const dir = fileURLToPath(new URL('../../../bench/results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const file = `${dir}eval-${args.days.join('_')}-${args.seeds.join('_')}${args.faults ? '' : '-nofaults'}.json`;
  const runs = results.map(({ errors: _errors, ...r }) => r);
  writeFileSync(file, `${JSON.stringify({ seeds: args.seeds, days: args.days, faults: args.faults ? 'default' : 'none', pooled, runs }, null, 2)}\n`);
  console.log(`figures: ${file}`);
}

main();
