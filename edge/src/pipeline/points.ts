/**
 * Records → InfluxDB points. Which keys are tags is the contract's (TAGS in shared): only
 * low-cardinality identifiers; a unit (plate, container number) is always a string field.
 */
import { MEASUREMENTS, type ClearanceRecord, type DeviceRecord, type QueueRecord } from '@gatewatch/shared';
import type { FieldValue, OutboxPoint } from '../storage/outbox.js';

export function clearancePoint(r: ClearanceRecord, emitSeq?: number): OutboxPoint {
  const fields: Record<string, FieldValue> = { unit: r.unit };
  if (r.wait_s !== undefined) fields.wait_s = r.wait_s;
  if (r.process_s !== undefined) fields.process_s = r.process_s;
  if (r.total_s !== undefined) fields.total_s = r.total_s;
  if (r.weight_kg !== undefined) fields.weight_kg = r.weight_kg;
  const p: OutboxPoint = {
    measurement: MEASUREMENTS.clearance,
    tags: { checkpoint: r.checkpoint, lane: r.lane, kind: r.kind, channel: r.channel, outcome: r.outcome },
    fields,
    timeNs: r.timeNs,
  };
  if (emitSeq !== undefined) p.emitSeq = emitSeq;
  return p;
}

export function queuePoint(r: QueueRecord, emitSeq?: number): OutboxPoint {
  const p: OutboxPoint = {
    measurement: MEASUREMENTS.queue,
    tags: { checkpoint: r.checkpoint, lane: r.lane },
    fields: { length: r.length, arrivals: r.arrivals, departures: r.departures, wait_estimate_s: r.wait_estimate_s },
    timeNs: r.timeNs,
  };
  if (emitSeq !== undefined) p.emitSeq = emitSeq;
  return p;
}

export function devicePoint(r: DeviceRecord): OutboxPoint {
  return {
    measurement: MEASUREMENTS.device,
    tags: { checkpoint: r.checkpoint, device: r.device },
    fields: { online: r.online, frames: r.frames, bad_frames: r.bad_frames, lost_frames: r.lost_frames, last_seen_s: r.last_seen_s },
    timeNs: r.timeNs,
  };
}
