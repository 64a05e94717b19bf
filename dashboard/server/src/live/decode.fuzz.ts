/**
 * Fuzz property of the dashboard's reading of the edges' live payloads (decodePayload), written
 * once: decode.fuzz.test.ts runs it seeded and small in the test suite, `pnpm fuzz` with 10^6
 * payloads (@gatewatch/shared/fuzzing).
 *
 * Each run is one payload on one live topic, of a kind whose outcome the generator knows as far
 * as it can:
 * - a record as the edge publishes it (JSON.stringify of a QueueRecord, ClearanceRecord,
 *   DeviceRecord or UnitsInsideRecord, times in UTC or +07:00), unknown fields added: decodes to
 *   the record with times in canonical UTC and nothing else;
 * - one field removed (if required) or of a type it never takes: refused, the reason naming it;
 * - one field given any JSON value: decodes with the other fields unchanged, or is refused naming
 *   that field;
 * - a cut-off payload: not JSON; any JSON value that is not an object: refused as a whole;
 * - mutated bytes, any JSON object: never a throw; what decodes reads back the same;
 * - the status topic's words, bare or quoted: decoded; anything else on it: never a throw.
 */
import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { CHANNELS, msToNs, UNIT_KINDS, type ClearanceRecord, type DeviceRecord, type QueueRecord, type UnitInside, type UnitsInsideRecord } from '@gatewatch/shared';
import {
  json,
  jsonEdit,
  mutate,
  notArray,
  notBoolean,
  notNumber,
  notString,
  timestamp,
  withField,
  type ByteEdit,
  type Entries,
  type FuzzCounts,
  type FuzzTarget,
} from '@gatewatch/shared/fuzzing';
import { decodePayload, MAX_AHEAD_MS, type DecodeResult } from './decode.js';

export const CHECKPOINT = 'kim-thanh-road';
/** The server's clock for every payload: records up to MAX_AHEAD_MS after it are taken. */
export const NOW_MS = Date.parse('2026-11-25T01:00:00.000Z');

type RecordKind = 'queue' | 'clearance' | 'device' | 'units';

/** A time the edge may write, as written, and as the dashboard keeps it (canonical UTC). */
const time = timestamp(NOW_MS + MAX_AHEAD_MS).map(({ ts, ms }) => ({ ts, iso: new Date(ms).toISOString(), ms }));
/** A string of 1 to `max` UTF-16 units, blanks allowed. */
const name = (max: number): fc.Arbitrary<string> =>
  fc.oneof(fc.string({ minLength: 1, maxLength: max }), fc.string({ unit: 'binary', minLength: 1, maxLength: Math.floor(max / 2) }));
/** JSON has no -0: the record as generated must be the record as read. */
const noNegZero = (x: number): number => (x === 0 ? 0 : x);
const finite = fc.double({ noNaN: true, noDefaultInfinity: true }).map(noNegZero);
const nonNegative = fc.double({ min: 0, noNaN: true, noDefaultInfinity: true }).map(noNegZero);
const count = fc.nat();
const channel = fc.constantFrom<ClearanceRecord['channel']>(...CHANNELS, 'unknown');
const kind = fc.constantFrom(...UNIT_KINDS);

interface Generated<R> {
  /** What the edge publishes. */
  sent: R;
  /** What the dashboard must keep of it. */
  kept: R;
}

/** `time` and `timeNs` of a record, as sent and as kept. */
const stamp = fc.tuple(time, fc.integer({ min: 0, max: 999_999 })).map(([t, nudge]) => ({ t, timeNs: msToNs(t.ms, nudge) }));

const queue: fc.Arbitrary<Generated<QueueRecord>> = fc
  .record({ lane: name(64), length: count, arrivals: count, departures: count, wait_estimate_s: nonNegative, stamp })
  .map(({ stamp: { t, timeNs }, ...r }) => ({ sent: { checkpoint: CHECKPOINT, ...r, time: t.ts, timeNs }, kept: { checkpoint: CHECKPOINT, ...r, time: t.iso, timeNs } }));

const optional = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(a, { nil: undefined });
/** Drops the optional fields left undefined: the edge leaves them out (exactOptionalPropertyTypes). */
const defined = <R>(o: Record<string, unknown>): R => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as R;

const clearance: fc.Arbitrary<Generated<ClearanceRecord>> = fc
  .record({
    lane: name(64),
    kind,
    channel,
    outcome: fc.constantFrom('released' as const, 'timeout' as const),
    unit: fc.string({ maxLength: 64 }),
    wait_s: optional(finite),
    process_s: optional(finite),
    total_s: optional(finite),
    weight_kg: optional(finite),
    stamp,
  })
  .map(({ stamp: { t, timeNs }, ...r }) => ({
    sent: defined<ClearanceRecord>({ checkpoint: CHECKPOINT, ...r, time: t.ts, timeNs }),
    kept: defined<ClearanceRecord>({ checkpoint: CHECKPOINT, ...r, time: t.iso, timeNs }),
  }));

const device: fc.Arbitrary<Generated<DeviceRecord>> = fc
  .record({ device: name(64), online: fc.boolean(), frames: count, bad_frames: count, lost_frames: count, last_seen_s: finite, stamp })
  .map(({ stamp: { t, timeNs }, ...r }) => ({ sent: { checkpoint: CHECKPOINT, ...r, time: t.ts, timeNs }, kept: { checkpoint: CHECKPOINT, ...r, time: t.iso, timeNs } }));

const unitInside = fc
  .record({ unit: fc.string({ maxLength: 64 }), lane: fc.string({ maxLength: 64 }), kind, channel, queueAt: optional(time), gateAt: optional(time), exitAt: optional(time) })
  .map(({ queueAt, gateAt, exitAt, ...u }) => ({
    sent: defined<UnitInside>({ ...u, queueAt: queueAt?.ts, gateAt: gateAt?.ts, exitAt: exitAt?.ts }),
    kept: defined<UnitInside>({ ...u, queueAt: queueAt?.iso, gateAt: gateAt?.iso, exitAt: exitAt?.iso }),
  }));

const units: fc.Arbitrary<Generated<UnitsInsideRecord>> = fc
  .record({ t: time, list: fc.array(unitInside, { maxLength: 5 }), more: count })
  .map(({ t, list, more }) => ({
    sent: { checkpoint: CHECKPOINT, time: t.ts, units: list.map((u) => u.sent), more },
    kept: { checkpoint: CHECKPOINT, time: t.iso, units: list.map((u) => u.kept), more },
  }));

interface Shape {
  record: fc.Arbitrary<Generated<object>>;
  required: readonly string[];
  optional: readonly string[];
  /** Per field, JSON values of a type it never takes. */
  wrongType: Readonly<Record<string, fc.Arbitrary<unknown>>>;
}

const STAMP_WRONG = { checkpoint: notString, time: notString, timeNs: notString };
const SHAPES: Record<RecordKind, Shape> = {
  queue: {
    record: queue,
    required: ['checkpoint', 'lane', 'length', 'arrivals', 'departures', 'wait_estimate_s', 'time', 'timeNs'],
    optional: [],
    wrongType: { ...STAMP_WRONG, lane: notString, length: notNumber, arrivals: notNumber, departures: notNumber, wait_estimate_s: notNumber },
  },
  clearance: {
    record: clearance,
    required: ['checkpoint', 'lane', 'kind', 'channel', 'outcome', 'unit', 'time', 'timeNs'],
    optional: ['wait_s', 'process_s', 'total_s', 'weight_kg'],
    wrongType: {
      ...STAMP_WRONG,
      lane: notString,
      kind: notString,
      channel: notString,
      outcome: notString,
      unit: notString,
      wait_s: notNumber,
      process_s: notNumber,
      total_s: notNumber,
      weight_kg: notNumber,
    },
  },
  device: {
    record: device,
    required: ['checkpoint', 'device', 'online', 'frames', 'bad_frames', 'lost_frames', 'last_seen_s', 'time', 'timeNs'],
    optional: [],
    wrongType: { ...STAMP_WRONG, device: notString, online: notBoolean, frames: notNumber, bad_frames: notNumber, lost_frames: notNumber, last_seen_s: notNumber },
  },
  units: {
    record: units,
    required: ['checkpoint', 'time', 'units', 'more'],
    optional: [],
    wrongType: { checkpoint: notString, time: notString, units: notArray, more: notNumber },
  },
};
const RECORD_KINDS = Object.keys(SHAPES) as RecordKind[];

type Payload =
  | { case: 'valid'; kind: RecordKind; record: Generated<object>; extra: Entries }
  | { case: 'wrongType'; kind: RecordKind; record: Generated<object>; field: string; value: unknown }
  | { case: 'anyValue'; kind: RecordKind; record: Generated<object>; field: string; value: unknown }
  | { case: 'truncated'; kind: RecordKind; record: Generated<object>; at: number }
  | { case: 'mutated'; kind: RecordKind; record: Generated<object>; edits: ByteEdit[] }
  | { case: 'json'; kind: RecordKind; value: unknown }
  | { case: 'status'; word: 'online' | 'offline'; quoted: boolean; blanks: [string, string] }
  | { case: 'statusAny'; text: string };

function payloads(): fc.Arbitrary<Payload> {
  const perKind = (k: RecordKind): fc.Arbitrary<Payload> => {
    const { record, required, optional: opt, wrongType } = SHAPES[k];
    const fields = [...required, ...opt];
    const unknownKey = fc.string().filter((s) => !fields.includes(s));
    const wrong = fc.oneof(
      fc.constantFrom(...required).map((field) => ({ field, value: undefined as unknown })),
      fc.constantFrom(...fields).chain((field) => wrongType[field]!.map((value) => ({ field, value }))),
    );
    return fc.oneof(
      { weight: 3, arbitrary: fc.record({ case: fc.constant('valid' as const), kind: fc.constant(k), record, extra: fc.array(fc.tuple(unknownKey, json), { maxLength: 2 }) }) },
      { weight: 2, arbitrary: fc.tuple(record, wrong).map(([r, w]): Payload => ({ case: 'wrongType', kind: k, record: r, ...w })) },
      {
        weight: 2,
        arbitrary: fc
          .tuple(record, fc.constantFrom(...fields), optional(json))
          .map(([r, field, value]): Payload => ({ case: 'anyValue', kind: k, record: r, field, value })),
      },
      { weight: 1, arbitrary: fc.record({ case: fc.constant('truncated' as const), kind: fc.constant(k), record, at: fc.nat() }) },
      { weight: 3, arbitrary: fc.record({ case: fc.constant('mutated' as const), kind: fc.constant(k), record, edits: fc.array(jsonEdit, { minLength: 1, maxLength: 6 }) }) },
      { weight: 1, arbitrary: fc.record({ case: fc.constant('json' as const), kind: fc.constant(k), value: json }) },
    );
  };
  const blanks = fc.stringMatching(/^[ \t\r\n]{0,2}$/);
  return fc.oneof(
    ...RECORD_KINDS.map((k) => ({ weight: 3, arbitrary: perKind(k) })),
    {
      weight: 1,
      arbitrary: fc.record({ case: fc.constant('status' as const), word: fc.constantFrom('online' as const, 'offline' as const), quoted: fc.boolean(), blanks: fc.tuple(blanks, blanks) }),
    },
    { weight: 1, arbitrary: fc.record({ case: fc.constant('statusAny' as const), text: fc.oneof(fc.string(), fc.constantFrom('online', 'offline', '"online"')) }) },
  );
}

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

function fail(msg: string): never {
  throw new Error(msg);
}

/** A refusal's reason starts with the path of what is wrong (`units.0.lane: …`), `(payload)`, or is 'not JSON'. */
function names(reason: string, field: string): boolean {
  return reason.startsWith(field) && [':', '.', ' '].includes(reason[field.length] ?? '');
}

function refusalNamesSomething(k: RecordKind, reason: string): boolean {
  const { required, optional: opt } = SHAPES[k];
  return reason === 'not JSON' || reason.startsWith('(payload): ') || [...required, ...opt].some((f) => names(reason, f));
}

/** What decoded reads back the same when the edge publishes it again. */
function checkDecoded(decoder: Decoder, k: RecordKind, r: DecodeResult): void {
  if (!r.ok) return;
  if (r.value.kind !== k) fail(`a ${k} payload decoded as ${r.value.kind}`);
  const text = JSON.stringify(r.value.record);
  const again = decoder(k, CHECKPOINT, Buffer.from(text), NOW_MS);
  // Compared as JSON says it: a payload's -0 (say 1e-400 mutated from 1e-40) is 0 once published again.
  if (!again.ok || !isDeepStrictEqual(again.value, { kind: k, record: JSON.parse(text) })) fail(`decoded ${show(r.value)}, which published again decodes to ${show(again)}`);
}

type Decoder = typeof decodePayload;

/** `decoder`: decodePayload; the target's own tests pass broken ones. */
export const decodeTarget = (decoder: Decoder = decodePayload): FuzzTarget<[Payload]> => ({
  name: 'dashboard live payloads',
  input: 'MQTT payloads on live and status topics, each decoded once',
  property: (counts: FuzzCounts) =>
    fc.property(payloads(), (p) => {
      const r = check(decoder, p);
      counts.inputs++;
      if (r.ok) counts.frames++;
      else counts.badFrames++;
    }),
});

function check(decoder: Decoder, p: Payload): DecodeResult {
  const decode = (k: RecordKind | 'status', text: string | Uint8Array): DecodeResult => {
    const r = decoder(k, CHECKPOINT, Buffer.from(text), NOW_MS);
    if (!r.ok && (typeof r.reason !== 'string' || r.reason === '')) fail(`refused without a reason: ${show(r)}`);
    if (k !== 'status') {
      if (!r.ok && !refusalNamesSomething(k, r.reason)) fail(`refusal '${r.reason}' names neither the payload nor a field`);
      checkDecoded(decoder, k, r);
    }
    return r;
  };
  switch (p.case) {
    case 'valid': {
      const r = decode(p.kind, JSON.stringify(Object.fromEntries([...p.extra, ...Object.entries(p.record.sent)])));
      if (!r.ok || !isDeepStrictEqual(r.value, { kind: p.kind, record: p.record.kept })) fail(`${show(r)}, expected ${show(p.record.kept)}`);
      return r;
    }
    case 'wrongType': {
      const r = decode(p.kind, JSON.stringify(withField(p.record.sent, p.field, p.value)));
      if (r.ok || !names(r.reason, p.field)) fail(`${show(r)}, expected a refusal naming ${p.field}`);
      return r;
    }
    case 'anyValue': {
      const r = decode(p.kind, JSON.stringify(withField(p.record.sent, p.field, p.value)));
      if (r.ok) {
        const { [p.field]: _got, ...rest } = r.value.kind === 'status' ? {} : (r.value.record as unknown as Record<string, unknown>);
        const { [p.field]: _kept, ...expected } = p.record.kept as Record<string, unknown>;
        if (!isDeepStrictEqual(rest, expected)) fail(`${show(r)}: fields other than ${p.field} changed, expected ${show(p.record.kept)}`);
      } else if (!names(r.reason, p.field)) fail(`refusal '${r.reason}' does not name ${p.field}`);
      return r;
    }
    case 'truncated': {
      const text = JSON.stringify(p.record.sent);
      const r = decode(p.kind, text.slice(0, p.at % text.length));
      if (r.ok || r.reason !== 'not JSON') fail(`${show(r)}, expected 'not JSON'`);
      return r;
    }
    case 'mutated':
      return decode(p.kind, mutate(Buffer.from(JSON.stringify(p.record.sent)), p.edits));
    case 'json': {
      const r = decode(p.kind, JSON.stringify(p.value));
      const isObject = p.value !== null && typeof p.value === 'object' && !Array.isArray(p.value);
      if (!isObject && (r.ok || !r.reason.startsWith('(payload): '))) fail(`${show(r)}, expected a refusal of the payload`);
      return r;
    }
    case 'status': {
      const word = p.quoted ? `"${p.word}"` : p.word;
      const r = decode('status', `${p.blanks[0]}${word}${p.blanks[1]}`);
      if (!r.ok || !isDeepStrictEqual(r.value, { kind: 'status', status: p.word })) fail(`${show(r)}, expected ${p.word}`);
      return r;
    }
    case 'statusAny': {
      const r = decode('status', p.text);
      if (r.ok && (r.value.kind !== 'status' || !p.text.includes(r.value.status))) fail(`${show(p.text)} decoded as ${show(r.value)}`);
      return r;
    }
  }
}
