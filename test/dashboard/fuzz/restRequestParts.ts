/**
 * The parts of a REST fuzz input (put together by fuzz/restInputs.ts): arbitrary query strings
 * (repeated keys, `a[b]=`, `__proto__`, percent-encoding broken on purpose, values past 16 kB),
 * paths changed the ways clients and attackers change them, headers (Content-Type and charset
 * variants, ranges, conditionals, Origin, forwarded-for, cookies, Expect), bodies (hostile JSON:
 * `toString` and `__proto__` keys, 10 000 levels deep; bytes that are not UTF-8; over 16 kB;
 * chunked, which restInputs.ts decides).
 */
import fc from 'fast-check';
import { CHECKPOINTS, PASSWORD, USERS } from '../fixture.js';
import type { Route } from './restInputs.js';
import { bigString, hostileValue, jsonText, objectWithKey, shown } from './values.js';

const checkpointIds = CHECKPOINTS.map((c) => c.id);
const HOUR = 3_600_000;
const iso = (ms: number, offset: '+07:00' | 'Z'): string =>
  offset === 'Z' ? new Date(ms).toISOString() : new Date(ms + 7 * HOUR).toISOString().replace('Z', '+07:00');

/** Percent-encoding of every byte of the UTF-8 of `s` that a URL must not hold as is. */
const encode = (s: string): string => {
  // Byte by byte: encodeURIComponent throws on a lone surrogate (Buffer writes U+FFFD for it).
  let out = '';
  for (const b of Buffer.from(s)) out += /[A-Za-z0-9\-_.~]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
};
/** What node:http lets through in a path as is (anything else it refuses to send). */
export const raw = (s: string): string => [...s].map((c) => (/^[\u0021-\u007e]$/.test(c) && c !== '#' && c !== '?' ? c : encode(c))).join('');

const BROKEN_ESCAPES = ['%', '%%', '%zz', '%E0%A4%A', '%C0%AF', '%00', '%FF', '%u0041', '%2', '%ED%A0%80', '+', '%2B%', '%25'] as const;

function valueFor(param: string): fc.Arbitrary<string> {
  const now = Date.now();
  const time = fc.oneof(
    fc.integer({ min: now - 400 * 24 * HOUR, max: now + 2 * HOUR }).chain((ms) => fc.constantFrom(iso(ms, 'Z'), iso(ms, '+07:00'))),
    fc.constantFrom(
      '2026-11-25T08:00:00+07:00',
      '1677-12-31T23:59:59Z',
      '1678-01-01T00:00:00Z',
      '2262-01-01T00:00:00Z',
      '2262-04-11T23:47:16.854775807Z',
      '0000-01-01T00:00:00Z',
      '9999-12-31T23:59:59.999999999Z',
      '2026-02-30T00:00:00Z',
      '2026-11-25T24:00:00Z',
      '2026-11-25T08:00:00',
      '2026-11-25',
      'yesterday',
      '1e10',
      'NaN',
      '-1',
    ),
  );
  const known: Record<string, fc.Arbitrary<string>> = {
    checkpoint: fc.constantFrom(...checkpointIds, 'KIM-THANH-ROAD', 'nowhere', ' kim-thanh-road', 'kim-thanh-road,lao-cai-rail', 'toString', '__proto__'),
    checkpoints: fc.oneof(
      fc.subarray([...checkpointIds], { minLength: 1 }).map((ids) => ids.join(',')),
      fc.constantFrom('kim-thanh-road, lao-cai-rail', 'kim-thanh-road,,', ',', 'nowhere', 'kim-thanh-road,kim-thanh-road', 'constructor,toString'),
    ),
    from: time,
    to: time,
    hours: fc.constantFrom('1', '2', '24', '0', '25', '-1', '1.5', '01', '999999', '1e1', ' 2'),
    weeks: fc.constantFrom('1', '4', '8', '0', '9', '-1', '2.0', '0008'),
    interval: fc.constantFrom('hour', 'day', 'week', 'HOUR', ''),
    format: fc.constantFrom('json', 'csv', 'CSV', 'xml', ''),
  };
  return known[param] ?? fc.string({ maxLength: 12 });
}

/** The route's parameters, each once, with values it takes (a range of a few hours ending now or earlier). */
function validQuery(route: Route): fc.Arbitrary<string> {
  const now = Date.now();
  return fc
    .record({
      end: fc.integer({ min: now - 20 * 24 * HOUR, max: now }),
      hours: fc.integer({ min: 1, max: 48 }),
      checkpoints: fc.constantFrom('kim-thanh-road', 'kim-thanh-road,lao-cai-rail', 'hai-phong-port'),
      checkpoint: fc.constantFrom('kim-thanh-road', 'kim-thanh-road', 'lao-cai-rail', 'hai-phong-port'),
      n: fc.integer({ min: 1, max: 8 }),
      interval: fc.constantFrom('hour', 'day'),
      format: fc.constantFrom('json', 'csv'),
      offset: fc.constantFrom('Z' as const, '+07:00' as const),
      leave: fc.constantFrom('', 'format', 'interval', 'hours', 'weeks'),
    })
    .map((v) => {
      const values: Record<string, string> = {
        checkpoints: v.checkpoints,
        checkpoint: v.checkpoint,
        from: iso(v.end - v.hours * HOUR, v.offset),
        to: iso(v.end, v.offset),
        hours: String(Math.min(24, v.n * 3)),
        weeks: String(v.n),
        interval: v.interval,
        format: v.format,
      };
      const pairs = route.params.filter((k) => k !== v.leave).map((k) => `${k}=${encode(values[k] ?? '')}`);
      return pairs.length ? `?${pairs.join('&')}` : '';
    });
}

/** A query string: the route's parameters, valid or not, some repeated, junk keys, escapes broken on purpose, huge values. */
export function queryString(route: Route): fc.Arbitrary<string> {
  const pair = fc.oneof(
    { weight: 12, arbitrary: route.params.length ? fc.constantFrom(...route.params).chain((k) => valueFor(k).map((v) => [k, v] as const)) : fc.constant(['x', '1'] as const) },
    {
      weight: 4,
      arbitrary: fc.tuple(
        fc.oneof(fc.constantFrom('a[b]', 'a[]', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'format[]', 'checkpoint[0]', '', 'x'), fc.string({ maxLength: 8 })),
        fc.string({ maxLength: 12 }),
      ),
    },
    // Long values, now and then past Node's 16 kB of URL and headers (431).
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom(...route.params, 'q'), bigString([1_000, 4_000, 8_000, 17_000, 100_000])) },
  );
  const encoded = fc.tuple(pair, fc.constantFrom('encoded', 'encoded', 'raw', 'broken' as const), fc.constantFrom(...BROKEN_ESCAPES)).map(([[k, v], how, broken]) => {
    if (how === 'encoded') return `${encode(k)}=${encode(v)}`;
    if (how === 'raw') return `${raw(k)}=${raw(v)}`;
    return `${encode(k)}=${encode(v.slice(0, 3))}${broken}${encode(v.slice(3))}`;
  });
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant('') },
    { weight: 4, arbitrary: validQuery(route) },
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.array(encoded, { minLength: 1, maxLength: 5 }), fc.boolean(), fc.constantFrom('&', '&', '&', ';', '&&'))
        // Repeated keys: the first pair again.
        .map(([pairs, repeat, sep]) => `?${[...pairs, ...(repeat ? [pairs[0]!] : [])].join(sep)}`),
    },
    { weight: 1, arbitrary: fc.constantFrom('?', '??', '?&', '?=', '?a', '?a=1#frag', `?${BROKEN_ESCAPES.join('')}`) },
  );
}

/** The route's path as sent: as it is, or changed the ways clients and attackers change paths. */
export const pathOf = fc.tuple(
  fc.oneof(
    { weight: 3, arbitrary: fc.constant('asIs') },
    { weight: 2, arbitrary: fc.constantFrom('upper', 'trailingSlash', 'doubleSlash', 'dotSegment', 'encodedLetter', 'brokenEscape', 'traversal', 'extraSegment', 'nul', 'matrix', 'huge', 'latin1') },
  ),
  fc.constantFrom(...BROKEN_ESCAPES),
  fc.string({ maxLength: 8 }),
);

export function changePath(path: string, [kind, broken, extra]: [string, string, string]): string {
  switch (kind) {
    case 'upper':
      return path.toUpperCase();
    case 'trailingSlash':
      return `${path}/`;
    case 'doubleSlash':
      return path.replace(/\//g, '//');
    case 'dotSegment':
      return path.replace(/\/([^/]*)$/, '/./$1');
    case 'encodedLetter':
      return path.replace(/[a-z]/, (c) => `%${c.charCodeAt(0).toString(16)}`);
    case 'brokenEscape':
      return `${path}${broken}`;
    case 'traversal':
      return `${path}/../../../../etc/passwd`.replace(/^\/\//, '/');
    case 'extraSegment':
      return `${path.replace(/\/$/, '')}/${encode(extra)}`;
    case 'nul':
      return `${path}%00.json`;
    case 'matrix':
      return `${path};a=b`;
    case 'huge':
      return `${path}/${'a'.repeat(17_000)}`;
    case 'latin1':
      return `${path}\u00e9\u00ff`;
    default:
      return path;
  }
}

export const CONTENT_TYPES = [
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=UTF-8',
  'application/json;charset="utf-8"',
  'application/json; charset=latin1',
  'application/json; charset=utf-16le',
  'application/json; charset=bogus',
  'application/json; charset=',
  'application/json;;;',
  'APPLICATION/JSON',
  'application/merge-patch+json',
  'application/vnd.api+json',
  'text/plain',
  'text/json',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  '*/*',
  'application/',
  'json',
  '',
] as const;

/** Header values node:http lets through: tab, printable ASCII, bytes 0x80-0xff. */
const headerText = fc.string({ unit: fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(9)).map((c) => String.fromCharCode(c)), maxLength: 24 });
const tokenText = fc.stringMatching(/^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,16}$/);

export const header: fc.Arbitrary<[string, string]> = fc.oneof(
  fc.constantFrom<[string, string]>(
    ['Range', 'bytes=0-10'],
    ['Range', 'bytes=5-'],
    ['Range', 'bytes=-5'],
    ['Range', 'bytes=100000000-'],
    ['Range', 'bytes=10-5'],
    ['Range', 'bytes=0-1,3-4'],
    ['Range', 'bytes=x'],
    ['Range', 'items=0-1'],
    ['If-None-Match', '*'],
    ['If-None-Match', '"x"'],
    ['If-None-Match', 'W/"x", "y"'],
    ['If-Match', '"nope"'],
    ['If-Match', '*'],
    ['If-Modified-Since', 'Thu, 01 Jan 2099 00:00:00 GMT'],
    ['If-Modified-Since', 'Thu, 01 Jan 1970 00:00:00 GMT'],
    ['If-Modified-Since', 'garbage'],
    ['If-Unmodified-Since', 'Thu, 01 Jan 1970 00:00:00 GMT'],
    ['If-Unmodified-Since', 'not a date'],
    ['If-Range', '"x"'],
    ['If-Range', 'Thu, 01 Jan 1970 00:00:00 GMT'],
    ['Accept', 'application/json'],
    ['Accept', 'text/csv'],
    ['Accept', '*/*;q=0'],
    ['Accept', 'image/png'],
    ['Accept-Encoding', 'gzip, br'],
    ['Accept-Encoding', 'identity;q=0, *;q=0'],
    ['Accept-Language', 'vi, en;q=0.5'],
    ['Content-Encoding', 'gzip'],
    ['Content-Encoding', 'deflate'],
    ['Content-Encoding', 'identity'],
    ['Content-Encoding', 'br'],
    ['Content-Encoding', 'bogus'],
    ['Origin', 'https://evil.example'],
    ['Origin', 'null'],
    ['Access-Control-Request-Method', 'GET'],
    ['Access-Control-Request-Method', 'POST'],
    ['Access-Control-Request-Headers', 'x-gatewatch, content-type'],
    ['X-Forwarded-For', '203.0.113.9'],
    ['X-Forwarded-For', '1.2.3.4, 5.6.7.8, ::1'],
    ['X-Forwarded-For', ' , ,'],
    ['X-Forwarded-Proto', 'https'],
    ['X-Forwarded-Proto', 'gopher'],
    ['Forwarded', 'for=203.0.113.9;proto=https'],
    ['Expect', '100-continue'],
    ['Expect', 'foo'],
    ['Authorization', 'Basic b2ZmaWNlcjp4'],
    ['Authorization', 'Bearer x'],
    ['Host', 'evil.example'],
    ['Host', ''],
    ['Cookie', 'gw_device=garbage.x'],
    ['Cookie', `gw_device=${Buffer.from(USERS.officer).toString('base64url')}.AAAA`],
    ['Cookie', 'toString=x; __proto__=y; constructor=z'],
    ['Cookie', '=; ;;=x'],
    ['X-GateWatch', '1'],
    ['Max-Forwards', '0'],
    ['TE', 'trailers'],
    ['Keep-Alive', 'timeout=0'],
  ),
  fc.tuple(tokenText, headerText),
).chain((h) =>
  // Now and then past Node's 16 kB of headers: 431.
  fc.oneof({ weight: 20, arbitrary: fc.constant(h) }, { weight: 1, arbitrary: fc.constantFrom(8_000, 17_000).map((n): [string, string] => ['X-Big', 'b'.repeat(n)]) }),
);

/** Bodies: hostile JSON, sign-ins of any shape, bytes that are not UTF-8 or not JSON, over 16 kB. */
export function bodies(): fc.Arbitrary<{ bytes: Buffer; shown: string }> {
  const value = hostileValue();
  const text = (v: unknown): { bytes: Buffer; shown: string } => ({ bytes: Buffer.from(jsonText(v)), shown: shown(v) });
  const credential = (good: string): fc.Arbitrary<unknown> =>
    fc.oneof({ weight: 3, arbitrary: fc.constant(good) }, { weight: 2, arbitrary: fc.string({ maxLength: 16 }) }, { weight: 2, arbitrary: value }, { weight: 2, arbitrary: objectWithKey(value) }, { weight: 1, arbitrary: bigString([65, 1_025, 20_000]) });
  const login = fc
    .tuple(credential(USERS.officer), credential(PASSWORD), fc.array(fc.tuple(fc.constantFrom('__proto__', 'constructor', 'toString', 'role', 'x'), value), { maxLength: 2 }), fc.boolean())
    .map(([username, password, extra, drop]) => Object.fromEntries([...extra, ['username', username], ...(drop ? [] : [['password', password]])]));
  const bytes = (b: Uint8Array, what: string) => ({ bytes: Buffer.from(b), shown: what });
  return fc.oneof(
    { weight: 4, arbitrary: login.map(text) },
    { weight: 4, arbitrary: value.map(text) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.uint8Array({ maxLength: 32 }).map((b) => bytes(b, `bytes ${Buffer.from(b).toString('hex')}`)),
        fc.constantFrom(
          bytes(Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0x7d, 0x00]), 'UTF-16LE {} with its BOM'),
          bytes(Buffer.from('\ufeff{"username":"x","password":"y"}'), 'UTF-8 BOM then a sign-in'),
          bytes(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]), '{"a":"<C3 28>"} (not UTF-8)'),
          bytes(Buffer.from([0x7b, 0x22, 0x75, 0x73, 0x65, 0x72, 0x6e, 0x61, 0x6d, 0x65, 0x22, 0x3a, 0x22, 0xe9, 0x22, 0x7d]), '{"username":"<E9>"} (Latin-1)'),
          bytes(Buffer.from('{"username":"officer.kimthanh",'), 'a cut-off sign-in'),
          bytes(Buffer.from('{"a":1} trailing'), 'JSON then junk'),
          bytes(Buffer.from('null'), 'null'),
          bytes(Buffer.from('"text"'), 'a JSON string'),
          bytes(Buffer.from('1e999'), '1e999'),
          bytes(Buffer.from('username=officer.kimthanh&password=x'), 'a form body'),
          bytes(Buffer.from('{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}}}'), 'prototype keys'),
          bytes(Buffer.alloc(0), 'an empty body'),
        ),
      ),
    },
    { weight: 1, arbitrary: bigString([16_000, 16_500, 100_000, 1_048_576]).map((s) => ({ bytes: Buffer.from(JSON.stringify({ username: s })), shown: `{"username":${shown(s)}}` })) },
  );
}
