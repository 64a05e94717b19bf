/**
 * How the REST fuzz sends its inputs (fuzz/restInputs.ts) and reads the answers back. One input
 * is one request, through node:http on keep-alive connections, or written byte for byte on a
 * connection of its own (fetch and node:http cannot lie about Content-Length, send two, fold a
 * header or send a method token Node does not know); then every answer on that connection is
 * read.
 */
import http from 'node:http';
import net from 'node:net';
import type { FuzzServer } from './server.js';
import { FUZZ_ADDRESSES, type Cookie, type RestInput } from './restInputs.js';

/** One answer as read back: status, headers (lower-case names), body. */
export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export function cookieHeader(server: FuzzServer, c: Cookie, ended: string): string | undefined {
  switch (c) {
    case 'none':
      return undefined;
    case 'officer':
    case 'manager':
      return server.cookies[c];
    case 'garbage':
      return `gw_session=${'x'.repeat(43)}; gw_session=%ZZ`;
    case 'ended':
      return ended;
    case 'both':
      return `${server.cookies.manager}; ${server.cookies.officer}`;
  }
}

const REQUEST_TIMEOUT_MS = 10_000;

/** Sends through node:http on a keep-alive agent of the input's address. */
export function sendHttp(server: FuzzServer, agents: http.Agent[], i: RestInput, cookie: string | undefined): Promise<Answer[]> {
  const url = new URL(server.url);
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of i.headers) {
    const have = headers[k];
    headers[k] = have === undefined ? v : [...(Array.isArray(have) ? have : [have]), v];
  }
  if (cookie !== undefined) headers['Cookie'] = cookie;
  if (i.gatewatch !== undefined) headers['X-GateWatch'] = i.gatewatch;
  // Said outright: node:http leaves both out for GET, HEAD, DELETE and OPTIONS, and its body
  // would reach the server as the next request on the connection.
  if (i.body) headers[i.body.chunked ? 'Transfer-Encoding' : 'Content-Length'] = i.body.chunked ? 'chunked' : String(i.body.bytes.length);
  return new Promise((resolve, reject) => {
    let req: http.ClientRequest;
    try {
      req = http.request({ host: url.hostname, port: url.port, method: i.method, path: i.target, headers, agent: agents[i.from]!, timeout: REQUEST_TIMEOUT_MS });
    } catch (error) {
      return reject(new Error(`node:http would not send it: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
    }
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve([{ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }]));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`)));
    req.on('error', (error: Error & { code?: string }) => {
      if (answered) return;
      // A server that refuses a body before reading it closes the connection after its answer;
      // a reset can then reach the client before the answer does.
      if (i.body && i.body.bytes.length > 0 && (error.code === 'ECONNRESET' || error.code === 'EPIPE')) resolve([]);
      else reject(error);
    });
    if (i.body) {
      if (i.body.chunked) req.write(i.body.bytes);
      req.end(i.body.chunked ? undefined : i.body.bytes);
    } else req.end();
  });
}

/** The request byte for byte, with the lie the input asks for. */
function rawRequest(server: FuzzServer, i: RestInput, cookie: string | undefined): Buffer {
  const url = new URL(server.url);
  const nl = i.lie === 'bareLf' ? '\n' : '\r\n';
  const version = i.lie === 'http10' ? 'HTTP/1.0' : i.lie === 'badVersion' ? 'HTTP/1.7' : 'HTTP/1.1';
  const lines: string[] = [`${i.method} ${i.target} ${version}`];
  if (i.lie !== 'noHost') lines.push(`Host: ${url.host}`);
  for (const [k, v] of i.headers) lines.push(`${k}: ${v}`);
  if (cookie !== undefined) lines.push(`Cookie: ${cookie}`);
  if (i.gatewatch !== undefined) lines.push(`X-GateWatch: ${i.gatewatch}`);
  if (i.lie === 'folded') lines.push('X-Folded: a', ' b');
  if (i.lie === 'controlBytes') lines.push('X-Control: a\u0001\u007fb');
  const body = i.body?.bytes ?? Buffer.alloc(0);
  let payload = body;
  if (i.lie === 'lengthAndChunked' || (i.body?.chunked && i.lie === 'none')) {
    lines.push('Transfer-Encoding: chunked');
    if (i.lie === 'lengthAndChunked') lines.push(`Content-Length: ${body.length}`);
    payload = Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')]);
  } else if (i.lie === 'shorter') lines.push(`Content-Length: ${Math.max(0, body.length - 3)}`);
  else if (i.lie === 'longer') lines.push(`Content-Length: ${body.length + 10}`);
  else if (i.lie === 'twoLengths') lines.push(`Content-Length: ${body.length}`, `Content-Length: ${body.length + 1}`);
  else if (body.length > 0 || i.method === 'POST') lines.push(`Content-Length: ${body.length}`);
  return Buffer.concat([Buffer.from(`${lines.join(nl)}${nl}${nl}`, 'latin1'), payload]);
}

/**
 * Writes the request, then a last one that asks the server to close (`GET /api/auth/me`,
 * Connection: close), and reads until the server closes; every answer in what came back. The
 * client does not end its side first: Node's server would take that for an abort and drop an
 * answer still being made (a file being sent).
 */
export function sendRaw(server: FuzzServer, i: RestInput, cookie: string | undefined): Promise<Answer[]> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port), localAddress: FUZZ_ADDRESSES[i.from] });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(new Error(`the connection was not closed within ${REQUEST_TIMEOUT_MS / 1000} s of a request asking for it`)), REQUEST_TIMEOUT_MS);
    let failed: Error | undefined;
    let reset = false;
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ECONNRESET' || error.code === 'EPIPE') reset = true;
      else failed = error;
    });
    socket.on('close', () => {
      clearTimeout(timer);
      if (failed) return reject(failed);
      try {
        const answers = parseAnswers(Buffer.concat(chunks), i.method, reset);
        // A server that answers before reading a body closes with bytes unread, and the reset
        // that sends can reach the client before the answer does.
        if (answers.length === 0 && !(reset && i.body)) reject(new Error(`the server closed the connection without an answer${reset ? ' (reset)' : ''}`));
        else resolve(answers);
      } catch (error) {
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    socket.write(Buffer.concat([rawRequest(server, i, cookie), Buffer.from(`GET /api/auth/me HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`)]));
  });
}

/** HTTP/1.1 answers one after another: status line, headers, a body by Content-Length or chunks (none for the first when HEAD, none for 204 and 304). */
export function parseAnswers(buf: Buffer, method: string, reset = false): Answer[] {
  const answers: Answer[] = [];
  let at = 0;
  while (at < buf.length) {
    const end = buf.indexOf('\r\n\r\n', at);
    // A reset may cut what came last.
    if (end < 0 && reset) break;
    if (end < 0) throw new Error(`an answer cut off in its headers: ${JSON.stringify(buf.subarray(at, at + 200).toString('latin1'))}`);
    const [statusLine, ...headerLines] = buf.subarray(at, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine ?? '');
    if (!m) throw new Error(`not an HTTP answer: ${JSON.stringify(statusLine)}`);
    const status = Number(m[1]);
    const headers: Record<string, string> = {};
    for (const line of headerLines) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    at = end + 4;
    // An interim answer (100 Continue to `Expect: 100-continue`): the answer follows.
    if (status >= 100 && status < 200) continue;
    let body: Buffer = Buffer.alloc(0);
    // Node's parser handler answers a request it could not read (400, 408, 431) with its JSON
    // and Connection: close, not knowing it was HEAD: that body is read as one.
    const parserAnswer = [400, 408, 431].includes(status) && headers['connection']?.toLowerCase() === 'close' && headers['content-length'] !== undefined;
    const noBody = (answers.length === 0 && method === 'HEAD' && !(parserAnswer && buf.length - at >= Number(headers['content-length']))) || status === 204 || status === 304;
    if (!noBody && headers['transfer-encoding']?.toLowerCase() === 'chunked') {
      const parts: Buffer[] = [];
      for (;;) {
        const lineEnd = buf.indexOf('\r\n', at);
        if (lineEnd < 0) throw new Error('a chunked answer cut off');
        const size = parseInt(buf.subarray(at, lineEnd).toString('latin1'), 16);
        at = lineEnd + 2;
        if (size === 0) {
          at = buf.indexOf('\r\n\r\n', at - 2) + 4;
          break;
        }
        parts.push(buf.subarray(at, at + size));
        at += size + 2;
      }
      body = Buffer.concat(parts);
    } else if (!noBody && headers['content-length'] !== undefined) {
      const n = Number(headers['content-length']);
      body = buf.subarray(at, at + n);
      if (body.length < n && reset) break;
      if (body.length < n) throw new Error(`an answer cut off in its body: ${body.length} of ${n} bytes`);
      at += n;
    } else if (!noBody) {
      body = buf.subarray(at);
      at = buf.length;
    }
    answers.push({ status, headers, body });
  }
  return answers;
}
