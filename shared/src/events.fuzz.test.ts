import { describe, expect, it } from 'vitest';
import { fail, InputError } from './errors.js';
import { decodeCameraEvent } from './events.js';
import { fuzzSettings, fuzzTimeoutMs, runFuzz, SUITE_SEED } from './fuzzing.js';
import { camera, decision, eventTarget, type EventKind } from './events.fuzz.js';

const settings = fuzzSettings();
const timeout = fuzzTimeoutMs(settings);
const RUNS = 2000;

function fuzzDecoder<E extends object>(kind: EventKind<E>): void {
  it(
    `${kind.name} messages: no throw, valid events decode the same, refusals name the field`,
    () => {
      const r = runFuzz(eventTarget(kind), RUNS, settings);
      expect(r.frames).toBeGreaterThan(0);
      expect(r.badFrames).toBeGreaterThan(0);
      if (settings.long) expect(r.inputs).toBeGreaterThanOrEqual(settings.minInputs);
    },
    timeout,
  );
}

describe(`MQTT input decoders fuzz (seed ${settings.seed})`, () => {
  fuzzDecoder(camera);
  fuzzDecoder(decision);
});

describe('the MQTT decoder fuzz catches broken decoders', () => {
  const suite = { long: false, seed: SUITE_SEED, minInputs: 0 };

  it('one that names the payload instead of the field', () => {
    const vague: EventKind<object> = {
      ...camera,
      decode: (payload, where) => {
        const r = decodeCameraEvent(payload, where);
        return !r.ok && r.error.code === 'PAYLOAD_FIELD' ? fail(new InputError('PAYLOAD_FIELD', 'something is wrong', where)) : r;
      },
    } as EventKind<object>;
    expect(() => runFuzz(eventTarget(vague), RUNS, suite)).toThrow(/names neither the payload nor a field/);
  });

  it('one that throws on some payloads', () => {
    const throws = {
      ...camera,
      decode: (payload: Buffer | string, where: string) => {
        if (String(payload).includes('wagon')) throw new Error('no wagons');
        return decodeCameraEvent(payload, where);
      },
    };
    expect(() => runFuzz(eventTarget(throws), RUNS, suite)).toThrow(/no wagons/);
  });
});
