/**
 * Reading the edges' payloads defensively: anything that does not have the contract's shape
 * (shared/src/records.ts, UnitsInsideRecord) is refused with a reason, never thrown past the
 * bridge. Unknown extra fields are dropped, so nothing unexpected reaches a browser.
 */
import type { CheckpointStatus, ClearanceRecord, DeviceRecord, QueueRecord, UnitsInsideRecord } from '@gatewatch/shared';
import { z } from 'zod';

/**
 * Any ISO time the edge writes, kept as canonical UTC (toISOString): the live state orders
 * records by comparing these strings, which a time written with +07:00 would break.
 */
const isoTime = z
  .string()
  .refine((s) => Number.isFinite(Date.parse(s)), { error: 'not a time' })
  .transform((s) => new Date(Date.parse(s)).toISOString());

/**
 * How far ahead of the server's clock a record may be dated. Beyond it the record is refused:
 * one record from 2099 would stay a lane's latest for good, keep the lane open for ever and push
 * every real point out of the two-hour chart. Edges sync their clocks (NTP); minutes of skew are
 * a fault worth seeing in the log.
 */
export const MAX_AHEAD_MS = 5 * 60_000;
const num = z.number().finite();
const count = z.int().nonnegative();
const channel = z.enum(['green', 'yellow', 'red', 'unknown']);
const kind = z.enum(['truck', 'container', 'wagon']);

const queue = z.object({
  checkpoint: z.string(),
  lane: z.string().min(1).max(64),
  length: count,
  arrivals: count,
  departures: count,
  wait_estimate_s: num.nonnegative(),
  time: isoTime,
  timeNs: z.string(),
});

const clearance = z.object({
  checkpoint: z.string(),
  lane: z.string().min(1).max(64),
  kind,
  channel,
  outcome: z.enum(['released', 'timeout']),
  unit: z.string().max(64),
  wait_s: num.exactOptional(),
  process_s: num.exactOptional(),
  total_s: num.exactOptional(),
  weight_kg: num.exactOptional(),
  time: isoTime,
  timeNs: z.string(),
});

const device = z.object({
  checkpoint: z.string(),
  device: z.string().min(1).max(64),
  online: z.boolean(),
  frames: count,
  bad_frames: count,
  lost_frames: count,
  last_seen_s: num,
  time: isoTime,
  timeNs: z.string(),
});

const units = z.object({
  checkpoint: z.string(),
  time: isoTime,
  units: z
    .array(
      z.object({
        unit: z.string().max(64),
        lane: z.string().max(64),
        kind,
        channel,
        queueAt: isoTime.exactOptional(),
        gateAt: isoTime.exactOptional(),
        exitAt: isoTime.exactOptional(),
      }),
    )
    .max(2000),
  more: count,
});

export type Decoded =
  | { kind: 'queue'; record: QueueRecord }
  | { kind: 'clearance'; record: ClearanceRecord }
  | { kind: 'device'; record: DeviceRecord }
  | { kind: 'units'; record: UnitsInsideRecord }
  | { kind: 'status'; status: CheckpointStatus };

export type DecodeResult = { ok: true; value: Decoded } | { ok: false; reason: string };

const SCHEMAS = { queue, clearance, device, units } as const;

/** `kind` from the topic; `checkpoint` from the topic too, which the payload must agree with. */
export function decodePayload(
  kind: 'queue' | 'clearance' | 'device' | 'units' | 'status',
  checkpoint: string,
  payload: Buffer,
  nowMs: number = Date.now(),
): DecodeResult {
  const text = payload.toString('utf8');
  if (kind === 'status') {
    // The edge publishes the bare word (and its will); a JSON string is accepted too.
    const s = text.trim().replace(/^"(.*)"$/, '$1');
    return s === 'online' || s === 'offline' ? { ok: true, value: { kind, status: s } } : { ok: false, reason: 'status is not online or offline' };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  const result = SCHEMAS[kind].safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    return { ok: false, reason: `${issue.path.join('.') || '(payload)'}: ${issue.message}` };
  }
  if (result.data.checkpoint !== checkpoint) return { ok: false, reason: `checkpoint '${result.data.checkpoint}' differs from the topic's` };
  if (Date.parse(result.data.time) > nowMs + MAX_AHEAD_MS) {
    return { ok: false, reason: `time: more than ${MAX_AHEAD_MS / 60_000} minutes ahead of the server's clock (is '${(json as { time: string }).time}')` };
  }
  return { ok: true, value: { kind, record: result.data } as Decoded };
}
