/** The weighbridge indicator's byte stream as a Transform: bytes in, `Result<WeightReading>` out. */
import { FrameParser, type FramingOptions } from '../framing.js';
import { parseWeightLine, WEIGHT_LINE_MAX_BYTES, type WeightReading } from './reading.js';

/** One reading per line. */
export const weighbridgeFraming = (device: string): FramingOptions<WeightReading> => ({
  device,
  maxBytes: WEIGHT_LINE_MAX_BYTES,
  decode: parseWeightLine,
});

export class WeighbridgeParser extends FrameParser<WeightReading> {
  constructor(opts: { device: string }) {
    super(weighbridgeFraming(opts.device));
  }
}
