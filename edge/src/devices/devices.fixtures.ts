/**
 * Test support for the device parsers: feed a byte stream through a parser cut into chunks
 * anywhere, and compare what comes out. The OS hands a serial port's bytes over in reads of
 * any size, so a parser's output must not depend on where the reads were cut.
 */
import type { Result } from '@gatewatch/shared';
import type { FrameParser } from './framing.js';

/** A parser result as plain data, comparable with toEqual (errors by code, place and message). */
export type Outcome<T> = { frame: T } | { error: string; where: string | undefined; message: string };

export const outcome = <T>(r: Result<T>): Outcome<T> =>
  r.ok ? { frame: r.value } : { error: r.error.code, where: r.error.where, message: r.error.message };

/** Writes the chunks, ends the stream, and resolves with everything the parser pushed. */
export async function feed<T>(parser: FrameParser<T>, chunks: readonly Uint8Array[]): Promise<Outcome<T>[]> {
  const out: Outcome<T>[] = [];
  parser.on('data', (r: Result<T>) => out.push(outcome(r)));
  const ended = new Promise<void>((resolve, reject) => {
    parser.once('end', resolve);
    parser.once('error', reject);
  });
  for (const c of chunks) parser.write(Buffer.from(c));
  parser.end();
  await ended;
  return out;
}

/** Every way of cutting `bytes` into two reads, and one read per byte. */
export function* cuts(bytes: Buffer): Generator<{ name: string; chunks: Buffer[] }> {
  for (let i = 0; i <= bytes.length; i++) {
    yield { name: `cut at ${i}`, chunks: [bytes.subarray(0, i), bytes.subarray(i)] };
  }
  yield { name: 'byte by byte', chunks: [...bytes].map((b) => Buffer.from([b])) };
}

/**
 * Feeds `bytes` whole, then cut every way; returns the whole-stream outcome and the name of
 * every cut whose outcome differs from it (empty when the parser does not care about cuts).
 */
export async function feedEveryCut<T>(
  make: () => FrameParser<T>,
  bytes: Buffer,
): Promise<{ whole: Outcome<T>[]; differing: string[] }> {
  const whole = await feed(make(), [bytes]);
  const expected = JSON.stringify(whole);
  const differing: string[] = [];
  for (const { name, chunks } of cuts(bytes)) {
    if (JSON.stringify(await feed(make(), chunks)) !== expected) differing.push(name);
  }
  return { whole, differing };
}

export const bytes = (...parts: (string | Uint8Array)[]): Buffer =>
  Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
