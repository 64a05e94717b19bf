/**
 * MQTT device inputs (docs/interfaces.md, "MQTT device inputs") and their decoders.
 * A decoder never throws: it returns the event or an InputError naming the field.
 */
import { fail, InputError, ok, type Result } from './errors.js';
import { isLaneId, UNIT_KINDS, type UnitKind } from './ids.js';
import { CHANNELS, POINTS, type Channel, type Point } from './records.js';

export interface CameraEvent {
  id: string;
  /** As sent: ISO 8601 with an offset. */
  ts: string;
  lane: string;
  point: Point;
  unit: string;
  kind: UnitKind;
  confidence?: number;
}

export interface DecisionEvent {
  id: string;
  ts: string;
  unit: string;
  declaration?: string;
  channel: Channel;
}

/** ISO 8601 date-time with seconds and a mandatory offset (Z or ±hh:mm). */
const ISO_WITH_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/** Milliseconds since the epoch of an ISO 8601 time with offset; undefined when not one. */
export function parseTimestamp(ts: string): number | undefined {
  const m = ISO_WITH_OFFSET.exec(ts);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = '', off] = m;
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  // Not Date.UTC(y, ...): it reads the years 0000-0099 as 1900-1999.
  const date = new Date(Date.UTC(2000, 0, 1, Number(h), Number(mi), Number(s), ms));
  date.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
  const base = date.getTime();
  // Reject impossible dates (2026-02-30) that Date silently rolls over.
  const check = new Date(base);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    return undefined;
  }
  if (off === 'Z') return base;
  const sign = off!.startsWith('-') ? -1 : 1;
  const [oh, om] = off!.slice(1).split(':').map(Number) as [number, number];
  if (oh > 14 || om > 59) return undefined;
  return base - sign * (oh * 60 + om) * 60_000;
}

const MAX_ID = 128;
const MAX_UNIT = 32;

type Obj = Record<string, unknown>;

function parseObject(payload: Buffer | string, where: string): Result<Obj> {
  let value: unknown;
  try {
    value = JSON.parse(typeof payload === 'string' ? payload : payload.toString('utf8'));
  } catch (e) {
    return fail(new InputError('PAYLOAD_NOT_JSON', `payload is not JSON (${(e as Error).message})`, where));
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return fail(new InputError('PAYLOAD_NOT_OBJECT', 'payload must be a JSON object', where));
  }
  return ok(value as Obj);
}

const show = (v: unknown): string => {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
};

function field(where: string, name: string, msg: string, v: unknown): InputError {
  return new InputError('PAYLOAD_FIELD', `${msg} (is ${show(v)})`, `${where}.${name}`);
}

function str(o: Obj, where: string, name: string, max: number): Result<string> {
  const v = o[name];
  if (typeof v !== 'string' || v.trim().length === 0) return fail(field(where, name, 'must be a non-empty string', v));
  if (v.length > max) return fail(field(where, name, `must be at most ${max} characters`, v));
  return ok(v);
}

function timestamp(o: Obj, where: string): Result<string> {
  const v = o.ts;
  if (typeof v !== 'string' || parseTimestamp(v) === undefined) {
    return fail(field(where, 'ts', 'must be an ISO 8601 time with seconds and an offset, like 2026-11-25T08:30:00.000+07:00', v));
  }
  return ok(v);
}

function oneOf<T extends string>(o: Obj, where: string, name: string, allowed: readonly T[]): Result<T> {
  const v = o[name];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    return fail(field(where, name, `must be one of ${allowed.join('|')}`, v));
  }
  return ok(v as T);
}

/** What every device message starts with: a JSON object with an `id` and a `ts`. */
function header(payload: Buffer | string, where: string): Result<{ v: Obj; id: string; ts: string }> {
  const o = parseObject(payload, where);
  if (!o.ok) return o;
  const v = o.value;
  const id = str(v, where, 'id', MAX_ID);
  if (!id.ok) return id;
  const ts = timestamp(v, where);
  if (!ts.ok) return ts;
  return ok({ v, id: id.value, ts: ts.value });
}

/** Decodes a camera message. `where` names the place in errors, for example the topic. */
export function decodeCameraEvent(payload: Buffer | string, where = 'camera'): Result<CameraEvent> {
  const h = header(payload, where);
  if (!h.ok) return h;
  const { v, id, ts } = h.value;
  const lane = v.lane;
  if (typeof lane !== 'string' || !isLaneId(lane)) return fail(field(where, 'lane', 'must match [A-Za-z0-9-]{1,16}', lane));
  const point = oneOf(v, where, 'point', POINTS);
  if (!point.ok) return point;
  const unit = str(v, where, 'unit', MAX_UNIT);
  if (!unit.ok) return unit;
  const kind = oneOf(v, where, 'kind', UNIT_KINDS);
  if (!kind.ok) return kind;
  const event: CameraEvent = { id, ts, lane, point: point.value, unit: unit.value, kind: kind.value };
  if (v.confidence !== undefined) {
    const c = v.confidence;
    if (typeof c !== 'number' || !Number.isFinite(c) || c < 0 || c > 1) return fail(field(where, 'confidence', 'must be a number from 0 to 1', c));
    event.confidence = c;
  }
  return ok(event);
}

/** Decodes a customs decision message. */
export function decodeDecisionEvent(payload: Buffer | string, where = 'decision'): Result<DecisionEvent> {
  const h = header(payload, where);
  if (!h.ok) return h;
  const { v, id, ts } = h.value;
  const unit = str(v, where, 'unit', MAX_UNIT);
  if (!unit.ok) return unit;
  const channel = oneOf(v, where, 'channel', CHANNELS);
  if (!channel.ok) return channel;
  const event: DecisionEvent = { id, ts, unit: unit.value, channel: channel.value };
  if (v.declaration !== undefined) {
    const d = v.declaration;
    if (typeof d !== 'string' || !/^\d{12}$/.test(d)) return fail(field(where, 'declaration', 'must be a 12-digit declaration number', d));
    event.declaration = d;
  }
  return ok(event);
}
