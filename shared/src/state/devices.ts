/**
 * A device's state from the edge's device records and the clock, one word for the officer:
 *
 * - `offline`: the edge says so (its port is closed, or it passed its own silence limit);
 * - `neverSeen`: no good frame from it yet (`last_seen_s` -1), or no record of it at all;
 * - `silent`: the edge has stopped reporting on it: no device record for STALE_AFTER_INTERVALS
 *   device intervals, or the holder lost the live data; what it said last is shown with its age;
 * - `online`: otherwise.
 *
 * `lastSeenAgeS` is the time since its last good frame as of now (the record's figure aged by
 * the clock), never "online" beside "last seen: never".
 */
import type { DeviceRecord } from '../records.js';
import { STALE_AFTER_INTERVALS, type HeldRecords } from './places.js';

export type DeviceStateKind = 'online' | 'silent' | 'neverSeen' | 'offline';

export interface DeviceState {
  device: string;
  state: DeviceStateKind;
  /** Seconds since its last good frame, now; null when never. */
  lastSeenAgeS: number | null;
  /** `silent`: seconds since its last record. */
  ageS?: number;
}

export function deviceState(device: string, record: DeviceRecord | undefined, opts: { deviceIntervalS: number; link: HeldRecords['link'] }, nowMs: number): DeviceState {
  if (!record) return { device, state: 'neverSeen', lastSeenAgeS: null };
  const recordAgeMs = Math.max(0, nowMs - Date.parse(record.time));
  const lastSeenAgeS = record.last_seen_s < 0 ? null : Math.round(record.last_seen_s + recordAgeMs / 1000);
  const lostMs = opts.link.up ? 0 : Math.max(0, nowMs - opts.link.sinceMs);
  if (recordAgeMs > STALE_AFTER_INTERVALS * opts.deviceIntervalS * 1000 || !opts.link.up) {
    return { device, state: 'silent', lastSeenAgeS, ageS: Math.round(Math.max(recordAgeMs, lostMs) / 1000) };
  }
  if (!record.online) return { device, state: 'offline', lastSeenAgeS };
  if (lastSeenAgeS === null) return { device, state: 'neverSeen', lastSeenAgeS };
  return { device, state: 'online', lastSeenAgeS };
}
