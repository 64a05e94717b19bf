import { describe, expect, it } from 'vitest';
import { isOrigin, serverOrigin } from './origin.js';

describe("this server's origin and a socket page's", () => {
  const direct = { tls: false, trustedProxy: false };
  const proxied = { tls: false, trustedProxy: true };

  it('is the Host over plain HTTP, https when TLS is declared, default ports dropped', () => {
    expect(serverOrigin({ host: '127.0.0.1:18080' }, direct)).toBe('http://127.0.0.1:18080');
    expect(serverOrigin({ host: 'gate.example:80' }, direct)).toBe('http://gate.example');
    expect(serverOrigin({ host: 'gate.example:443' }, { tls: true, trustedProxy: false })).toBe('https://gate.example');
    expect(serverOrigin({ host: '[::1]:8080' }, direct)).toBe('http://[::1]:8080');
    for (const host of [undefined, '', 'a/b', 'user@gate.example', 'gate.example:8080/x', 'gate example']) expect(serverOrigin({ ...(host !== undefined ? { host } : {}) }, direct), host).toBeUndefined();
  });

  it("takes a trusted proxy's X-Forwarded-Proto and X-Forwarded-Host (first entries), and nobody else's", () => {
    const headers = { host: 'backend:8080', 'x-forwarded-proto': 'https, http', 'x-forwarded-host': 'cuakhau.example, backend' };
    expect(serverOrigin(headers, proxied)).toBe('https://cuakhau.example');
    expect(serverOrigin(headers, direct)).toBe('http://backend:8080');
    expect(serverOrigin({ host: 'cuakhau.example', 'x-forwarded-proto': 'HTTPS' }, proxied)).toBe('https://cuakhau.example');
  });

  it('matches an Origin only when it is exactly that origin', () => {
    const expected = 'http://127.0.0.1:18080';
    expect(isOrigin('http://127.0.0.1:18080', expected)).toBe(true);
    for (const origin of ['null', 'https://127.0.0.1:18080', 'http://127.0.0.1:18080/evil', 'HTTP://127.0.0.1:18080', 'http://127.0.0.1:18080.evil.example', 'http://127.0.0.1:18081', 'http://127.0.0.1', 'http://x@127.0.0.1:18080']) {
      expect(isOrigin(origin, expected), origin).toBe(false);
    }
    expect(isOrigin('https://gate.example', 'https://gate.example')).toBe(true);
    expect(isOrigin('https://gate.example:443', 'https://gate.example')).toBe(false);
    expect(isOrigin('http://127.0.0.1:18080', undefined)).toBe(false);
  });
});
