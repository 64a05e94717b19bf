/**
 * How good is the wait estimate? A seeded stretch of one crossing is replayed through the
 * edge's own code (ReplayAgent) and every `wait_estimate_s` it publishes is compared with the
 * true wait (gate − queue, from the simulator's truth) of the units that then joined the lane.
 *
 * Scoring. A queue record (lane, boundary t, estimate) is what a unit joining that lane in
 * [t, t + I) was told (I = queueIntervalMs): each such joiner is one sample, its error
 * |estimate − true wait|. Intervals nobody joined give no sample. Only records with t in the
 * scored range count; the simulation starts `warmupMs` earlier so that queues and the
 * estimator's history are not empty at the start, and drains so every joiner reaches the gate.
 *
 * Two baselines, on the same samples, from what the edge could have known at t (truth times of
 * units whose gate time is ≤ t, i.e. already seen at the gate):
 *  - lastAtGate: the wait of the last unit of the lane that reached the gate at or before t
 *    (0 when none has yet);
 *  - lastHourMean: the mean wait of the units of the lane that reached the gate in (t − 1 h, t]
 *    (when none did: falls back to lastAtGate, counted in `lastHourFallbacks`).
 *
 * Figures are seconds: mean absolute error, and the 90th percentile of the absolute error
 * (nearest rank: the smallest error ≥ 90 % of the errors).
 */
import { MemoryOutbox, ReplayAgent, createLog, parseSiteConfig } from '@gatewatch/edge';
import type { QueueRecord } from '@gatewatch/shared';
import { crossing as resolveCrossing, siteDescription, type CrossingId } from '../corridor/corridor.js';
import type { FaultRates } from '../corridor/faults.js';
import { DAY_MS, HOUR_MS, localDayStart } from '../corridor/profile.js';
import { simulate, type UnitTruth } from '../corridor/simulate.js';

export interface EvaluateOptions {
  crossing: CrossingId;
  seed: number;
  /** Local day (Asia/Ho_Chi_Minh) scored, `YYYY-MM-DD`. */
  day: string;
  /** Simulator fault rates (default: the simulator's defaults, DEFAULT_FAULTS). */
  faults?: Partial<FaultRates>;
  /**
   * Simulated time before the scored range (default 24 h: the estimator learns from the
   * clearances of the last 24 hours, which an agent in service has; a shorter warm-up scores
   * a freshly started agent).
   */
  warmupMs?: number;
  /** Scored range, epoch ms; default the whole `day`. */
  fromMs?: number;
  toMs?: number;
  /**
   * What is scored as the estimate of a queue record (default: its `wait_estimate_s`). For
   * checks of the scoring itself (e.g. a constant estimator) and for trying estimators offline.
   */
  estimate?: (record: QueueRecord) => number;
}

export interface ErrorFigures {
  /** Mean absolute error, s. */
  mae: number;
  /** 90th percentile of the absolute error, s. */
  p90: number;
}

export interface EvaluationResult {
  crossing: CrossingId;
  seed: number;
  day: string;
  fromMs: number;
  toMs: number;
  /** Joiners scored (the same for the estimator and both baselines). */
  samples: number;
  estimator: ErrorFigures;
  lastAtGate: ErrorFigures;
  lastHourMean: ErrorFigures;
  /** Mean true wait of the samples, s. */
  meanWaitS: number;
  /** Samples where no unit of the lane had reached the gate in the last hour (lastHourMean = lastAtGate). */
  lastHourFallbacks: number;
  /** Joiners in the scored range without a queue record for their interval (not scored). */
  unscored: number;
  /** The absolute errors behind the figures, one per sample, for pooling several runs (aggregate()). */
  errors: SampleErrors;
}

export interface SampleErrors {
  estimator: number[];
  lastAtGate: number[];
  lastHourMean: number[];
}

/** Several runs of one crossing taken as one: their samples pooled. */
export interface AggregateResult {
  crossing: CrossingId;
  runs: number;
  samples: number;
  estimator: ErrorFigures;
  lastAtGate: ErrorFigures;
  lastHourMean: ErrorFigures;
  meanWaitS: number;
  lastHourFallbacks: number;
  unscored: number;
}

/** The simulation's truth and the published estimates, per lane. */
interface Replayed {
  intervalMs: number;
  /** lane → boundary ms → estimate, s. */
  estimates: Map<string, Map<number, number>>;
  units: UnitTruth[];
}

const DEFAULT_WARMUP_MS = 24 * HOUR_MS;
const silent = createLog({ level: 'silent', destination: { write: () => true } as unknown as NodeJS.WritableStream });

export function evaluateEstimates(opts: EvaluateOptions): EvaluationResult {
  const fromMs = opts.fromMs ?? localDayStart(opts.day);
  const toMs = opts.toMs ?? fromMs + DAY_MS;
  if (!(toMs > fromMs)) throw new RangeError(`empty scored range [${fromMs}, ${toMs})`);
  const replayed = replay(opts, fromMs - (opts.warmupMs ?? DEFAULT_WARMUP_MS), toMs);
  return { crossing: opts.crossing, seed: opts.seed, day: opts.day, fromMs, toMs, ...score(replayed, fromMs, toMs) };
}

function replay(opts: EvaluateOptions, startMs: number, toMs: number): Replayed {
  const c = resolveCrossing(opts.crossing);
  const site = parseSiteConfig({ ...siteDescription(c), mqtt: { url: 'mqtt://127.0.0.1:1' }, influx: { url: 'http://127.0.0.1:1' }, storage: { dir: '/nonexistent' } }, '/', {});
  const outbox = new MemoryOutbox({ maxPoints: 1_000_000, telemetryShare: 0.99 });
  // MemoryOutbox.open() only sets a flag; its promise has nothing to wait for.
  void outbox.open();
  const agent = new ReplayAgent(site, { outbox, log: silent }, startMs);
  const estimate = opts.estimate ?? ((r: QueueRecord): number => r.wait_estimate_s);
  const estimates = new Map<string, Map<number, number>>();
  agent.bus.on('queue', estimates, (r) => {
    let lane = estimates.get(r.lane);
    if (!lane) estimates.set(r.lane, (lane = new Map()));
    lane.set(Date.parse(r.time), estimate(r));
  });
  const units: UnitTruth[] = [];
  let last = startMs;
  let n = 0;
  const sim = simulate({ crossing: c, seed: opts.seed, fromMs: startMs, toMs, drain: true, ...(opts.faults ? { faults: opts.faults } : {}) });
  for (const item of sim) {
    last = item.at;
    if (item.kind === 'truth') {
      if (item.record.type === 'unit') units.push(item.record);
      continue;
    }
    if (item.kind === 'mqtt') agent.mqttMessage(item.at, item.topic, item.payload);
    else agent.serialBytes(item.at, item.device, item.bytes);
    // The records are read from the bus; the outbox is only emptied so that it never fills.
    if (++n % 50_000 === 0) drain(outbox);
  }
  agent.advance(Math.max(last, toMs) + site.clearance.queueIntervalMs + 60_000);
  drain(outbox);
  agent.bus.removeListeners(estimates);
  return { intervalMs: site.clearance.queueIntervalMs, estimates, units };
}

function drain(outbox: MemoryOutbox): void {
  for (let b = outbox.peek(100_000); b; b = outbox.peek(100_000)) outbox.ack(b.token);
}

/** A lane's units in gate order, with prefix sums of their waits, for the baselines at any t. */
class GateHistory {
  private readonly gates: number[];
  private readonly waits: number[];
  private readonly sums: number[];

  constructor(units: readonly UnitTruth[]) {
    const sorted = [...units].sort((a, b) => a.gateAt - b.gateAt);
    this.gates = sorted.map((u) => u.gateAt);
    this.waits = sorted.map(waitS);
    this.sums = [0];
    for (const w of this.waits) this.sums.push(this.sums.at(-1)! + w);
  }

  /** Units at the gate at or before t. */
  private countUpTo(t: number): number {
    let lo = 0;
    let hi = this.gates.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.gates[mid]! <= t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  lastAtGate(t: number): number {
    const n = this.countUpTo(t);
    return n === 0 ? 0 : this.waits[n - 1]!;
  }

  /** Mean wait of units at the gate in (t − 1 h, t]; undefined when none. */
  lastHourMean(t: number): number | undefined {
    const n = this.countUpTo(t);
    const m = this.countUpTo(t - HOUR_MS);
    return n > m ? (this.sums[n]! - this.sums[m]!) / (n - m) : undefined;
  }
}

const waitS = (u: UnitTruth): number => (u.gateAt - u.queueAt) / 1000;

function score(r: Replayed, fromMs: number, toMs: number): Omit<EvaluationResult, 'crossing' | 'seed' | 'day' | 'fromMs' | 'toMs'> {
  const byLane = new Map<string, UnitTruth[]>();
  for (const u of r.units) {
    let list = byLane.get(u.lane);
    if (!list) byLane.set(u.lane, (list = []));
    list.push(u);
  }
  const errors: SampleErrors = { estimator: [], lastAtGate: [], lastHourMean: [] };
  let waitSum = 0;
  let lastHourFallbacks = 0;
  let unscored = 0;
  for (const [lane, units] of byLane) {
    const history = new GateHistory(units);
    const published = r.estimates.get(lane);
    for (const u of units) {
      const t = Math.floor(u.queueAt / r.intervalMs) * r.intervalMs;
      if (t < fromMs || t >= toMs) continue;
      const est = published?.get(t);
      if (est === undefined) {
        unscored++;
        continue;
      }
      const truth = waitS(u);
      const last = history.lastAtGate(t);
      let hour = history.lastHourMean(t);
      if (hour === undefined) {
        lastHourFallbacks++;
        hour = last;
      }
      waitSum += truth;
      errors.estimator.push(Math.abs(est - truth));
      errors.lastAtGate.push(Math.abs(last - truth));
      errors.lastHourMean.push(Math.abs(hour - truth));
    }
  }
  const samples = errors.estimator.length;
  return {
    samples,
    estimator: figures(errors.estimator),
    lastAtGate: figures(errors.lastAtGate),
    lastHourMean: figures(errors.lastHourMean),
    meanWaitS: samples === 0 ? 0 : waitSum / samples,
    lastHourFallbacks,
    unscored,
    errors,
  };
}

/** Pools the samples of runs per crossing (in order of first appearance): figures over all of them. */
export function aggregate(results: readonly EvaluationResult[]): AggregateResult[] {
  const by = new Map<CrossingId, EvaluationResult[]>();
  for (const r of results) {
    const list = by.get(r.crossing) ?? [];
    list.push(r);
    by.set(r.crossing, list);
  }
  return [...by].map(([crossing, rs]) => {
    const pooled = (k: keyof SampleErrors): number[] => rs.flatMap((r) => r.errors[k]);
    const samples = rs.reduce((a, r) => a + r.samples, 0);
    return {
      crossing,
      runs: rs.length,
      samples,
      estimator: figures(pooled('estimator')),
      lastAtGate: figures(pooled('lastAtGate')),
      lastHourMean: figures(pooled('lastHourMean')),
      meanWaitS: samples === 0 ? 0 : rs.reduce((a, r) => a + r.meanWaitS * r.samples, 0) / samples,
      lastHourFallbacks: rs.reduce((a, r) => a + r.lastHourFallbacks, 0),
      unscored: rs.reduce((a, r) => a + r.unscored, 0),
    };
  });
}

/** MAE and nearest-rank p90 of absolute errors (0 and 0 for no errors). */
export function figures(errors: readonly number[]): ErrorFigures {
  if (errors.length === 0) return { mae: 0, p90: 0 };
  const sorted = [...errors].sort((a, b) => a - b);
  const mae = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  const p90 = sorted[Math.max(0, Math.ceil(0.9 * sorted.length) - 1)]!;
  return { mae, p90 };
}
