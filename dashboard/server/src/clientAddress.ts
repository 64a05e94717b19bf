/**
 * The key the sign-in throttle and the public rate limit count a client under. An IPv6 client
 * is counted by its /64: one subscriber line or host usually holds a whole /64, and counting
 * each of its 2^64 addresses apart would give it a fresh allowance (and a fresh scrypt) per
 * request. An IPv4-mapped IPv6 address (::ffff:a.b.c.d, how a dual-stack socket shows IPv4
 * clients) is the IPv4 address it maps.
 */
import { isIPv4, isIPv6 } from 'node:net';

export function clientKey(address: string | undefined): string {
  if (!address) return 'unknown';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped && isIPv4(mapped[1]!)) return mapped[1]!;
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return address;
  const groups = expandIPv6(address.replace(/%.*$/, ''));
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : address;
}

/** The eight 16-bit groups of an IPv6 address, as lowercase hex without leading zeros. */
function expandIPv6(address: string): string[] | undefined {
  const [head, tail, ...rest] = address.split('::');
  if (rest.length > 0) return undefined;
  const part = (s: string | undefined): string[] => (s ? s.split(':') : []);
  const left = part(head);
  const right = part(tail);
  // An embedded IPv4 address at the end counts as two groups.
  const last = right.length > 0 ? right : left;
  if (last.length > 0 && last[last.length - 1]!.includes('.')) {
    const v4 = last.pop()!.split('.').map(Number);
    last.push(((v4[0]! << 8) | v4[1]!).toString(16), ((v4[2]! << 8) | v4[3]!).toString(16));
  }
  const missing = 8 - left.length - right.length;
  if (tail === undefined ? missing !== 0 : missing < 0) return undefined;
  const groups = [...left, ...Array<string>(tail === undefined ? 0 : missing).fill('0'), ...right];
  return groups.map((g) => parseInt(g, 16).toString(16));
}

/** A client on this machine (127.0.0.0/8, ::1, or IPv4 loopback mapped into IPv6): a local monitor. */
export function isLoopback(address: string | undefined): boolean {
  const key = clientKey(address);
  return /^127\.\d+\.\d+\.\d+$/.test(key) || address === '::1';
}
