/**
 * Fuzz properties of the MQTT device input decoders (decodeCameraEvent, decodeDecisionEvent),
 * written once: events.fuzz.test.ts runs them seeded and small in the test suite, `pnpm fuzz`
 * with 10^6 messages per decoder (fuzzing.ts).
 *
 * Each run is one message, of a kind whose outcome the generator knows as far as it can:
 * - a valid event from the encoders (cameraPayload, decisionPayload) with arbitrary fields:
 *   decodes to the same event, at the same time;
 * - one field removed or given a value of a type it never takes: refused, naming that field;
 * - one field given any JSON value, among unknown extra fields: decodes to the payload's fields,
 *   or is refused naming that field and no other;
 * - a cut-off payload: not JSON; any JSON value that is not an object: not an object;
 * - the payload's bytes mutated, or any JSON object of the contract's field names: never a
 *   throw; a refusal names the payload or one of its fields, and an event decoded is within
 *   the contract and reads back the same once encoded again.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { cameraPayload, decisionPayload } from './encode.js';
import { InputError, type Result } from './errors.js';
import { decodeCameraEvent, decodeDecisionEvent, parseTimestamp, type CameraEvent, type DecisionEvent } from './events.js';
import { json, jsonEdit, mutate, notNumber, notString, text, timestamp, withField, type ByteEdit, type Entries, type FuzzCounts, type FuzzTarget } from './fuzzing.js';
import { isLaneId, UNIT_KINDS } from './ids.js';
import { CHANNELS, POINTS } from './records.js';
import { topics } from './topics.js';

export const WHERE = {
  camera: topics.camera('kim-thanh-road', 'cam-g1'),
  decision: topics.decision('kim-thanh-road'),
};

// ------------------------------------------------------------------------------------------------
// Field values

export const laneId = fc.stringMatching(/^[A-Za-z0-9-]{1,16}$/);
/** A number from 0 to 1; -0 is 0 on the wire. */
const unit01 = fc.double({ min: 0, max: 1, noNaN: true }).map((x) => (x === 0 ? 0 : x));

// ------------------------------------------------------------------------------------------------
// The two decoders

export interface EventKind<E extends object> {
  name: string;
  where: string;
  decode(payload: Buffer | string, where: string): Result<E>;
  encode(event: E): string;
  event: fc.Arbitrary<{ event: E; ms: number }>;
  /** The contract's fields, and those of them that are required. */
  fields: readonly string[];
  required: readonly string[];
  /** Per field, values of a type it never takes. */
  wrongType: Readonly<Record<string, fc.Arbitrary<unknown>>>;
  /** Per field, values of its type (valid or not), so that random objects are sometimes events. */
  plausible: Readonly<Record<string, fc.Arbitrary<unknown>>>;
  /** Why a decoded event breaks the contract, checked apart from the decoder; undefined when it does not. */
  invalid(event: E): string | undefined;
}

function commonInvalid(e: { id: string; ts: string; unit: string }): string | undefined {
  if (e.id.trim() === '' || e.id.length > 128) return 'id';
  if (parseTimestamp(e.ts) === undefined) return 'ts';
  if (e.unit.trim() === '' || e.unit.length > 32) return 'unit';
  return undefined;
}

export const camera: EventKind<CameraEvent> = {
  name: 'camera',
  where: WHERE.camera,
  decode: decodeCameraEvent,
  encode: cameraPayload,
  event: fc
    .record({
      id: text(128),
      ts: timestamp(),
      lane: laneId,
      point: fc.constantFrom(...POINTS),
      unit: text(32),
      kind: fc.constantFrom(...UNIT_KINDS),
      confidence: fc.option(unit01, { nil: undefined }),
    })
    .map(({ ts, confidence, ...rest }) => {
      const event: CameraEvent = { ...rest, ts: ts.ts };
      if (confidence !== undefined) event.confidence = confidence;
      return { event, ms: ts.ms };
    }),
  fields: ['id', 'ts', 'lane', 'point', 'unit', 'kind', 'confidence'],
  required: ['id', 'ts', 'lane', 'point', 'unit', 'kind'],
  wrongType: { id: notString, ts: notString, lane: notString, point: notString, unit: notString, kind: notString, confidence: notNumber },
  plausible: {
    id: text(130),
    ts: fc.oneof(timestamp().map((t) => t.ts), fc.string()),
    lane: fc.oneof(laneId, fc.string()),
    point: fc.oneof(fc.constantFrom(...POINTS), fc.string()),
    unit: text(34),
    kind: fc.oneof(fc.constantFrom(...UNIT_KINDS), fc.string()),
    confidence: fc.double(),
  },
  invalid: (e) =>
    commonInvalid(e) ??
    (!isLaneId(e.lane) ? 'lane' : undefined) ??
    (!POINTS.includes(e.point) ? 'point' : undefined) ??
    (!UNIT_KINDS.includes(e.kind) ? 'kind' : undefined) ??
    (e.confidence !== undefined && !(e.confidence >= 0 && e.confidence <= 1) ? 'confidence' : undefined),
};

export const decision: EventKind<DecisionEvent> = {
  name: 'decision',
  where: WHERE.decision,
  decode: decodeDecisionEvent,
  encode: decisionPayload,
  event: fc
    .record({
      id: text(128),
      ts: timestamp(),
      unit: text(32),
      declaration: fc.option(fc.stringMatching(/^\d{12}$/), { nil: undefined }),
      channel: fc.constantFrom(...CHANNELS),
    })
    .map(({ ts, declaration, ...rest }) => {
      const event: DecisionEvent = { ...rest, ts: ts.ts };
      if (declaration !== undefined) event.declaration = declaration;
      return { event, ms: ts.ms };
    }),
  fields: ['id', 'ts', 'unit', 'declaration', 'channel'],
  required: ['id', 'ts', 'unit', 'channel'],
  wrongType: { id: notString, ts: notString, unit: notString, declaration: notString, channel: notString },
  plausible: {
    id: text(130),
    ts: fc.oneof(timestamp().map((t) => t.ts), fc.string()),
    unit: text(34),
    declaration: fc.oneof(fc.stringMatching(/^\d{11,13}$/), fc.string()),
    channel: fc.oneof(fc.constantFrom(...CHANNELS), fc.string()),
  },
  invalid: (e) =>
    commonInvalid(e) ??
    (!CHANNELS.includes(e.channel) ? 'channel' : undefined) ??
    (e.declaration !== undefined && !/^\d{12}$/.test(e.declaration) ? 'declaration' : undefined),
};

// ------------------------------------------------------------------------------------------------
// Messages

type Message<E> =
  | { case: 'valid'; event: E; ms: number; asBuffer: boolean }
  | { case: 'wrongType'; event: E; field: string; value: unknown }
  | { case: 'anyValue'; event: E; field: string; value: unknown; extra: Entries }
  | { case: 'truncated'; event: E; at: number }
  | { case: 'mutated'; event: E; edits: ByteEdit[] }
  | { case: 'json'; value: unknown }
  | { case: 'object'; entries: Entries };

function messages<E extends object>(k: EventKind<E>): fc.Arbitrary<Message<E>> {
  const event = k.event.map((e) => e.event);
  const unknownKey = fc.string().filter((s) => !k.fields.includes(s));
  const field = fc.constantFrom(...k.fields);
  // Removing a required field, or giving any field a value of the wrong type.
  const wrong = fc.oneof(
    fc.constantFrom(...k.required).map((f) => ({ field: f, value: undefined as unknown })),
    field.chain((f) => k.wrongType[f]!.map((value) => ({ field: f, value }))),
  );
  return fc.oneof(
    { weight: 3, arbitrary: fc.tuple(k.event, fc.boolean()).map(([e, asBuffer]): Message<E> => ({ case: 'valid', ...e, asBuffer })) },
    { weight: 2, arbitrary: fc.tuple(event, wrong).map(([e, w]): Message<E> => ({ case: 'wrongType', event: e, ...w })) },
    {
      weight: 2,
      arbitrary: fc
        .tuple(event, field, fc.option(json, { nil: undefined }), fc.array(fc.tuple(unknownKey, json), { maxLength: 3 }))
        .map(([e, f, value, extra]): Message<E> => ({ case: 'anyValue', event: e, field: f, value, extra })),
    },
    { weight: 1, arbitrary: fc.record({ case: fc.constant('truncated' as const), event, at: fc.nat() }) },
    { weight: 3, arbitrary: fc.record({ case: fc.constant('mutated' as const), event, edits: fc.array(jsonEdit, { minLength: 1, maxLength: 6 }) }) },
    { weight: 1, arbitrary: fc.record({ case: fc.constant('json' as const), value: json }) },
    {
      weight: 2,
      arbitrary: fc.record({
        case: fc.constant('object' as const),
        entries: fc.array(
          fc.oneof(
            field.chain((f) => fc.tuple(fc.constant(f), fc.oneof(k.plausible[f]!, json))),
            fc.tuple(fc.string(), json),
          ),
          { maxLength: 9 },
        ),
      }),
    },
  );
}

/** What a message is sent as, and what must come of it. */
type Expectation<E> =
  | { ok: E; ms?: number }
  | { error: 'PAYLOAD_NOT_JSON' | 'PAYLOAD_NOT_OBJECT' }
  | { error: 'PAYLOAD_FIELD'; field: string }
  /** Decodes to these fields of the payload, or is refused naming this field. */
  | { okOrField: string; fields: Record<string, unknown> }
  | { any: true };

function lay<E extends object>(k: EventKind<E>, m: Message<E>): { payload: string | Buffer; expect: Expectation<E> } {
  switch (m.case) {
    case 'valid': {
      const text = k.encode(m.event);
      return { payload: m.asBuffer ? Buffer.from(text, 'utf8') : text, expect: { ok: m.event, ms: m.ms } };
    }
    case 'wrongType':
      return { payload: JSON.stringify(withField(m.event, m.field, m.value)), expect: { error: 'PAYLOAD_FIELD', field: m.field } };
    case 'anyValue': {
      const payload = JSON.stringify(withField(m.event, m.field, m.value, m.extra));
      // What JSON makes of the value (-0 is 0), and of the event's fields only.
      const parsed = JSON.parse(payload) as Record<string, unknown>;
      const fields = Object.fromEntries(k.fields.filter((f) => Object.hasOwn(parsed, f)).map((f) => [f, parsed[f]]));
      return { payload, expect: { okOrField: m.field, fields } };
    }
    case 'truncated': {
      // No proper prefix of a JSON object is JSON: its closing brace is its last byte.
      const text = k.encode(m.event);
      return { payload: text.slice(0, m.at % text.length), expect: { error: 'PAYLOAD_NOT_JSON' } };
    }
    case 'mutated':
      return { payload: Buffer.from(mutate(Buffer.from(k.encode(m.event), 'utf8'), m.edits)), expect: { any: true } };
    case 'json': {
      const isObject = m.value !== null && typeof m.value === 'object' && !Array.isArray(m.value);
      return { payload: JSON.stringify(m.value), expect: isObject ? { any: true } : { error: 'PAYLOAD_NOT_OBJECT' } };
    }
    case 'object':
      return { payload: JSON.stringify(Object.fromEntries(m.entries)), expect: { any: true } };
  }
}

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

function fail(msg: string): never {
  throw new Error(msg);
}

/** A refusal is an InputError naming the payload, or one field of the contract. */
function checkRefusal<E extends object>(k: EventKind<E>, e: unknown): InputError {
  if (!(e instanceof InputError)) fail(`refused with something that is not an InputError: ${show(e)}`);
  const fieldWhere = k.fields.map((f) => `${k.where}.${f}`);
  const named = e.code === 'PAYLOAD_FIELD' ? fieldWhere.includes(e.where ?? '') : (e.code === 'PAYLOAD_NOT_JSON' || e.code === 'PAYLOAD_NOT_OBJECT') && e.where === k.where;
  if (!named) fail(`refusal ${e.code} at ${show(e.where)} names neither the payload nor a field`);
  if (!e.message.startsWith(`${e.where}: `)) fail(`refusal message does not start with where it is: ${show(e.message)}`);
  return e;
}

/** A decoded event is within the contract, and reads back the same once encoded again. */
function checkDecoded<E extends object>(k: EventKind<E>, event: E): void {
  const why = k.invalid(event);
  if (why !== undefined) fail(`decoded an event whose ${why} breaks the contract: ${show(event)}`);
  const text = k.encode(event);
  const again = k.decode(text, k.where);
  // Compared as JSON says it: a payload's -0 (say 1e-400 mutated from 1e-40) is 0 once encoded again.
  if (!again.ok || !isDeepStrictEqual(again.value, JSON.parse(text))) fail(`decoded ${show(event)}, which encoded again decodes to ${show(again)}`);
}

export function eventTarget<E extends object>(k: EventKind<E>): FuzzTarget<[Message<E>]> {
  return {
    name: `MQTT ${k.name} messages`,
    input: 'MQTT payloads, each decoded once',
    property: (counts: FuzzCounts) =>
      fc.property(messages(k), (m) => {
        const { payload, expect } = lay(k, m);
        const r = k.decode(payload, k.where);
        const got = r.ok ? `event ${show(r.value)}` : `${r.error.code} at ${show(r.error.where)}`;
        if (!r.ok) checkRefusal(k, r.error);
        else checkDecoded(k, r.value);
        if ('ok' in expect) {
          if (!r.ok || !isDeepStrictEqual(r.value, expect.ok)) fail(`${got}, expected ${show(expect.ok)}`);
          const ms = parseTimestamp((r.value as { ts: string }).ts);
          if (expect.ms !== undefined && ms !== expect.ms) fail(`ts ${show((r.value as { ts: string }).ts)} read as ${ms}, it is ${expect.ms}`);
        } else if ('error' in expect) {
          const where = 'field' in expect ? `${k.where}.${expect.field}` : k.where;
          if (r.ok || r.error.code !== expect.error || r.error.where !== where) fail(`${got}, expected ${expect.error} at ${where}`);
        } else if ('okOrField' in expect) {
          const good = r.ok ? isDeepStrictEqual(r.value, expect.fields) : r.error.code === 'PAYLOAD_FIELD' && r.error.where === `${k.where}.${expect.okOrField}`;
          if (!good) fail(`${got}, expected ${show(expect.fields)} or a refusal of ${expect.okOrField}`);
        }
        counts.inputs++;
        if (r.ok) counts.frames++;
        else counts.badFrames++;
      }),
  };
}
