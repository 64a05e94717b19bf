/**
 * Hostile JSON values for the dashboard's inputs: objects whose keys are `toString`, `valueOf`,
 * `__proto__`, `constructor` (as own properties, as JSON.parse makes them), arrays, nesting up to
 * 10 000 deep, strings up to 1 MB, numbers at their edges, `null`; with binary attachments
 * (Buffers) for socket.io. And `shown`: a value as a failure report prints it, long strings and
 * deep nesting cut short.
 */
import fc from 'fast-check';

/** Keys that name what String(), template literals, JSON and the prototype chain look up. */
export const SPECIAL_KEYS = ['toString', 'valueOf', '__proto__', 'constructor', 'hasOwnProperty', 'toJSON', 'then', 'length', 'prototype', 'isPrototypeOf'] as const;

const key = fc.oneof({ weight: 3, arbitrary: fc.constantFrom<string>(...SPECIAL_KEYS) }, { weight: 2, arbitrary: fc.string({ maxLength: 8 }) });

/** Lengths around the limits: socket.io's 16 kB message, the REST body's 16 kB, Node's 16 kB headers; up to 1 MB. */
export const BIG_LENGTHS = [1_000, 8_000, 16_300, 16_384, 16_500, 65_536, 100_000, 1_048_576] as const;

/** A string of `length` UTF-16 units repeating a short random unit (a megabyte is cheap to make this way). */
export const bigString = (lengths: readonly number[] = BIG_LENGTHS): fc.Arbitrary<string> =>
  fc
    .record({ unit: fc.string({ unit: fc.oneof(fc.constant('x'), fc.string({ minLength: 1, maxLength: 1, unit: 'binary' })), minLength: 1, maxLength: 4 }), length: fc.constantFrom(...lengths) })
    .map(({ unit, length }) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

export const number = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -0, 1, -1, Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER + 2, Number.MIN_VALUE, Number.MAX_VALUE, 1e21, -1e308, 0.1 + 0.2, NaN, Infinity, -Infinity),
);

const leaf = (strings: fc.Arbitrary<string>): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.boolean() }, { weight: 2, arbitrary: number }, { weight: 3, arbitrary: strings });

/** Depths of nesting: the shallow ones often, up to 10 000. */
export const DEPTHS = [2, 10, 100, 1_000, 4_000, 8_000, 8_150, 10_000] as const;

/**
 * `inner` wrapped `depth` times, in lists, in objects under `key`, or alternating. Kept as this
 * description and written out by jsonText: JSON.stringify of Node 20 overflows its stack a few
 * thousand levels down (as does socket.io-client, which stringifies what it sends), while
 * JSON.parse on the server takes 10 000 levels.
 */
export class Deep {
  constructor(
    readonly inner: unknown,
    readonly depth: number,
    readonly how: 'array' | 'object' | 'mixed',
    readonly key: string,
  ) {}

  toText(): string {
    const keyText = `${JSON.stringify(this.key)}:`;
    let open = '';
    let close = '';
    for (let i = 0; i < this.depth; i++) {
      const asArray = this.how === 'array' || (this.how === 'mixed' && i % 2 === 0);
      open += asArray ? '[' : `{${keyText}`;
      close = (asArray ? ']' : '}') + close;
    }
    return `${open}${jsonText(this.inner)}${close}`;
  }
}

/** JSON text of a value as JSON.stringify writes it (a Buffer as its toJSON; NaN as null), Deep values written out. */
export function jsonText(v: unknown): string {
  if (v instanceof Deep) return v.toText();
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined || typeof x === 'function' ? 'null' : jsonText(x))).join(',')}]`;
  if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) {
    return `{${Object.entries(v)
      .filter(([, x]) => x !== undefined && typeof x !== 'function')
      .map(([k, x]) => `${JSON.stringify(k)}:${jsonText(x)}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** Whether a Deep value is anywhere in `v` (then only jsonText can write it). */
export function hasDeep(v: unknown): boolean {
  if (v instanceof Deep) return true;
  if (Array.isArray(v)) return v.some(hasDeep);
  if (v !== null && typeof v === 'object' && !Buffer.isBuffer(v)) return Object.values(v).some(hasDeep);
  return false;
}

export interface ValueOptions {
  /** Buffers among the values (socket.io sends them as binary attachments). */
  binary?: boolean;
  /** Extra leaves (say checkpoint ids a route knows). */
  leaves?: fc.Arbitrary<unknown>;
}

/** Any JSON value (with Buffers when `binary`), hostile as above. */
export function hostileValue(opts: ValueOptions = {}): fc.Arbitrary<unknown> {
  const strings = fc.oneof({ weight: 8, arbitrary: fc.string({ maxLength: 16 }) }, { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 8 }) }, { weight: 1, arbitrary: bigString() });
  const leaves: fc.Arbitrary<unknown>[] = [leaf(strings)];
  if (opts.leaves) leaves.push(opts.leaves);
  if (opts.binary) {
    leaves.push(
      fc.oneof(
        { weight: 4, arbitrary: fc.uint8Array({ maxLength: 64 }).map((a) => Buffer.from(a)) },
        { weight: 1, arbitrary: fc.constantFrom(0, 16_000, 16_385, 40_000).map((n) => Buffer.alloc(n, 0xa5)) },
        // A placeholder as socket.io-parser writes one for an attachment: in a binary packet, one
        // that points past the attachments is refused ("illegal attachments").
        { weight: 1, arbitrary: fc.record({ _placeholder: fc.constantFrom<unknown>(true, 1, 'true'), num: fc.oneof(fc.integer({ min: -1, max: 4 }), fc.constant('0')) }) },
      ),
    );
  }
  const { value } = fc.letrec<{ value: unknown; array: unknown[]; object: Record<string, unknown> }>((tie) => ({
    value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, ...leaves, tie('array'), tie('object')),
    array: fc.array(tie('value'), { maxLength: 4 }),
    object: fc.array(fc.tuple(key, tie('value')), { maxLength: 4 }).map((entries) => Object.fromEntries(entries)),
  }));
  const deep = fc
    .record({ inner: value, depth: fc.constantFrom(...DEPTHS), how: fc.constantFrom('array' as const, 'object' as const, 'mixed' as const), key })
    .map(({ inner, depth, how, key: k }) => new Deep(inner, depth, how, k));
  return fc.oneof({ weight: 10, arbitrary: value }, { weight: 1, arbitrary: deep }, { weight: 2, arbitrary: objectWithKey(value) });
}

/** An object whose own key `toString`, `valueOf`, … holds a value that is not a function: what String() of it throws on. */
export function objectWithKey(value: fc.Arbitrary<unknown>): fc.Arbitrary<Record<string, unknown>> {
  // `toString` most often: String(), `${}` and + throw on it; `valueOf` along with it as often.
  const special = fc.oneof({ weight: 3, arbitrary: fc.constant(['toString']) }, { weight: 2, arbitrary: fc.constant(['valueOf', 'toString']) }, { weight: 3, arbitrary: fc.constantFrom<string>(...SPECIAL_KEYS).map((k) => [k]) });
  return fc
    .tuple(special, value, fc.array(fc.tuple(key, value), { maxLength: 2 }))
    .map(([keys, v, more]) => Object.fromEntries([...more, ...keys.map((k) => [k, v])]));
}

/** A value as a report shows it: strings over 60 units, Buffers, and nesting past 4 levels cut short. */
export function shown(v: unknown, depth = 0): string {
  if (typeof v === 'string') return v.length > 60 ? `${JSON.stringify(v.slice(0, 40))}…(${v.length.toLocaleString('en-US')} units)` : JSON.stringify(v);
  if (Buffer.isBuffer(v)) return `<Buffer ${v.length} bytes>`;
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'function') return '<function>';
  if (v === undefined) return 'undefined';
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (v instanceof Deep) return `${v.depth.toLocaleString('en-US')} levels of ${v.how === 'array' ? '[…]' : v.how === 'object' ? `{${JSON.stringify(v.key)}:…}` : `[{${JSON.stringify(v.key)}:…}]`} around ${shown(v.inner, depth + 1)}`;
  if (depth > 4) return Array.isArray(v) ? '[…]' : '{…}';
  if (Array.isArray(v)) return `[${v.map((x) => shown(x, depth + 1)).join(',')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${JSON.stringify(k)}:${shown(x, depth + 1)}`)
    .join(',')}}`;
}
