import { describe, expect, it } from 'vitest';
import type { ScanCode } from '@gatewatch/shared';
import { scanLine } from '@gatewatch/shared';
import { bytes, feed, feedEveryCut, type Outcome } from '../devices.fixtures.js';
import { ScannerParser } from './parser.js';
import { parseScan, SCAN_MAX_BYTES } from './scan.js';

const DEV = 'scanner-IN-1';
const make = (): ScannerParser => new ScannerParser({ device: DEV });
const brief = (out: Outcome<ScanCode>[]): string[] =>
  out.map((o) => ('frame' in o ? `${o.frame.type}:${o.frame.type === 'declaration' ? o.frame.declaration : o.frame.unit}` : o.error));

// CSQU3054383: the ISO 6346 worked example (check digit 3).
const FIXTURES: Record<string, { stream: Buffer; expect: string[] }> = {
  'containers, declarations and plates, Vietnamese and Yunnan': {
    stream: bytes(scanLine('CSQU3054383'), scanLine('105123456789'), scanLine('24C-123.45'), scanLine('云A12345'), scanLine('29A-12345')),
    expect: ['container:CSQU3054383', 'declaration:105123456789', 'plate:24C-123.45', 'plate:云A12345', 'plate:29A-12345'],
  },
  'CR, CRLF and LF line ends, blank lines ignored': {
    stream: bytes('CSQU3054383\r', '\r\n', '105123456789\n', '\n', '云AD12345\r\n'),
    expect: ['container:CSQU3054383', 'declaration:105123456789', 'plate:云AD12345'],
  },
  'a wrong container check digit between good scans': {
    stream: bytes(scanLine('24C-123.45'), scanLine('CSQU3054384'), scanLine('CSQU3054383')),
    expect: ['plate:24C-123.45', 'SCAN_INVALID', 'container:CSQU3054383'],
  },
  'invalid UTF-8 and unreadable codes': {
    stream: bytes(Uint8Array.from([0xe4, 0xba, 0x91, 0xff, 0x41, 0x0d, 0x0a]), scanLine('hello world'), Uint8Array.from([0xe4, 0xba]), '\r\n', scanLine('云A12345')),
    expect: ['FRAME_ENCODING', 'SCAN_INVALID', 'FRAME_ENCODING', 'plate:云A12345'],
  },
  'a line over 64 bytes, then a good scan': {
    stream: bytes(scanLine('1'.repeat(SCAN_MAX_BYTES + 1)), scanLine('CSQU3054383'), scanLine('9'.repeat(500)), scanLine('105123456789')),
    expect: ['FRAME_TOO_LONG', 'container:CSQU3054383', 'FRAME_TOO_LONG', 'declaration:105123456789'],
  },
  'the stream ends inside a scan': {
    stream: bytes(scanLine('24C-123.45'), '105123'),
    expect: ['plate:24C-123.45', 'FRAME_TRUNCATED'],
  },
};

describe('scanner parser', () => {
  for (const [name, f] of Object.entries(FIXTURES)) {
    it(`${name}: the same scans and errors however the reads are cut`, async () => {
      const { whole, differing } = await feedEveryCut(make, f.stream);
      expect(brief(whole)).toEqual(f.expect);
      expect(differing).toEqual([]);
    });
  }

  it('a multi-byte character split across reads is kept verbatim', async () => {
    const line = Buffer.from('云A12345\r\n', 'utf8');
    // Cut inside the 3 bytes of 云.
    const out = await feed(make(), [line.subarray(0, 1), line.subarray(1, 2), line.subarray(2)]);
    expect(out).toEqual([{ frame: { type: 'plate', unit: '云A12345' } }]);
  });

  it(`accepts a scan of exactly ${SCAN_MAX_BYTES} bytes (it reaches classification)`, () => {
    const r = parseScan(Buffer.from('1'.repeat(SCAN_MAX_BYTES)), DEV);
    expect(r.ok ? 'ok' : r.error.code).toBe('SCAN_INVALID');
  });

  it('an invalid check digit is an error naming the device, the frame and the reason', () => {
    const r = parseScan(Buffer.from('CSQU3054384'), DEV);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.where).toBe(`${DEV} frame "CSQU3054384"`);
      expect(r.error.message).toContain('ISO 6346 check digit');
    }
  });
});
