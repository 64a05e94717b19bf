/** The gate controller's byte stream as a Transform: bytes in, `Result<GateFrame>` out. */
import { FrameParser, type FramingOptions } from '../framing.js';
import { NMEA_MAX_BODY, parseGateSentence, type GateFrame } from './sentence.js';

const DOLLAR = 0x24;

/**
 * `$` starts a sentence: garbage before it is one bad frame and the sentence after it still
 * parses; a `$` inside a sentence means the previous one was cut off (one bad frame). A run
 * longer than the NMEA limit is one bad frame, skipped up to the next line end (or `$`) with
 * at most NMEA_MAX_BODY bytes buffered.
 */
/** How a gate controller's bytes split into sentences: `$` starts one, a line end ends it. */
export const gateControllerFraming = (device: string): FramingOptions<GateFrame> => ({
  device,
  maxBytes: NMEA_MAX_BODY,
  sync: DOLLAR,
  decode: parseGateSentence,
});

export class GateControllerParser extends FrameParser<GateFrame> {
  constructor(opts: { device: string }) {
    super(gateControllerFraming(opts.device));
  }
}
