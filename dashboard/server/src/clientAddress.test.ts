import { describe, expect, it } from 'vitest';
import { clientKey, isLoopback } from './clientAddress.js';

describe('the key a client is counted under', () => {
  it('is the IPv4 address, also when a dual-stack socket shows it IPv4-mapped', () => {
    expect(clientKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
    expect(clientKey('::FFFF:203.0.113.7')).toBe('203.0.113.7');
  });

  it('is the /64 of an IPv6 address, however it is written', () => {
    const key = '2001:db8:1:2::/64';
    for (const a of ['2001:db8:1:2::1', '2001:0db8:0001:0002:ffff:ffff:ffff:ffff', '2001:db8:1:2:aaaa::', '2001:DB8:1:2::9%eth0']) expect(clientKey(a)).toBe(key);
    expect(clientKey('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(clientKey('::1')).toBe('0:0:0:0::/64');
  });

  it('keeps what is not an address as it is, and names a missing one', () => {
    expect(clientKey(undefined)).toBe('unknown');
    expect(clientKey('')).toBe('unknown');
    expect(clientKey('not an address')).toBe('not an address');
  });
});

describe('isLoopback', () => {
  it('is a client on this machine: 127.0.0.0/8, ::1, and 127.x mapped into IPv6', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '::ffff:127.0.0.1']) expect(isLoopback(a), a).toBe(true);
    for (const a of [undefined, '', '10.0.0.1', '::ffff:10.0.0.1', '2001:db8::1', '128.0.0.1', '::2']) expect(isLoopback(a), a).toBe(false);
  });
});
