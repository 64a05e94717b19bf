/** Plain-data builders for the clearance core tests. */
import type { Channel, ClearanceRecord, Point, QueueRecord, UnitKind } from '@gatewatch/shared';
import type { LaneConfig } from '../config/types.js';
import type {
  CoreInput,
  DecisionInput,
  DeclarationScanInput,
  LoopInput,
  SightingInput,
  TickInput,
  WeightInput,
} from './inputs.js';
import { ClearanceCore, type CoreConfig, type Emission } from './tracker.js';

export const CHECKPOINT = 'kim-thanh-road';
/** 2026-11-25T01:30:00.000Z (08:30 in Hanoi). */
export const T0 = Date.UTC(2026, 10, 25, 1, 30, 0);
export const W = 5000;
export const T = 6 * 3600_000;
export const I = 10_000;

export const LANES: LaneConfig[] = [
  { id: 'IN-1', direction: 'inbound', defaultServiceS: 60, exitOrder: 'fifo' },
  { id: 'IN-2', direction: 'inbound', defaultServiceS: 90, exitOrder: 'fifo' },
];

export function coreConfig(over: Partial<CoreConfig> = {}): CoreConfig {
  return {
    checkpoint: CHECKPOINT,
    lanes: LANES,
    latenessWindowMs: W,
    unitTimeoutMs: T,
    queueIntervalMs: I,
    estimateWindowMs: 900_000,
    lanesWithLoops: [],
    ...over,
  };
}

let nextId = 0;
const newId = (p: string): string => `${p}-${++nextId}`;

export interface Opts {
  lane?: string;
  rx?: number;
  id?: string;
}

export function cam(point: Point, unit: string, ts: number, o: Opts & { kind?: UnitKind } = {}): SightingInput {
  return { type: 'sighting', id: o.id ?? newId('cam'), ts, rx: o.rx ?? ts, lane: o.lane ?? 'IN-1', point, unit, kind: o.kind ?? 'truck', source: 'camera' };
}

/** The booth scanner: a gate sighting stamped on reception, no kind. */
export function scan(unit: string, at: number, o: Opts = {}): SightingInput {
  return { type: 'sighting', id: o.id ?? newId('scan'), ts: at, rx: at, lane: o.lane ?? 'IN-1', point: 'gate', unit, source: 'scanner' };
}

export function decision(unit: string, channel: Channel, ts: number, o: Opts & { declaration?: string } = {}): DecisionInput {
  const d: DecisionInput = { type: 'decision', id: o.id ?? newId('dec'), ts, rx: o.rx ?? ts, unit, channel };
  if (o.declaration !== undefined) d.declaration = o.declaration;
  return d;
}

export function declScan(declaration: string, at: number, o: Opts = {}): DeclarationScanInput {
  return { type: 'declarationScan', id: o.id ?? newId('dscan'), ts: at, rx: at, lane: o.lane ?? 'IN-1', declaration };
}

export function loop(point: Point, at: number, o: Opts = {}): LoopInput {
  return { type: 'loop', id: o.id ?? newId('loop'), ts: at, rx: at, lane: o.lane ?? 'IN-1', point };
}

export function weigh(kg: number, at: number, o: Opts = {}): WeightInput {
  return { type: 'weight', id: o.id ?? newId('wb'), ts: at, rx: at, lane: o.lane ?? 'IN-1', kg };
}

export const tick = (now: number): TickInput => ({ type: 'tick', now });

export function run(core: ClearanceCore, inputs: readonly CoreInput[]): Emission[] {
  return inputs.flatMap((i) => core.apply(i));
}

export const clearances = (es: readonly Emission[]): ClearanceRecord[] =>
  es.flatMap((e) => (e.measurement === 'clearance' ? [e.record] : []));

export const queueRecords = (es: readonly Emission[]): QueueRecord[] =>
  es.flatMap((e) => (e.measurement === 'queue' ? [e.record] : []));

export const newCore = (over: Partial<CoreConfig> = {}): ClearanceCore => new ClearanceCore(coreConfig(over));

export const iso = (ms: number): string => new Date(ms).toISOString();
export const ns = (ms: number, nudge = 0): string => (BigInt(ms) * 1_000_000n + BigInt(nudge)).toString();
