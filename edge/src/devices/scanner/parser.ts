/** The booth scanner's byte stream as a Transform: bytes in, `Result<ScanCode>` out. */
import type { ScanCode } from '@gatewatch/shared';
import { FrameParser, type FramingOptions } from '../framing.js';
import { parseScan, SCAN_MAX_BYTES } from './scan.js';

/** Lines end in CR, CRLF or LF; a line over SCAN_MAX_BYTES is skipped to its end, unbuffered. */
/** One scan per line. */
export const scannerFraming = (device: string): FramingOptions<ScanCode> => ({ device, maxBytes: SCAN_MAX_BYTES, decode: parseScan });

export class ScannerParser extends FrameParser<ScanCode> {
  constructor(opts: { device: string }) {
    super(scannerFraming(opts.device));
  }
}
