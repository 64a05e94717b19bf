/**
 * What the security tests put around a real dashboard: a recording proxy in front of influxd
 * (which statements reached it, how many at once; it can play an outage or a slow database), and
 * requests written by hand on a TCP socket (slow clients, lies about sizes, bytes that are not HTTP).
 */
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';

export type ErrorBody = { error: { code: string; message: string } };

/** A statement of a REST route: not the live state's seeding nor the health check. */
const isRouteStatement = (s: string): boolean => !/^(SELECT "length", "arrivals"|SELECT \* FROM|SHOW )/.test(s);

/** Between the dashboard and influxd: records every statement it is sent; `down` answers 503. */
export class InfluxRecorder {
  readonly statements: string[] = [];
  down = false;
  /** Added before a SELECT of a route is passed on: a heavy query, to see how many run at once. */
  slowMs = 0;
  /** Route statements at InfluxDB now, and the most seen at once since the last reset. */
  inFlight = 0;
  maxInFlight = 0;
  private server: Server | undefined;
  url = '';

  constructor(private readonly target: string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        const q = new URLSearchParams(body.toString()).get('q') ?? new URL(req.url ?? '/', 'http://x').searchParams.get('q');
        if (q !== null) this.statements.push(q);
        if (this.down) {
          res.writeHead(503, { 'content-type': 'text/plain' }).end('down');
          return;
        }
        const route = q !== null && isRouteStatement(q);
        if (route) this.maxInFlight = Math.max(this.maxInFlight, ++this.inFlight);
        res.once('close', () => route && this.inFlight--);
        const delay = route ? this.slowMs : 0;
        const headers: Record<string, string> = {};
        for (const h of ['content-type', 'authorization']) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h];
        const pass = () => fetch(`${this.target}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, ...(body.length ? { body } : {}) });
        (delay ? new Promise((r) => setTimeout(r, delay)).then(pass) : pass()).then(
          async (answer) => res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' }).end(Buffer.from(await answer.arrayBuffer())),
          () => res.writeHead(502).end(),
        );
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Statements of the REST routes since `mark`: not the live state's seeding nor the health check. */
  routeStatements(mark: number): string[] {
    return this.statements.slice(mark).filter(isRouteStatement);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

export interface RawAnswer {
  /** Everything the server sent, up to the end of its first answer or the connection's close. */
  text: string;
  status: number | undefined;
  /** ms from the first byte sent until the server closed or answered. */
  afterMs: number;
}

/**
 * A request written by hand on a TCP socket: `head` then, if given, `trickle` every 200 ms until
 * the server answers or closes (a slow client), or `gaveUpMs` passes (then `status` is undefined).
 */
export function rawRequest(base: string, head: string, opts: { trickle?: string; gaveUpMs?: number } = {}): Promise<RawAnswer> {
  const { port, hostname } = new URL(base);
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname);
    let text = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearInterval(dripping);
      clearTimeout(giveUp);
      socket.destroy();
      const m = /^HTTP\/1\.1 (\d{3})/.exec(text);
      resolve({ text, status: m ? Number(m[1]) : undefined, afterMs: Date.now() - started });
    };
    const complete = () => {
      const end = text.indexOf('\r\n\r\n');
      if (end < 0) return false;
      const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, end));
      return length ? Buffer.byteLength(text.slice(end + 4)) >= Number(length[1]) : /\r\nconnection: close/i.test(text.slice(0, end));
    };
    socket.on('data', (d: Buffer) => {
      text += d.toString();
      if (complete()) finish();
    });
    socket.on('close', finish);
    socket.on('error', finish);
    socket.write(head);
    const dripping = setInterval(() => opts.trickle !== undefined && !socket.destroyed && socket.write(opts.trickle), 200);
    const giveUp = setTimeout(finish, opts.gaveUpMs ?? 5000);
  });
}

