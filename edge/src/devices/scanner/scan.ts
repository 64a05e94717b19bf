/**
 * Booth scanner lines (docs/interfaces.md, "Barcode/QR scanner"): one UTF-8 scan per line, a
 * container number, a 12-digit declaration number or a plate. Pure.
 */
import { classifyScan, fail, InputError, ok, type Result, type ScanCode } from '@gatewatch/shared';
import { frameWhere } from '../framing.js';

/** Longest scan, in bytes without the line end (contract). */
export const SCAN_MAX_BYTES = 64;

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes one scan line, bytes [start, end). The unit text is kept as scanned (only the line's outer blanks go). */
export function parseScan(line: Buffer, device: string, start = 0, end = line.length): Result<ScanCode> {
  const bytes = line.subarray(start, end);
  const where = (): string => frameWhere(device, bytes);
  if (bytes.length > SCAN_MAX_BYTES) return fail(InputError.untraced('FRAME_TOO_LONG', `scan is longer than ${SCAN_MAX_BYTES} bytes`, where()));
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    return fail(InputError.untraced('FRAME_ENCODING', 'scan is not valid UTF-8', where()));
  }
  const code = classifyScan(text);
  if (code.type === 'invalid') return fail(InputError.untraced('SCAN_INVALID', code.reason, where()));
  return ok(code);
}
