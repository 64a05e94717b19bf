/**
 * Fuzz target: every socket.io event the dashboard listens to (`watch(checkpoint, ack)`,
 * `unwatch(checkpoint)`), and unknown event names, sent by raw socket.io-client sockets to the
 * real server process (fuzz/server.ts): signed in as an officer or a manager (cookie header),
 * signed in but from a foreign page (Origin: treated as public), with a cookie that is no
 * session, and not signed in.
 *
 * One input is one message: an event with 0 to 3 hostile values (fuzz/values.ts, Buffers among
 * them: binary attachments) and a function ack, no ack, or a last value that looks like one; or a
 * raw socket.io packet (any type digit, namespace, ack id, attachment count, body), which also
 * carries the reserved event names that the client refuses to send. Values nested deeper than
 * the client can stringify go out as the same event written as text.
 *
 * After each message the same socket sends `watch('fuzz-sync', ack)`: socket.io handles a
 * socket's packets in order, so its answer says that the message was handled without killing
 * the process. The property, per message:
 * - the process is still up (the crash report names the message and shows the server's stderr);
 * - every ack that comes back is `{ ok: true }` or `{ ok: false, code?, error }` (docs), and
 *   never `INTERNAL` (a handler that threw, caught by the server's guard);
 * - the server logs no error (its guard logs a handler that threw);
 * - a message over the server's maxHttpBufferSize (16 kB, per message and per attachment) closes
 *   the socket (docs: the documented refusal; the target reconnects and goes on); one well under
 *   it, well-formed and sent through the client, does not;
 * - after every 1 000 messages and at the end, `/api/health` answers within 1 s with no internal
 *   errors counted (Watchdog), and at the end the heap after GC is within 20 % of the start's.
 */
import fc from 'fast-check';
import { io as ioClient, type Socket } from 'socket.io-client';
import type { AsyncFuzzTarget, FuzzCounts } from '@gatewatch/shared/fuzzing';
import { CHECKPOINTS } from '../fixture.js';
import type { FuzzServer } from './server.js';
import { Watchdog } from './watchdog.js';
import { hasDeep, hostileValue, jsonText, shown } from './values.js';

/** The server's maxHttpBufferSize (live/sockets.ts): a larger websocket message closes the socket. */
export const MAX_MESSAGE_BYTES = 16_384;
/** What engine.io and socket.io add around the JSON of an event (`42`, an ack id, `51-`), at most. */
const FRAMING_BYTES = 16;

type Who = 'officer' | 'manager' | 'foreignOrigin' | 'badCookie' | 'public';
const WHO: readonly Who[] = ['officer', 'manager', 'foreignOrigin', 'badCookie', 'public'];

/** The client refuses to emit these; they go out as raw packets. */
const CLIENT_RESERVED = new Set(['connect', 'connect_error', 'disconnect', 'disconnecting', 'newListener', 'removeListener']);

type Ack = { kind: 'function' } | { kind: 'none' } | { kind: 'value'; value: unknown };

export type SocketInput =
  | { kind: 'emit'; who: Who; event: string; args: unknown[]; ack: Ack }
  | { kind: 'raw'; who: Who; packet: string };

const checkpointish = fc.constantFrom<unknown>(
  ...CHECKPOINTS.map((c) => c.id),
  'KIM-THANH-ROAD',
  'kim-thanh-road ',
  ' kim-thanh-road',
  'kim-thanh-road\u0000',
  '',
  'corridor',
  'checkpoint:kim-thanh-road',
  'session:x',
  'toString',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'x'.repeat(65),
);

const eventName = fc.oneof(
  { weight: 6, arbitrary: fc.constant('watch') },
  { weight: 3, arbitrary: fc.constant('unwatch') },
  {
    weight: 3,
    arbitrary: fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('error', 'toString', '__proto__', 'constructor', 'hasOwnProperty', 'connection', 'checkpoint', 'corridor', 'queue', 'WATCH', 'watch ', 'message', ...CLIENT_RESERVED),
    ),
  },
);

function inputs(): fc.Arbitrary<SocketInput> {
  const value = hostileValue({ binary: true, leaves: checkpointish });
  const firstArg = fc.oneof({ weight: 2, arbitrary: checkpointish }, { weight: 3, arbitrary: value });
  const args = fc.oneof(
    { weight: 1, arbitrary: fc.constant<unknown[]>([]) },
    { weight: 6, arbitrary: firstArg.map((a) => [a]) },
    { weight: 2, arbitrary: fc.tuple(firstArg, fc.array(value, { minLength: 1, maxLength: 2 })).map(([a, more]) => [a, ...more]) },
  );
  const ack = fc.oneof(
    { weight: 4, arbitrary: fc.constant<Ack>({ kind: 'function' }) },
    { weight: 2, arbitrary: fc.constant<Ack>({ kind: 'none' }) },
    // Looks like an ack to a listener that takes the second value as one without checking.
    { weight: 2, arbitrary: fc.oneof(fc.constantFrom<unknown>('ack', 'function', 0, 1, true, null, {}, [], { call: 'x' }, { apply: 1 }), value).map((v): Ack => ({ kind: 'value', value: v })) },
  );
  const emit = fc.record({ kind: fc.constant('emit' as const), who: fc.constantFrom(...WHO), event: eventName, args, ack });
  const raw = fc.record({ kind: fc.constant('raw' as const), who: fc.constantFrom(...WHO), packet: rawPacket(value) });
  // A failure report prints the input through this, not fast-check's full text of a megabyte string.
  return fc.oneof({ weight: 12, arbitrary: emit }, { weight: 1, arbitrary: raw }).map((i): SocketInput => Object.assign(i, { [fc.toStringMethod]: () => showInput(i) }));
}

/** A socket.io packet as text, `<type>[<n>-][<nsp>,][<id>][<json>]`, its parts any of the valid ones or not. */
function rawPacket(value: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const body = fc.oneof(
    fc.tuple(fc.oneof(eventName, fc.constantFrom<unknown>(0, 1, -1, null, 1.5)), fc.array(value, { maxLength: 2 })).map(([name, rest]) => jsonText([name, ...rest])),
    value.map(jsonText),
    fc.string({ maxLength: 20 }),
    fc.constantFrom('', '[', '["watch"', '{"a":1}', '[]', 'null', '[["watch"]]', '["watch",{"toString":"x"}]'),
  );
  return fc
    .record({
      type: fc.oneof({ weight: 6, arbitrary: fc.constantFrom('0', '2', '3', '4', '5', '6') }, { weight: 1, arbitrary: fc.constant('1') }, { weight: 1, arbitrary: fc.string({ maxLength: 2 }) }),
      attachments: fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.oneof(fc.nat(3).map(String), fc.constantFrom('', 'x', '-1', '99999999999')).map((n) => `${n}-`) }),
      nsp: fc.constantFrom('', '', '', '/,', '/admin,', '/%,', '//,', 'x,'),
      id: fc.oneof({ weight: 3, arbitrary: fc.constant('') }, { weight: 1, arbitrary: fc.oneof(fc.nat().map(String), fc.constantFrom('9'.repeat(30), '-1', '1e3', '0x10')) }),
      body,
    })
    .map(({ type, attachments, nsp, id, body: b }) => `${type}${attachments}${nsp}${id}${b}`);
}

/** The input as a report shows it. */
export function showInput(i: SocketInput): string {
  if (i.kind === 'raw') return `${i.who} socket sends the raw packet ${shown(i.packet)}`;
  const ack = i.ack.kind === 'function' ? ', ack function' : i.ack.kind === 'value' ? `, then the non-function ${shown(i.ack.value)}` : ', no ack';
  return `${i.who} socket emits ${JSON.stringify(i.event)}(${i.args.map((a) => shown(a)).join(', ')}${ack})`;
}

interface Size {
  /** Over the limit for sure: the server must close the socket. */
  over: boolean;
  /** Near the limit (the framing is estimated): either outcome. */
  near: boolean;
  binary: boolean;
  /** An object that socket.io-parser takes for an attachment placeholder. */
  placeholder: boolean;
}

/** What socket.io-client will send for these values: the JSON text without the Buffers, and each Buffer as a message of its own. */
function sizeOf(event: string, args: unknown[]): Size {
  let binary = false;
  let placeholder = false;
  let biggestBuffer = 0;
  // Iterative: values nest 10 000 deep.
  const stack: unknown[] = [args];
  while (stack.length) {
    const v = stack.pop();
    if (Buffer.isBuffer(v)) {
      binary = true;
      biggestBuffer = Math.max(biggestBuffer, v.length);
    } else if (Array.isArray(v)) stack.push(...v);
    else if (v !== null && typeof v === 'object') {
      if (Object.prototype.hasOwnProperty.call(v, '_placeholder')) placeholder = true;
      stack.push(...Object.values(v));
    }
  }
  // socket.io-client copies a binary packet's objects key by key (`copy[key] = …`): an own
  // `__proto__` key becomes the copy's prototype, and is not sent.
  const text = Buffer.byteLength(JSON.stringify([event, ...args], (k, v: unknown) => (binary && k === '__proto__' ? undefined : isBufferJson(v) ? { _placeholder: true, num: 0 } : v)) ?? '');
  const over = text > MAX_MESSAGE_BYTES || biggestBuffer > MAX_MESSAGE_BYTES;
  const near = !over && text + FRAMING_BYTES > MAX_MESSAGE_BYTES;
  return { over, near, binary, placeholder };
}

/** A Buffer as JSON.stringify hands it to a replacer (after its toJSON). */
function isBufferJson(v: unknown): boolean {
  return v !== null && typeof v === 'object' && (v as { type?: unknown }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data) && Object.keys(v).length === 2;
}

/**
 * An ack as docs/dashboard.md has it: `{ ok: true }` or `{ ok: false, code?, error }` (a
 * `RATE_LIMITED` one with `retryAfterS`, whole seconds), the code text; `INTERNAL` is a handler
 * that threw (the guard caught it): a finding, not an answer.
 */
function checkAck(r: unknown[], what: string): boolean {
  const a = r[0] as { ok?: unknown; code?: unknown; error?: unknown; retryAfterS?: unknown } | null;
  const keys = a !== null && typeof a === 'object' ? Object.keys(a).sort().join(',') : '';
  const refusal = (k: string): boolean =>
    k === 'error,ok' ||
    (k === 'code,error,ok' && typeof a?.code === 'string') ||
    (k === 'code,error,ok,retryAfterS' && a?.code === 'RATE_LIMITED' && Number.isInteger(a.retryAfterS) && (a.retryAfterS as number) > 0);
  const good = r.length === 1 && a !== null && typeof a === 'object' && ((a.ok === true && keys === 'ok') || (a.ok === false && typeof a.error === 'string' && refusal(keys)));
  if (!good) throw new Error(`${what}: the ack came back as ${shown(r)}, not { ok: true } or { ok: false, code?: string, error: string, retryAfterS? }`);
  if (a.code === 'INTERNAL') throw new Error(`${what}: the ack says a handler threw: ${shown(a)}`);
  return a.ok === true;
}

const SYNC_TIMEOUT_MS = 5_000;
/** The ack id of an event written as text (a deep one): far above the ids the client hands out. */
const DEEP_ACK_ID = 900_000_000;

export interface SocketTargetStats {
  closedOversized: number;
  closedOther: number;
  reconnects: number;
}

/** The socket events target against `server`: warm-up heap after `warmup` messages. */
export function socketEventsTarget(server: FuzzServer, warmup: number): AsyncFuzzTarget<[SocketInput]> & { watchdog: Watchdog; stats: SocketTargetStats; close(): void } {
  const watchdog = new Watchdog(server, warmup);
  const sockets = new Map<Who, Socket>();
  const stats: SocketTargetStats = { closedOversized: 0, closedOther: 0, reconnects: 0 };

  const open = async (who: Who): Promise<Socket> => {
    const have = sockets.get(who);
    if (have?.connected) return have;
    have?.disconnect();
    stats.reconnects++;
    const extraHeaders: Record<string, string> = {};
    if (who === 'officer' || who === 'manager') extraHeaders['cookie'] = server.cookies[who];
    if (who === 'foreignOrigin') {
      extraHeaders['cookie'] = server.cookies.officer;
      extraHeaders['origin'] = 'https://evil.example';
    }
    if (who === 'badCookie') extraHeaders['cookie'] = `gw_session=${'A'.repeat(43)}; gw_session=; toString=x`;
    const s = ioClient(server.url, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the ${who} socket did not connect within 5 s`)), 5_000);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
      s.once('connect_error', (e) => {
        clearTimeout(timer);
        reject(new Error(`the ${who} socket could not connect: ${e.message}`));
      });
    }).catch(async (error: unknown) => {
      s.disconnect();
      if (await server.exitedWithin(2000)) throw new Error(server.crash(`(a socket could not connect)\n  the last inputs:\n${watchdog.lastInputs()}`));
      throw error;
    });
    sockets.set(who, s);
    return s;
  };

  /** `watch('fuzz-sync')` on the same socket: 'acked' once everything sent before it was handled. */
  const sync = (s: Socket): Promise<'acked' | 'closed' | 'timeout'> =>
    new Promise((resolve) => {
      if (!s.connected) return resolve('closed');
      const done = (r: 'acked' | 'closed' | 'timeout'): void => {
        clearTimeout(timer);
        s.off('disconnect', onClose);
        resolve(r);
      };
      const onClose = (): void => done('closed');
      const timer = setTimeout(() => done('timeout'), SYNC_TIMEOUT_MS);
      s.on('disconnect', onClose);
      s.emit('watch', 'fuzz-sync', (...r: unknown[]) => {
        syncReply = r;
        done('acked');
      });
    });
  let syncReply: unknown[] = [];

  /** sync, its own ack checked (outside socket.io's callback: a throw there would be the client's uncaught error). */
  const synced = async (s: Socket): Promise<'acked' | 'closed' | 'timeout'> => {
    const r = await sync(s);
    if (r === 'acked') checkAck(syncReply, "watch('fuzz-sync')");
    return r;
  };

  const feed = async (input: SocketInput, counts: FuzzCounts): Promise<void> => {
    const s = await open(input.who);
    const replies: unknown[][] = [];
    let size: Size = { over: false, near: false, binary: false, placeholder: false };
    if (input.kind === 'raw' || CLIENT_RESERVED.has(input.event)) {
      const packet = input.kind === 'raw' ? input.packet : `2${jsonText([input.event, ...input.args])}`;
      s.io.engine.write(packet);
      // A raw packet may end the namespace's socket without a word to the client (type 1: no
      // answer to wait for), or leave the server waiting for attachments: the socket is not used again.
      const r = packet.startsWith('1') ? 'closed' : await Promise.race([synced(s), new Promise<'timeout'>((res) => setTimeout(() => res('timeout'), 300))]);
      s.disconnect();
      sockets.delete(input.who);
      if (r !== 'acked') await server.health();
      return;
    }
    if (input.kind === 'emit' && hasDeep(input.args)) {
      // Deeper than the client can stringify: the same event as text, with the ack id the client would give it.
      const text = jsonText([input.event, ...input.args, ...(input.ack.kind === 'value' ? [input.ack.value] : [])]);
      if (input.ack.kind === 'function') (s as unknown as { acks: Record<number, (...r: unknown[]) => void> }).acks[DEEP_ACK_ID] = (...r) => replies.push(r);
      s.io.engine.write(`2${input.ack.kind === 'function' ? DEEP_ACK_ID : ''}${text}`);
      const r = await synced(s);
      for (const reply of replies) {
        if (checkAck(reply, `${JSON.stringify(input.event)}'s own ack`)) counts.frames++;
        else counts.badFrames++;
      }
      if (r !== 'acked') {
        sockets.delete(input.who);
        await server.health();
        if (Buffer.byteLength(text) + FRAMING_BYTES <= MAX_MESSAGE_BYTES) throw new Error(`the server closed the socket after a well-formed message under ${MAX_MESSAGE_BYTES} bytes`);
        stats.closedOversized++;
      } else if (Buffer.byteLength(text) > MAX_MESSAGE_BYTES) {
        throw new Error(`the server took a message over its ${MAX_MESSAGE_BYTES}-byte limit without closing the socket`);
      }
      return;
    }
    size = sizeOf(input.event, input.ack.kind === 'value' ? [...input.args, input.ack.value] : input.args);
    if (input.ack.kind === 'function') s.emit(input.event, ...input.args, (...r: unknown[]) => replies.push(r));
    else if (input.ack.kind === 'value') s.emit(input.event, ...input.args, input.ack.value);
    else s.emit(input.event, ...input.args);
    const r = await synced(s);
    for (const reply of replies) {
      if (checkAck(reply, `${JSON.stringify(input.event)}'s own ack`)) counts.frames++;
      else counts.badFrames++;
    }
    if (r === 'timeout') {
      if (!(await server.exitedWithin(1000))) throw new Error(`no answer to watch('fuzz-sync') within ${SYNC_TIMEOUT_MS / 1000} s after the message`);
    }
    if (r !== 'acked') {
      sockets.delete(input.who);
      // Gone, or closed the socket: the health check tells which (and names the crash).
      await server.health();
      const mayClose = size.over || size.near || (size.binary && size.placeholder);
      if (!mayClose) throw new Error(`the server closed the socket after a well-formed message under ${MAX_MESSAGE_BYTES} bytes`);
      if (size.over) stats.closedOversized++;
      else stats.closedOther++;
    } else if (size.over) {
      throw new Error(`the server took a message over its ${MAX_MESSAGE_BYTES}-byte limit without closing the socket`);
    }
  };

  return {
    name: 'dashboard socket.io events',
    input: 'socket.io messages to the real server: watch, unwatch, unknown events, raw packets',
    labels: ['acks ok', 'acks refused'],
    // A failure may have killed the server: every run after it would fail too.
    shrink: false,
    watchdog,
    stats,
    close: () => {
      for (const s of sockets.values()) s.disconnect();
      sockets.clear();
    },
    property: (counts: FuzzCounts) =>
      fc.asyncProperty(inputs(), async (input) => {
        const described = showInput(input);
        watchdog.saw(described);
        try {
          await feed(input, counts);
          counts.inputs++;
          await watchdog.after(counts.inputs);
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          // Whatever the symptom (no answer, a closed socket, a refused connection), a dead
          // process is what the report says first.
          if (!message.startsWith('the server process exited') && (await server.exitedWithin(500))) {
            throw new Error(server.crash(`after the message: ${described}\n  the last inputs:\n${watchdog.lastInputs()}`), { cause: error });
          }
          if (message.startsWith('the server process exited')) throw new Error(`${message}\n  after the message: ${described}\n  the last inputs:\n${watchdog.lastInputs()}`);
          throw new Error(`${message}\n  the message: ${described}`);
        }
      }),
  };
}
