/** The records the edge writes to InfluxDB and publishes live (docs/interfaces.md, "Outputs"). */
import type { UnitKind } from './ids.js';

export const MEASUREMENTS = {
  clearance: 'clearance',
  queue: 'queue',
  device: 'device',
} as const;

export const DEFAULT_DATABASE = 'gatewatch';

export type Point = 'queue' | 'gate' | 'exit';
export const POINTS: readonly Point[] = ['queue', 'gate', 'exit'];
export type Channel = 'green' | 'yellow' | 'red';
export const CHANNELS: readonly Channel[] = ['green', 'yellow', 'red'];
export type Outcome = 'released' | 'timeout';

/** One unit that left (or timed out). Time is the exit time (or the timeout moment). */
export interface ClearanceRecord {
  checkpoint: string;
  lane: string;
  kind: UnitKind;
  channel: Channel | 'unknown';
  outcome: Outcome;
  unit: string;
  /** queue → gate, seconds with millisecond precision; absent when either stage was never seen. */
  wait_s?: number;
  /** gate → exit */
  process_s?: number;
  /** queue → exit */
  total_s?: number;
  weight_kg?: number;
  /** ISO 8601 UTC, millisecond precision. */
  time: string;
  /** Nanoseconds since the epoch as a decimal string: the ms time plus a nudge that keeps points apart. */
  timeNs: string;
}

/** Per lane, every interval (10 s by default). */
export interface QueueRecord {
  checkpoint: string;
  lane: string;
  length: number;
  arrivals: number;
  departures: number;
  /** What a unit joining this lane now should expect to wait until the gate, seconds. */
  wait_estimate_s: number;
  time: string;
  timeNs: string;
}

/** Per device, every 30 s by default. */
export interface DeviceRecord {
  checkpoint: string;
  device: string;
  online: boolean;
  frames: number;
  bad_frames: number;
  lost_frames: number;
  /** Seconds since the device last sent a good frame; -1 when never. */
  last_seen_s: number;
  time: string;
  timeNs: string;
}

export type CheckpointStatus = 'online' | 'offline';

/** Tag keys per measurement: nothing else may become a tag (cardinality). */
export const TAGS = {
  clearance: ['checkpoint', 'lane', 'kind', 'channel', 'outcome'],
  queue: ['checkpoint', 'lane'],
  device: ['checkpoint', 'device'],
} as const satisfies Record<keyof typeof MEASUREMENTS, readonly string[]>;

/** ms since epoch → nanosecond string, with a nudge in ns (0..999999). */
export function msToNs(ms: number, nudge = 0): string {
  if (!Number.isInteger(ms)) throw new RangeError(`time must be whole milliseconds, got ${ms}`);
  if (!Number.isInteger(nudge) || nudge < 0 || nudge > 999_999) throw new RangeError(`nudge out of range: ${nudge}`);
  return (BigInt(ms) * 1_000_000n + BigInt(nudge)).toString();
}

/** Seconds between two ms times, rounded to the millisecond. */
export const secondsBetween = (fromMs: number, toMs: number): number => Math.round(toMs - fromMs) / 1000;
