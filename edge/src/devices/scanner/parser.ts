/** The booth scanner's byte stream as a Transform: bytes in, `Result<ScanCode>` out. */
import type { ScanCode } from '@gatewatch/shared';
import { FrameParser } from '../framing.js';
import { parseScan, SCAN_MAX_BYTES } from './scan.js';

/** Lines end in CR, CRLF or LF; a line over SCAN_MAX_BYTES is skipped to its end, unbuffered. */
export class ScannerParser extends FrameParser<ScanCode> {
  constructor(opts: { device: string }) {
    super({ device: opts.device, maxBytes: SCAN_MAX_BYTES, decode: parseScan });
  }
}
