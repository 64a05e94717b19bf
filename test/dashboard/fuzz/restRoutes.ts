/**
 * Fuzz target: every REST route of docs/dashboard.md, the web app's files and unknown paths, sent
 * to the real server process (fuzz/server.ts). What is sent: fuzz/restInputs.ts and
 * fuzz/restRequestParts.ts; how: fuzz/restTransport.ts.
 *
 * The property, per answer: its status is in DOCUMENTED_STATUSES; a 5xx is a finding (a 500 is a
 * handler that threw; 502 and 503 cannot be with influxd and mosquitto up); every 4xx has the body
 * `{"error":{"code":string,"message":string}}` as JSON (a HEAD answer has no body); a route for
 * signed-in users never answers 2xx without a session; the server logs no error (its guard logs a
 * handler that threw). The process is still up after each request; every 1 000 requests and at
 * the end `/api/health` answers within 1 s with no internal errors; at the end the heap after GC
 * is within 20 % of the start's (Watchdog).
 */
import http from 'node:http';
import fc from 'fast-check';
import type { AsyncFuzzTarget, FuzzCounts } from '@gatewatch/shared/fuzzing';
import type { FuzzServer, Who } from './server.js';
import { Watchdog } from './watchdog.js';
import { FUZZ_ADDRESSES, inputs, showInput, type RestInput } from './restInputs.js';
import { cookieHeader, sendHttp, sendRaw, type Answer } from './restTransport.js';

/**
 * Every status the dashboard answers over HTTP, and nothing else: the list of docs/dashboard.md
 * ("REST"). 200; 204 (sign-out, a CORS preflight); for the web app's files 206, 304, 412 and 416
 * (ranges and caches); 400 (a parameter, a body, or a request Node cannot read); 401; 403; 404;
 * 408 (too slow to send); 413 (a body over 16 kB); 415 (a body not JSON in UTF-8); 429 (rate
 * limits and sign-in holds); 431 (URL and headers over 16 kB); 500 (a bug); 502 (InfluxDB did
 * not answer); 503 (`/api/health` with a service down). Every 4xx and 5xx with the JSON error
 * body. With influxd and mosquitto up, as in the fuzz runs, a 5xx is a finding, not an answer: a
 * 500 is a handler that threw.
 */
export const DOCUMENTED_STATUSES: readonly number[] = [200, 204, 206, 304, 400, 401, 403, 404, 408, 412, 413, 415, 416, 429, 431, 500, 502, 503];

/** What routes for signed-in users answer as a whole (`/api/auth/me`, history): only after the route's own path, as sent, unchanged in meaning. */
const MEANS_ROUTE = new Set(['asIs', 'upper', 'trailingSlash']);

/** The property's checks of one answer. Throws saying what is wrong. */
function checkAnswer(a: Answer, i: RestInput, first: boolean): void {
  if (!DOCUMENTED_STATUSES.includes(a.status)) throw new Error(`status ${a.status} is not among the documented ones (${DOCUMENTED_STATUSES.join(', ')})`);
  if (a.status >= 500) throw new Error(`status ${a.status}: ${a.status === 500 ? 'a handler threw' : 'a service is down, with influxd and mosquitto up'}; body ${a.body.toString().slice(0, 300)}`);
  const headAnswer = first && i.method === 'HEAD' && a.body.length === 0;
  if (a.status >= 400 && !headAnswer) {
    const type = String(a.headers['content-type'] ?? '');
    if (!/^application\/json\b/.test(type)) throw new Error(`a ${a.status} answer of type '${type}', not JSON: ${JSON.stringify(a.body.toString().slice(0, 200))}`);
    let e: unknown;
    try {
      e = JSON.parse(a.body.toString());
    } catch {
      throw new Error(`a ${a.status} answer whose body is not JSON: ${JSON.stringify(a.body.toString().slice(0, 200))}`);
    }
    const err = (e as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const shape = e !== null && typeof e === 'object' && Object.keys(e).join() === 'error' && err !== null && typeof err === 'object' && Object.keys(err).sort().join() === 'code,message';
    if (!shape || typeof err.code !== 'string' || typeof err.message !== 'string') {
      throw new Error(`a ${a.status} answer whose body is not {"error":{"code":string,"message":string}}: ${a.body.toString().slice(0, 300)}`);
    }
  }
  if (first && i.method === 'HEAD' && a.body.length > 0 && !(i.transport === 'raw' && [400, 408, 431].includes(a.status))) throw new Error(`a HEAD answer with a body of ${a.body.length} bytes`);
  const signedIn = i.cookie === 'officer' || i.cookie === 'manager' || i.cookie === 'both';
  // GET and HEAD: what they answer is the data (an OPTIONS 200 is Express's list of methods).
  if (first && i.route.signedIn && (i.method === 'GET' || i.method === 'HEAD') && MEANS_ROUTE.has(i.pathKind) && !signedIn && a.status >= 200 && a.status < 300) {
    throw new Error(`${i.route.path} answered ${a.status} without a session`);
  }
}

export interface RestTargetStats {
  byStatus: Record<number, number>;
  /** Connections reset before an answer (a body refused unread). */
  resets: number;
  relogins: number;
}

/** The REST target against `server`: warm-up heap after `warmup` requests. */
export function restRoutesTarget(server: FuzzServer, warmup: number): AsyncFuzzTarget<[RestInput]> & { watchdog: Watchdog; stats: RestTargetStats; close(): void } {
  const watchdog = new Watchdog(server, warmup);
  const agents = FUZZ_ADDRESSES.map((localAddress) => new http.Agent({ keepAlive: true, maxSockets: 1, localAddress }));
  const stats: RestTargetStats = { byStatus: {}, resets: 0, relogins: 0 };
  // A session that has ended: signed in, then out (the first request that needs it makes it).
  let ended: string | undefined;

  const feed = async (i: RestInput, counts: FuzzCounts): Promise<void> => {
    if (i.cookie === 'ended' && ended === undefined) {
      const kept = server.cookies.officer;
      await server.login('officer');
      ended = server.cookies.officer;
      await server.logout(ended);
      server.cookies.officer = kept;
    }
    const cookie = cookieHeader(server, i.cookie, ended ?? '');
    let answers: Answer[];
    try {
      answers = i.transport === 'raw' ? await sendRaw(server, i, cookie) : await sendHttp(server, agents, i, cookie);
    } catch (error) {
      // Refused or reset: a dead server, or (said as it is) a connection the server dropped unanswered.
      await server.health();
      throw error;
    }
    if (answers.length === 0) {
      stats.resets++;
      await server.health();
    }
    answers.forEach((a, n) => {
      stats.byStatus[a.status] = (stats.byStatus[a.status] ?? 0) + 1;
      checkAnswer(a, i, n === 0);
      if (n === 0) {
        if (a.status < 400) counts.frames++;
        else counts.badFrames++;
      }
    });
    // A sign-in or sign-out may have ended the session the input carried: keep the harness's.
    if (/log(in|out)/i.test(i.target) && i.cookie !== 'none') {
      for (const who of ['officer', 'manager'] as Who[]) {
        const before = server.cookies[who];
        await server.keepSignedIn(who);
        if (server.cookies[who] !== before) stats.relogins++;
      }
    }
  };

  return {
    name: 'dashboard REST routes',
    input: 'HTTP requests to the real server: every route, method, query, header and body',
    labels: ['answers below 400', 'error answers'],
    shrink: false,
    watchdog,
    stats,
    close: () => agents.forEach((a) => a.destroy()),
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
          if (server.exit || (await server.exitedWithin(300))) {
            throw new Error(server.crash(`after the request: ${described}\n  the last inputs (the crash may be the one before):\n${watchdog.lastInputs()}`), { cause: error });
          }
          const logged = server.newErrors();
          throw new Error(
            `${message}\n  the request: ${described}${logged.length ? `\n  the server logged:\n    ${logged.join('\n    ')}` : ''}\n  the last inputs (keep-alive connections carry one's leftovers to the next on its address):\n${watchdog.lastInputs()}`,
          );
        }
      }),
  };
}
