import { describe, expect, it } from 'vitest';
import { fuzzSettings, fuzzTimeoutMs, runFuzz, SUITE_SEED } from '@gatewatch/shared/fuzzing';
import { decodePayload } from './decode.js';
import { decodeTarget } from './decode.fuzz.js';

const settings = fuzzSettings();

describe(`live payload decoding fuzz (seed ${settings.seed})`, () => {
  it(
    'no throw; records decode to what the edge sent, canonical; refusals name the field',
    () => {
      const r = runFuzz(decodeTarget(), 2000, settings);
      expect(r.frames).toBeGreaterThan(0);
      expect(r.badFrames).toBeGreaterThan(0);
      if (settings.long) expect(r.inputs).toBeGreaterThanOrEqual(settings.minInputs);
    },
    fuzzTimeoutMs(settings),
  );

  it('would see a decoder that keeps times as sent (+07:00 among them), or throws', () => {
    const suite = { long: false, seed: SUITE_SEED, minInputs: 0 };
    const keepsTime: typeof decodePayload = (kind, checkpoint, payload, now) => {
      const r = decodePayload(kind, checkpoint, payload, now);
      if (r.ok && r.value.kind === 'queue') r.value.record.time = (JSON.parse(payload.toString()) as { time: string }).time;
      return r;
    };
    expect(() => runFuzz(decodeTarget(keepsTime), 600, suite)).toThrow(/expected/);
    const throws: typeof decodePayload = (kind, ...rest) => {
      if (kind === 'device') throw new Error('device payloads');
      return decodePayload(kind, ...rest);
    };
    expect(() => runFuzz(decodeTarget(throws), 600, suite)).toThrow(/device payloads/);
  });
});
