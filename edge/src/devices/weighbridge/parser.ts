/** The weighbridge indicator's byte stream as a Transform: bytes in, `Result<WeightReading>` out. */
import { FrameParser } from '../framing.js';
import { parseWeightLine, WEIGHT_LINE_MAX_BYTES, type WeightReading } from './reading.js';

export class WeighbridgeParser extends FrameParser<WeightReading> {
  constructor(opts: { device: string }) {
    super({ device: opts.device, maxBytes: WEIGHT_LINE_MAX_BYTES, decode: parseWeightLine });
  }
}
