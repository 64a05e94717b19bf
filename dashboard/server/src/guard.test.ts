import { describe, expect, it } from 'vitest';
import { GateWatchError, InputError } from '@gatewatch/shared';
import { BadRequest, RateLimited, UpstreamError } from './errors.js';
import { AnswerLog, errorAnswer, Guard, HandlerErrors } from './guard.js';
import { createLog, silentLog } from './log.js';
import { Writable } from 'node:stream';

const guard = () => new Guard({ log: silentLog(), errors: new HandlerErrors() });
const flush = () => new Promise((r) => setImmediate(r));

describe('the handler guard', () => {
  it("answers a throwing socket handler's caller with an error acknowledgement, counts it, and throws nothing", () => {
    const g = guard();
    const replies: unknown[] = [];
    const listener = g.event('watch', ([checkpoint]) => String(checkpoint));
    // The original bug: String() of an object whose toString is not a function.
    expect(() => listener({ toString: 'x' }, (r: unknown) => replies.push(r))).not.toThrow();
    expect(replies).toEqual([{ ok: false, code: 'INTERNAL', error: 'internal error' }]);
    expect(g.errors.stats()).toEqual({ internal: 1, refused: 0, byHandler: { 'socket watch': { INTERNAL: 1 } } });
  });

  it('answers a refusal with its code and message, and without an acknowledgement function only counts it', () => {
    const g = guard();
    const replies: unknown[] = [];
    const listener = g.event('watch', () => {
      throw new BadRequest('checkpoint', 'unknown checkpoint', { toString: 'x' });
    });
    listener('x', (r: unknown) => replies.push(r));
    listener('x');
    listener('x', 'not a function');
    expect(replies).toEqual([{ ok: false, code: 'BAD_PARAMETER', error: 'checkpoint: unknown checkpoint (is a mapping)' }]);
    expect(g.errors.stats()).toMatchObject({ internal: 0, refused: 3 });
  });

  it('acknowledges what the handler returns, or what its promise resolves to; a rejection is an error acknowledgement', async () => {
    const g = guard();
    const replies: unknown[] = [];
    const ack = (r: unknown) => replies.push(r);
    g.event('a', () => ({ ok: true }))(1, ack);
    g.event('b', async () => ({ ok: true, later: 1 }))(1, ack);
    g.event('c', () => Promise.reject(new UpstreamError('InfluxDB did not answer')))(1, ack);
    // The arguments come without the acknowledgement function.
    g.event('d', (args) => ({ args }))(1, 2, ack);
    await flush();
    expect(replies).toEqual([{ ok: true }, { args: [1, 2] }, { ok: true, later: 1 }, { ok: false, code: 'INFLUX_UNAVAILABLE', error: 'InfluxDB did not answer' }]);
    // An upstream outage is not a bug of ours.
    expect(g.errors.stats().internal).toBe(0);
  });

  it("survives an acknowledgement function that throws, and acknowledges once", () => {
    const g = guard();
    let calls = 0;
    const listener = g.event('watch', (_args, reply) => {
      reply({ ok: true });
      return { ok: true };
    });
    expect(() =>
      listener('x', () => {
        calls++;
        throw new Error('client gone');
      }),
    ).not.toThrow();
    expect(calls).toBe(1);
    expect(g.errors.stats().byHandler['socket watch ack']).toEqual({ INTERNAL: 1 });
  });

  it('guards callbacks with no one to answer: timers, broker messages, sessions ending', async () => {
    const g = guard();
    expect(() => g.callback('corridor tick', () => JSON.parse('{'))()).not.toThrow();
    g.callback('live records', async () => Promise.reject(new Error('later')))();
    await flush();
    expect(g.errors.stats()).toEqual({ internal: 2, refused: 0, byHandler: { 'corridor tick': { INTERNAL: 1 }, 'live records': { INTERNAL: 1 } } });
  });
});

describe('errorAnswer', () => {
  it("keeps our errors' status and code, a library's 4xx by its status without echoing the input, and anything else as internal", () => {
    expect(errorAnswer(new RateLimited(5, 'slow down'))).toEqual({ status: 429, code: 'RATE_LIMITED', message: 'slow down', internal: false });
    expect(errorAnswer(Object.assign(new URIError('URI malformed: %zz'), { status: 400 }))).toEqual({
      status: 400,
      code: 'BAD_REQUEST',
      message: 'the request cannot be read (malformed URL encoding or syntax)',
      internal: false,
    });
    expect(errorAnswer(Object.assign(new Error('Range Not Satisfiable'), { statusCode: 416 }))).toMatchObject({ status: 416, code: 'RANGE_NOT_SATISFIABLE' });
    expect(errorAnswer(new TypeError('Cannot convert object to primitive value'))).toEqual({ status: 500, code: 'INTERNAL', message: 'internal error', internal: true });
    expect(errorAnswer(Object.assign(new Error('x'), { status: 599 }))).toMatchObject({ status: 500, internal: true });
    expect(errorAnswer('a string')).toMatchObject({ status: 500, internal: true });
    // Input refused by a shared decoder is the sender's; any other error of ours without a status is a bug.
    expect(errorAnswer(new InputError('BAD_JSON', 'not JSON', 'payload'))).toEqual({ status: 400, code: 'BAD_JSON', message: 'payload: not JSON', internal: false });
    expect(errorAnswer(new GateWatchError('SOMETHING', 'unexpected'))).toMatchObject({ status: 500, code: 'INTERNAL', internal: true });
  });

  it('counts at most 200 handler names, the rest as other', () => {
    const errors = new HandlerErrors();
    for (let i = 0; i < 300; i++) errors.record(`GET /made-up/${i}`, { status: 404, code: 'NOT_FOUND', message: '', internal: false });
    const { byHandler, refused } = errors.stats();
    expect(Object.keys(byHandler)).toHaveLength(201);
    expect(byHandler['other']).toEqual({ NOT_FOUND: 100 });
    expect(refused).toBe(300);
  });
});

describe('AnswerLog', () => {
  it('writes each handler and code at most once a minute, with how many alike came in between', () => {
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({ write: (chunk: Buffer, _e, done) => (lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>), done()) });
    let t = 0;
    const out = new AnswerLog(createLog({ destination }), () => t);
    const refusal = errorAnswer(new BadRequest('checkpoint', 'unknown checkpoint', 'x'));
    for (let i = 0; i < 1000; i++) out.write('socket watch', refusal, undefined);
    out.write('socket watch', errorAnswer(new TypeError('bug')), new TypeError('bug'));
    t += 60_000;
    out.write('socket watch', refusal, undefined);
    expect(lines.map((l) => [l['level'], l['handler'], l['code'], l['alikeSinceLastLine']])).toEqual([
      ['info', 'socket watch', 'BAD_PARAMETER', undefined],
      ['error', 'socket watch', 'INTERNAL', undefined],
      ['info', 'socket watch', 'BAD_PARAMETER', 999],
    ]);
    expect((lines[1]!['err'] as { stack: string }).stack).toMatch(/TypeError: bug/);
  });
});
