import { describe, expect, it } from 'vitest';
import { SUITE_SEED, runFuzz } from '@gatewatch/shared/fuzzing';
import { gateController, mutationTarget, streamTarget, weighbridge, type SerialKind } from './serial.fuzz.js';

// The parsers' fuzz tests are next to them (*.fuzz.test.ts); these make sure the properties
// would see a broken parser.
const suite = { long: false, seed: SUITE_SEED, minInputs: 0 };

describe('the serial fuzz properties catch broken parsers', () => {
  it('a decoder that throws on some frames (which the framer turns into FRAME_DECODER)', () => {
    const broken: SerialKind<unknown> = {
      ...weighbridge,
      framing: (device) => {
        const f = weighbridge.framing(device);
        return {
          ...f,
          decode: (bytes, dev, start, end) => {
            if (bytes.subarray(start, end).includes(0x37)) throw new Error('no sevens');
            return f.decode(bytes, dev, start, end);
          },
        };
      },
    };
    expect(() => runFuzz(streamTarget(broken), 100, suite)).toThrow(/FRAME_DECODER/);
    expect(() => runFuzz(mutationTarget(broken), 100, suite)).toThrow(/no sevens/);
  });

  it('a framing that cuts sentences short', () => {
    const broken: SerialKind<unknown> = { ...gateController, framing: (device) => ({ ...gateController.framing(device), maxBytes: 24 }) };
    expect(() => runFuzz(streamTarget(broken), 100, suite)).toThrow(/FRAME_TOO_LONG/);
  });
});
