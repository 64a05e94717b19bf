import { describe, expect, it } from 'vitest';
import { decodeCameraEvent, decodeDecisionEvent, parseTimestamp } from './events.js';
import { parseTopic, topics } from './topics.js';

const camera = {
  id: 'cam-g1-000123',
  ts: '2026-11-25T08:30:00.120+07:00',
  lane: 'IN-1',
  point: 'gate',
  unit: '云A12345',
  kind: 'truck',
  confidence: 0.97,
};
const where = 'gw/v1/kim-thanh-road/cam/cam-g1';

describe('timestamps', () => {
  it('reads ISO 8601 with any offset to the millisecond', () => {
    expect(parseTimestamp('2026-11-25T08:30:00.120+07:00')).toBe(Date.UTC(2026, 10, 25, 1, 30, 0, 120));
    expect(parseTimestamp('2026-11-25T01:30:00.12Z')).toBe(Date.UTC(2026, 10, 25, 1, 30, 0, 120));
    expect(parseTimestamp('2026-11-25T01:30:00.123456789Z')).toBe(Date.UTC(2026, 10, 25, 1, 30, 0, 123));
    expect(parseTimestamp('2026-11-24T20:00:00-05:30')).toBe(Date.UTC(2026, 10, 25, 1, 30));
  });

  it('reads the years 0000-0099 as written, not as 1900-1999 (found by the fuzz)', () => {
    // Was 946659599999 (1999-12-31); and 0000-02-29 was refused, 1900 not being a leap year.
    expect(parseTimestamp('0099-12-31T23:59:59.999+07:00')).toBe(Date.parse('0099-12-31T16:59:59.999Z'));
    expect(parseTimestamp('0000-02-29T12:00:00Z')).toBe(Date.parse('0000-02-29T12:00:00Z'));
    expect(parseTimestamp('0001-02-29T12:00:00Z')).toBeUndefined();
    expect(decodeCameraEvent(JSON.stringify({ ...camera, ts: '0099-12-31T23:59:59.999+07:00' }), where)).toMatchObject({ ok: true });
  });

  it('refuses a time without an offset, without seconds, or that does not exist', () => {
    for (const ts of ['2026-11-25T08:30:00.120', '2026-11-25T08:30+07:00', '2026-02-30T08:30:00Z', '2026-11-25T24:00:00Z', '2026-11-25 08:30:00Z', '1795570625370']) {
      expect(parseTimestamp(ts), ts).toBeUndefined();
    }
  });
});

describe('camera messages', () => {
  it('decodes a valid message, unit verbatim', () => {
    expect(decodeCameraEvent(JSON.stringify(camera), where)).toEqual({ ok: true, value: camera });
    expect(decodeCameraEvent(Buffer.from(JSON.stringify({ ...camera, confidence: undefined })), where)).toMatchObject({ ok: true });
  });

  it.each([
    ['not JSON', '{"id":', 'PAYLOAD_NOT_JSON', `${where}: payload is not JSON`],
    ['an array', '[1,2]', 'PAYLOAD_NOT_OBJECT', `${where}: payload must be a JSON object`],
    ['null', 'null', 'PAYLOAD_NOT_OBJECT', `${where}: payload must be a JSON object`],
    ['a missing id', JSON.stringify({ ...camera, id: undefined }), 'PAYLOAD_FIELD', `${where}.id: must be a non-empty string (is undefined)`],
    ['a numeric id', JSON.stringify({ ...camera, id: 5 }), 'PAYLOAD_FIELD', `${where}.id: must be a non-empty string (is 5)`],
    ['a ts without offset', JSON.stringify({ ...camera, ts: '2026-11-25T08:30:00' }), 'PAYLOAD_FIELD', `${where}.ts: must be an ISO 8601 time`],
    ['a lane with a space', JSON.stringify({ ...camera, lane: 'IN 1' }), 'PAYLOAD_FIELD', `${where}.lane: must match [A-Za-z0-9-]{1,16} (is "IN 1")`],
    ['an unknown point', JSON.stringify({ ...camera, point: 'booth' }), 'PAYLOAD_FIELD', `${where}.point: must be one of queue|gate|exit (is "booth")`],
    ['an empty unit', JSON.stringify({ ...camera, unit: ' ' }), 'PAYLOAD_FIELD', `${where}.unit: must be a non-empty string`],
    ['an overlong unit', JSON.stringify({ ...camera, unit: 'X'.repeat(33) }), 'PAYLOAD_FIELD', `${where}.unit: must be at most 32 characters`],
    ['an unknown kind', JSON.stringify({ ...camera, kind: 'bus' }), 'PAYLOAD_FIELD', `${where}.kind: must be one of truck|container|wagon (is "bus")`],
    ['a confidence above 1', JSON.stringify({ ...camera, confidence: 1.5 }), 'PAYLOAD_FIELD', `${where}.confidence: must be a number from 0 to 1 (is 1.5)`],
  ])('refuses %s, naming the field', (_name, payload, code, message) => {
    const r = decodeCameraEvent(payload, where);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe(code);
    expect(r.error.message.startsWith(message)).toBe(true);
  });
});

describe('customs decisions', () => {
  const decision = { id: 'dec-1', ts: '2026-11-25T08:29:41.000+07:00', unit: 'MSKU1234565', declaration: '105123456789', channel: 'red' };

  it('decodes a valid decision, with or without a declaration', () => {
    expect(decodeDecisionEvent(JSON.stringify(decision))).toEqual({ ok: true, value: decision });
    const { declaration: _d, ...bare } = decision;
    expect(decodeDecisionEvent(JSON.stringify(bare))).toEqual({ ok: true, value: bare });
  });

  it('refuses an unknown channel and a malformed declaration', () => {
    const r1 = decodeDecisionEvent(JSON.stringify({ ...decision, channel: 'blue' }), 'gw/v1/x/decision');
    expect(!r1.ok && r1.error.message).toBe('gw/v1/x/decision.channel: must be one of green|yellow|red (is "blue")');
    const r2 = decodeDecisionEvent(JSON.stringify({ ...decision, declaration: '10512345' }), 'gw/v1/x/decision');
    expect(!r2.ok && r2.error.message).toBe('gw/v1/x/decision.declaration: must be a 12-digit declaration number (is "10512345")');
  });
});

describe('topics', () => {
  it('reads back every topic it builds', () => {
    expect(parseTopic(topics.camera('dinh-vu-port', 'ocr-2'))).toEqual({ kind: 'camera', checkpoint: 'dinh-vu-port', cameraId: 'ocr-2' });
    expect(parseTopic(topics.decision('lao-cai-rail'))).toEqual({ kind: 'decision', checkpoint: 'lao-cai-rail' });
    expect(parseTopic(topics.liveQueue('kim-thanh-road'))).toEqual({ kind: 'liveQueue', checkpoint: 'kim-thanh-road' });
    expect(parseTopic(topics.status('kim-thanh-road'))).toEqual({ kind: 'status', checkpoint: 'kim-thanh-road' });
  });

  it('ignores topics that are not GateWatch device or live topics', () => {
    for (const t of ['gw/v2/x/decision', 'gw/v1/x/cam', 'gw/v1/x/cam/a/b', 'gw/v1/x/live/other', 'gw/v1/x/live/constructor', 'gw/v1/x/live/__proto__', 'other/v1/x/decision', 'gw/v1']) {
      expect(parseTopic(t), t).toBeUndefined();
    }
  });
});
