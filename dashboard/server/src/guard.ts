/**
 * The one wrapper every input handler of the server runs in: socket.io events, Express routes
 * (through the error handler, which Express 5 hands every thrown error and rejected promise),
 * timers and callbacks. A thrown error or a rejected promise becomes an error answer, is logged
 * with the handler's name and the error's code, and counted for `/api/health`; it is never
 * rethrown. One message from one user must not end the service for every officer, manager and
 * logistics firm (a socket.io listener that throws takes the process down: nothing above it in
 * socket.io catches).
 */
import { GateWatchError, InputError } from '@gatewatch/shared';
import { RateLimited } from './errors.js';
import type { Log } from './log.js';

/** What a caller is answered: a status for REST, code and message for both. */
export interface ErrorAnswer {
  status: number;
  code: string;
  message: string;
  /** A bug (an error that is not one of ours, or a 5xx of ours): logged as an error. */
  internal: boolean;
}

/** Codes of the 4xx statuses that Express, body-parser or `send` (static files) raise with `status`. */
const STATUS_CODES: Readonly<Record<number, string>> = {
  400: 'BAD_REQUEST',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  412: 'PRECONDITION_FAILED',
  413: 'BODY_TOO_LARGE',
  415: 'BAD_BODY',
  416: 'RANGE_NOT_SATISFIABLE',
};

/**
 * Our errors (GateWatchError with an HTTP status, see errors.ts) as they are; a library's 4xx
 * (malformed URL encoding, a Range a file cannot satisfy) by its status; anything else is an
 * internal error whose message stays in the log.
 */
export function errorAnswer(error: unknown): ErrorAnswer {
  if (error instanceof InputError) return { status: 400, code: error.code, message: error.message, internal: false };
  if (error instanceof GateWatchError && typeof (error as { status?: unknown }).status === 'number') {
    const s = (error as unknown as { status: number }).status;
    // 502/503: a service behind us is down, not a bug of ours.
    return { status: s, code: error.code, message: error.message, internal: s === 500 };
  }
  const status = typeof error === 'object' && error !== null ? ((error as { status?: unknown }).status ?? (error as { statusCode?: unknown }).statusCode) : undefined;
  if (typeof status === 'number' && STATUS_CODES[status] !== undefined) {
    return { status, code: STATUS_CODES[status], message: libraryMessage(status), internal: false };
  }
  return { status: 500, code: 'INTERNAL', message: 'internal error', internal: true };
}

/** A library's own message may quote the input (a path, a header): ours say what is wrong without echoing it. */
function libraryMessage(status: number): string {
  switch (status) {
    case 400:
      return 'the request cannot be read (malformed URL encoding or syntax)';
    case 404:
      return 'nothing here';
    case 412:
      return 'the file has changed (If-Match / If-Unmodified-Since)';
    case 416:
      return 'the requested range is not in the file';
    default:
      return `refused (${status})`;
  }
}

/** Bound on the names counted: handler names are a fixed set, but be safe against a made-up one per request. */
const MAX_NAMES = 200;

/** Error answers counted by handler and code, for `/api/health`. */
export interface HandlerErrorStats {
  /** Errors that were bugs (500, an exception of no known kind): should stay 0. */
  internal: number;
  /** Requests and events refused with a 4xx or an error acknowledgement. */
  refused: number;
  /** Per handler (`GET /api/v1/history/queue`, `socket watch`), per code. */
  byHandler: Record<string, Record<string, number>>;
}

export class HandlerErrors {
  private internal = 0;
  private refused = 0;
  private readonly byHandler = new Map<string, Map<string, number>>();

  record(handler: string, answer: ErrorAnswer): void {
    if (answer.internal) this.internal++;
    else this.refused++;
    const name = this.byHandler.has(handler) || this.byHandler.size < MAX_NAMES ? handler : 'other';
    let codes = this.byHandler.get(name);
    if (!codes) this.byHandler.set(name, (codes = new Map()));
    codes.set(answer.code, (codes.get(answer.code) ?? 0) + 1);
  }

  stats(): HandlerErrorStats {
    const byHandler: Record<string, Record<string, number>> = {};
    for (const [name, codes] of [...this.byHandler].sort(([a], [b]) => a.localeCompare(b))) byHandler[name] = Object.fromEntries(codes);
    return { internal: this.internal, refused: this.refused, byHandler };
  }
}

/**
 * Logs error answers: a bug at error level with its stack, a refusal at info; each (handler,
 * code) at most once a minute, with the number of like answers since its last line, so that a
 * fuzzer's or an attacker's flood names itself without flooding the log.
 */
export class AnswerLog {
  private readonly last = new Map<string, { atMs: number; since: number }>();

  constructor(
    private readonly log: Log,
    private readonly now: () => number = Date.now,
    private readonly everyMs = 60_000,
  ) {}

  write(handler: string, answer: ErrorAnswer, error: unknown): void {
    const key = `${handler}\n${answer.code}`;
    const t = this.now();
    const seen = this.last.get(key);
    if (seen && t - seen.atMs < this.everyMs) {
      seen.since++;
      return;
    }
    if (this.last.size >= 1000) this.last.clear();
    this.last.set(key, { atMs: t, since: 0 });
    const alike = seen?.since ? { alikeSinceLastLine: seen.since } : {};
    if (answer.internal) this.log.error({ handler, code: answer.code, err: error, ...alike }, 'handler failed');
    else this.log.info({ handler, code: answer.code, message: answer.message.slice(0, 200), ...alike }, 'refused');
  }
}

/** A socket acknowledgement of a refusal (WatchReply and the like). */
export interface ErrorAck {
  ok: false;
  code: string;
  error: string;
  /** A RATE_LIMITED refusal: the seconds to wait. */
  retryAfterS?: number;
}

/**
 * Guards the handlers of one kind of input (socket events, timers): `guard(name, fn)` returns a
 * function that calls `fn` and turns a throw or a rejection into a count, a log line and, when
 * the caller passed an acknowledgement function as its last argument, `{ok: false, code, error}`.
 */
export class Guard {
  private readonly answers: AnswerLog;

  constructor(private readonly deps: { log: Log; errors: HandlerErrors; now?: () => number }) {
    this.answers = new AnswerLog(deps.log, deps.now);
  }

  /** The stats of every guarded handler (REST's error handler counts into the same). */
  get errors(): HandlerErrors {
    return this.deps.errors;
  }

  /** Records and logs a refusal decided without an error (Node's parser refusing a request). */
  refused(handler: string, answer: ErrorAnswer): void {
    this.deps.errors.record(handler, answer);
    this.answers.write(handler, answer, undefined);
  }

  /** Records and logs a failure of `handler`; what to answer. */
  failed(handler: string, error: unknown): ErrorAnswer {
    const answer = errorAnswer(error);
    this.deps.errors.record(handler, answer);
    this.answers.write(handler, answer, error);
    return answer;
  }

  /**
   * A socket event listener: `fn` gets the event's arguments (unknown: anyone may send
   * anything) and the acknowledgement function if the client sent one (else a no-op). Its return
   * value (or the promise's) is sent as the acknowledgement when it is not undefined.
   */
  event(name: string, fn: (args: unknown[], ack: (reply: unknown) => void) => unknown): (...args: unknown[]) => void {
    const handler = `socket ${name}`;
    return (...args: unknown[]) => {
      const last = args.at(-1);
      const ack = typeof last === 'function' ? (last as (reply: unknown) => void) : undefined;
      let acked = false;
      const reply = (r: unknown): void => {
        if (acked || !ack) return;
        acked = true;
        try {
          ack(r);
        } catch (error) {
          this.failed(`${handler} ack`, error);
        }
      };
      const refuse = (error: unknown): void => {
        const a = this.failed(handler, error);
        const wait = error instanceof RateLimited ? { retryAfterS: error.retryAfterS } : {};
        reply({ ok: false, code: a.code, error: a.message, ...wait } satisfies ErrorAck);
      };
      try {
        const result = fn(ack ? args.slice(0, -1) : args, reply);
        if (result instanceof Promise) result.then((r: unknown) => r !== undefined && reply(r), refuse);
        else if (result !== undefined) reply(result);
      } catch (error) {
        refuse(error);
      }
    };
  }

  /** A callback with no one to answer (a timer, a broker message, a session ending): counted and logged. */
  callback<A extends unknown[]>(name: string, fn: (...args: A) => unknown): (...args: A) => void {
    return (...args: A) => {
      try {
        const result = fn(...args);
        if (result instanceof Promise) result.catch((error: unknown) => this.failed(name, error));
      } catch (error) {
        this.failed(name, error);
      }
    };
  }
}
