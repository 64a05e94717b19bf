/**
 * OutboxPoint → InfluxDB line protocol values, with the field types of the contract.
 *
 * Why not the `influx` package's own coercion: its string escaper (escape.quoted) first turns
 * the first `\'` of a value into `\\'` and then doubles every backslash, so a unit containing
 * `\'` would arrive altered; and without a schema it writes every number as a float, while
 * length, arrivals, … must be InfluxDB integers (a float/integer mismatch is a field type
 * conflict that InfluxDB refuses for the rest of the shard). A schema (FieldType) would fix the
 * integers but still route strings through the broken escaper. So each field value is encoded
 * here and handed to writePoints as a `LineValue`: the package writes any non-string field
 * value as `String(value)` (schema.js, coerceBadly), i.e. exactly this text.
 */
import type { ClearanceRecord, DeviceRecord, QueueRecord } from '@gatewatch/shared';
import type { FieldValue, OutboxPoint } from './outbox.js';

export type InfluxFieldType = 'float' | 'integer' | 'string' | 'boolean';

type FieldsOf<R> = Partial<Record<Exclude<keyof R, 'checkpoint' | 'lane' | 'kind' | 'channel' | 'outcome' | 'device' | 'time' | 'timeNs'>, InfluxFieldType>>;

/**
 * The InfluxDB type of every field of the contract's measurements. Belongs in shared (the
 * dashboard reads the same fields); kept here until the lead moves it to shared/src/influxSchema.ts.
 */
export const FIELD_TYPES = {
  clearance: { unit: 'string', wait_s: 'float', process_s: 'float', total_s: 'float', weight_kg: 'float' },
  queue: { length: 'integer', arrivals: 'integer', departures: 'integer', wait_estimate_s: 'float' },
  device: { online: 'boolean', frames: 'integer', bad_frames: 'integer', lost_frames: 'integer', last_seen_s: 'float' },
} as const satisfies { clearance: FieldsOf<ClearanceRecord>; queue: FieldsOf<QueueRecord>; device: FieldsOf<DeviceRecord> };

const FIELD_TYPE_MAP: Readonly<Record<string, Readonly<Record<string, InfluxFieldType>>>> = FIELD_TYPES;

/** A field value already in line-protocol form; `String(v)` is what goes on the wire. */
export class LineValue {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** A string field: inside double quotes only `"` and `\` are escaped (InfluxDB 1.x line protocol). */
export function quoteString(s: string): string {
  return `"${s.replace(/[\\"]/g, '\\$&')}"`;
}

/** The declared type of a field, or the type its JavaScript value implies for unknown ones. */
export function fieldType(measurement: string, field: string, value: FieldValue): InfluxFieldType {
  const declared = FIELD_TYPE_MAP[measurement]?.[field];
  if (declared) return declared;
  return typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'boolean' : 'float';
}

export function encodeField(type: InfluxFieldType, value: unknown): string | undefined {
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) ? `${value}i` : undefined;
    case 'float':
      // Any finite number; `5` is a float in line protocol (only a trailing `i` makes an integer).
      return typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? String(value) : undefined;
    case 'string':
      return typeof value === 'string' ? quoteString(value) : undefined;
  }
}

export interface EncodedPoint {
  measurement: string;
  tags: Record<string, string>;
  fields: Record<string, LineValue>;
  timestamp: string;
}

const NS_RE = /^-?\d{1,19}$/;
/** Tag values InfluxDB 1.x cannot carry through the package's tag escaper (which escapes `,= `). */
const BAD_TAG_RE = /[\n\r\\]|^$/;

/**
 * The point as writePoints takes it, or the reason it can never be written. Such a point is
 * a bug upstream; sent as is, InfluxDB would refuse the whole batch again and again and stall
 * the outbox behind it.
 */
export function encodePoint(p: OutboxPoint): EncodedPoint | { error: string } {
  if (typeof p.timeNs !== 'string' || !NS_RE.test(p.timeNs)) return { error: `timeNs is not a nanosecond integer: ${String(p.timeNs)}` };
  const tags: Record<string, string> = {};
  for (const [k, v] of Object.entries(p.tags)) {
    if (typeof v !== 'string' || BAD_TAG_RE.test(k)) return { error: `bad tag ${k}` };
    // An empty tag value means "no tag" to InfluxDB, which refuses `k=` on the wire.
    if (v === '') continue;
    if (BAD_TAG_RE.test(v)) return { error: `tag ${k} has a value InfluxDB cannot store verbatim: ${JSON.stringify(v)}` };
    tags[k] = v;
  }
  const fields: Record<string, LineValue> = {};
  let count = 0;
  for (const [k, v] of Object.entries(p.fields)) {
    const text = encodeField(fieldType(p.measurement, k, v), v);
    if (text === undefined) return { error: `field ${k} = ${JSON.stringify(v)} is not a valid ${fieldType(p.measurement, k, v)}` };
    fields[k] = new LineValue(text);
    count++;
  }
  if (count === 0) return { error: 'no fields' };
  // The package writes the measurement unescaped; ours are plain names, but be safe.
  return { measurement: p.measurement.replace(/[, ]/g, '\\$&'), tags, fields, timestamp: p.timeNs };
}
