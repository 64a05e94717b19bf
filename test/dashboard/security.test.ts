/**
 * The dashboard's security controls (docs/security.md, "Dashboard"), one describe each, tried
 * the way an attacker at a crossing or on the internet would: against a real influxd reached
 * through a recording proxy (so that a refused request is seen never to reach InfluxDB), behind
 * a reverse proxy that says who the client is, and with TLS declared in the configuration.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, silentLog, type Dashboard } from '@gatewatch/dashboard';
import { PASSWORD, USERS, api, login, openSocket, sessionCookieOf, startServices, watch, writeConfig, type ApiAnswer, type Services } from './fixture.js';

const KT = 'kim-thanh-road';
const RAIL = 'lao-cai-rail';
const HOUR = 3_600_000;
/** A whole hour three days ago: inside the raw retention, so every history route takes it. */
const H0 = Math.floor(Date.now() / HOUR) * HOUR - 72 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const qs = (q: Record<string, string>) => new URLSearchParams(q).toString();

type ErrorBody = { error: { code: string; message: string } };

/** Between the dashboard and influxd: records every statement it is sent; `down` answers 503. */
class InfluxRecorder {
  readonly statements: string[] = [];
  down = false;
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
        const headers: Record<string, string> = {};
        for (const h of ['content-type', 'authorization']) if (typeof req.headers[h] === 'string') headers[h] = req.headers[h];
        fetch(`${this.target}${req.url ?? '/'}`, { method: req.method ?? 'GET', headers, ...(body.length ? { body } : {}) }).then(
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
    return this.statements.slice(mark).filter((s) => !/^(SELECT "length", "arrivals"|SELECT \* FROM|SHOW )/.test(s));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

interface RawAnswer {
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
function rawRequest(base: string, head: string, opts: { trickle?: string; gaveUpMs?: number } = {}): Promise<RawAnswer> {
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

describe('dashboard security controls', () => {
  let services: Services;
  let influx: InfluxRecorder;
  /** Defaults, with a built web app. */
  let dash: Dashboard;
  /** Behind a reverse proxy (server.trustProxy), 5 public requests a minute, a clock the tests move, 1 s to send a request. */
  let proxied: Dashboard;
  /** server.secureCookies: TLS ends at a proxy that does not say so. */
  let tls: Dashboard;
  let clockOffsetMs = 0;
  let manager: string;

  beforeAll(async () => {
    services = await startServices('security');
    influx = new InfluxRecorder(services.influxd.url);
    await influx.start();
    const staticDir = join(services.dir, 'web');
    mkdirSync(join(staticDir, 'assets'), { recursive: true });
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>GateWatch app</title><script type="module" src="/assets/app.js"></script>');
    writeFileSync(join(staticDir, 'assets', 'app.js'), 'console.log("app");');
    const influxUrl = influx.url;
    [dash, proxied, tls] = await Promise.all([
      startDashboard(await writeConfig(services, 'sec-main', { influxUrl }), { staticDir, log: silentLog() }),
      startDashboard(await writeConfig(services, 'sec-proxied', { influxUrl, server: { trustProxy: true }, publicApi: { requestsPerMinute: 5 } }), {
        log: silentLog(),
        now: () => Date.now() + clockOffsetMs,
        requestTimeoutMs: 1000,
      }),
      startDashboard(await writeConfig(services, 'sec-tls', { influxUrl, server: { secureCookies: true } }), { log: silentLog() }),
    ]);
    manager = await login(dash.url, USERS.managerLaoCai);
  });
  afterAll(async () => {
    await Promise.all([dash?.stop(), proxied?.stop(), tls?.stop()]);
    await influx?.stop();
    await services?.close();
  });

  /** A sign-in on the proxied dashboard from `address` (the proxy's X-Forwarded-For). */
  const signIn = (username: string, password: string, address: string, headers: Record<string, string> = {}) =>
    api<ErrorBody>(proxied.url, '/api/auth/login', { method: 'POST', body: { username, password }, headers: { 'x-forwarded-for': address, ...headers } });
  const statuses = (answers: readonly ApiAnswer[]) => answers.map((a) => a.status);

  describe('sign-in throttling', () => {
    it('holds a username back at one address after 5 failures, refuses even the right password then, and lets it in 15 minutes later', async () => {
      const address = '198.51.100.1';
      for (let i = 0; i < 5; i++) expect((await signIn(USERS.officer, `guess ${i}`, address)).status).toBe(401);
      const locked = await signIn(USERS.officer, PASSWORD, address);
      expect(locked.status).toBe(429);
      expect(locked.body.error.code).toBe('TOO_MANY_ATTEMPTS');
      expect(sessionCookieOf(locked.headers)).toBeNull();
      const wait = Number(locked.headers.get('retry-after'));
      expect(wait).toBeGreaterThan(800);
      expect(wait).toBeLessThanOrEqual(900);
      // The officer at another address is not locked out by the guesser.
      expect((await signIn(USERS.officer, PASSWORD, '198.51.100.2')).status).toBe(200);
      clockOffsetMs += 14 * 60_000;
      expect((await signIn(USERS.officer, PASSWORD, address)).status).toBe(429);
      clockOffsetMs += wait * 1000 - 14 * 60_000;
      const later = await signIn(USERS.officer, PASSWORD, address);
      expect(later.status).toBe(200);
      expect(sessionCookieOf(later.headers)).toMatch(/^gw_session=/);
    });

    it('holds an address back after 30 failures, whatever usernames it tries', async () => {
      const address = '198.51.100.3';
      for (let i = 0; i < 30; i++) expect((await signIn(`made.up.${i}`, 'guess', address)).status, `attempt ${i + 1}`).toBe(401);
      expect((await signIn(USERS.managerHaiPhong, PASSWORD, address)).status).toBe(429);
      expect((await signIn(USERS.managerHaiPhong, PASSWORD, '198.51.100.4')).status).toBe(200);
    });

    it('holds a username back after 20 failures from any addresses, except at an address where it signed in before', async () => {
      const known = '203.0.113.50';
      expect((await signIn(USERS.managerHaiPhong, PASSWORD, known)).status).toBe(200);
      for (let i = 0; i < 20; i++) expect((await signIn(USERS.managerHaiPhong, 'guess', `203.0.113.${100 + i}`)).status, `address ${i + 1}`).toBe(401);
      const elsewhere = await signIn(USERS.managerHaiPhong, PASSWORD, '203.0.113.200');
      expect(elsewhere.status).toBe(429);
      expect(sessionCookieOf(elsewhere.headers)).toBeNull();
      expect((await signIn(USERS.managerHaiPhong, PASSWORD, known)).status).toBe(200);
    });

    it("lets a browser where the user signed in before through a username's lock from any address, and no forged one", async () => {
      const first = await signIn(USERS.officer, PASSWORD, '203.0.113.60');
      expect(first.status).toBe(200);
      const device = first.headers.getSetCookie().find((c) => c.startsWith('gw_device='))!;
      expect(device.split(';').slice(1).map((a) => a.trim())).toEqual(expect.arrayContaining(['Path=/api/auth', 'HttpOnly', 'SameSite=Strict', `Max-Age=${365 * 86_400}`]));
      const cookie = device.split(';')[0]!;
      for (let i = 0; i < 20; i++) expect((await signIn(USERS.officer, 'guess', `203.0.113.${130 + i}`)).status, `address ${i + 1}`).toBe(401);
      // The officer's own browser, now at an address never seen (a new DHCP lease, a phone).
      expect((await signIn(USERS.officer, PASSWORD, '203.0.113.201', { cookie })).status).toBe(200);
      // Without it, or with one forged or made for another user, the lock holds.
      const [name, value] = cookie.split('=') as [string, string];
      const [user, mac] = value.split('.') as [string, string];
      const flipped = `${name}=${user}.${mac.startsWith('A') ? 'B' : 'A'}${mac.slice(1)}`;
      const otherUser = `${name}=${Buffer.from(USERS.managerLaoCai).toString('base64url')}.${mac}`;
      for (const c of [undefined, flipped, otherUser]) {
        expect((await signIn(USERS.officer, PASSWORD, '203.0.113.202', c ? { cookie: c } : {})).status, c ?? 'no device cookie').toBe(429);
      }
      // A guesser holding the officer's device cookie still meets the per-address limit.
      for (let i = 0; i < 5; i++) expect((await signIn(USERS.officer, 'guess', '203.0.113.203', { cookie })).status).toBe(401);
      expect((await signIn(USERS.officer, PASSWORD, '203.0.113.203', { cookie })).status).toBe(429);
      // The locks pass: the officer signs in normally in the tests below.
      clockOffsetMs += 16 * 60_000;
    });

    it('counts an IPv6 client by its /64, so that it cannot rotate addresses within it', async () => {
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await signIn('ipv6.guesser', 'guess', `2001:db8:77:1::${(i + 1).toString(16)}`));
      expect(statuses(answers)).toEqual([401, 401, 401, 401, 401, 429]);
      expect((await signIn(USERS.managerLaoCai, PASSWORD, '2001:db8:77:2::1')).status).toBe(200);
    });

    it('counts guesses sent all at once', async () => {
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => signIn(USERS.managerLaoCai, `guess ${i}`, '198.51.100.5')));
      const count = (s: number) => statuses(answers).filter((x) => x === s).length;
      expect({ 401: count(401), 429: count(429) }).toEqual({ 401: 5, 429: 7 });
    });

    it('takes the client address from the proxy, not from what the client wrote before it', async () => {
      const answers = [];
      for (let i = 0; i < 6; i++) answers.push(await signIn('spoofing.guesser', 'guess', `10.${i}.0.1, 192.0.2.77`));
      expect(statuses(answers)).toEqual([401, 401, 401, 401, 401, 429]);
    });
  });

  describe('session cookie', () => {
    const attributes = (setCookie: string | null) => (setCookie ?? '').split(';').slice(1).map((a) => a.trim());

    it('is HttpOnly, SameSite=Strict, for the whole site, and not Secure over plain HTTP; logout clears it the same way', async () => {
      const res = await api(dash.url, '/api/auth/login', { method: 'POST', body: { username: USERS.officer, password: PASSWORD } });
      const attrs = attributes(sessionCookieOf(res.headers));
      expect(attrs).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Strict']));
      expect(attrs).not.toContain('Secure');
      const out = await api(dash.url, '/api/auth/logout', { method: 'POST', cookie: sessionCookieOf(res.headers)!.split(';')[0]! });
      expect(sessionCookieOf(out.headers)).toBe('gw_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict');
      // Without a proxy that is trusted, a client's X-Forwarded-Proto means nothing.
      const claimed = await api(dash.url, '/api/auth/login', { method: 'POST', body: { username: USERS.officer, password: PASSWORD }, headers: { 'x-forwarded-proto': 'https' } });
      expect(attributes(sessionCookieOf(claimed.headers))).not.toContain('Secure');
      expect(claimed.headers.get('strict-transport-security')).toBeNull();
    });

    it('is Secure when the trusted proxy says https, and always with server.secureCookies', async () => {
      const overTls = await signIn(USERS.officer, PASSWORD, '198.51.100.6', { 'x-forwarded-proto': 'https' });
      expect(attributes(sessionCookieOf(overTls.headers))).toEqual(expect.arrayContaining(['Secure', 'HttpOnly', 'SameSite=Strict', 'Path=/']));
      expect(overTls.headers.get('strict-transport-security')).toBe('max-age=31536000');
      const plain = await signIn(USERS.officer, PASSWORD, '198.51.100.6');
      expect(attributes(sessionCookieOf(plain.headers))).not.toContain('Secure');
      const declared = await api(tls.url, '/api/auth/login', { method: 'POST', body: { username: USERS.officer, password: PASSWORD } });
      expect(attributes(sessionCookieOf(declared.headers))).toContain('Secure');
      expect(declared.headers.get('strict-transport-security')).toBe('max-age=31536000');
      const out = await api(tls.url, '/api/auth/logout', { method: 'POST', cookie: sessionCookieOf(declared.headers)!.split(';')[0]! });
      expect(attributes(sessionCookieOf(out.headers))).toContain('Secure');
    });
  });

  describe('security headers', () => {
    const expectHeaders = (headers: Headers, what: string) => {
      const csp = headers.get('content-security-policy') ?? '';
      const directives = new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
      expect(directives.get('default-src'), what).toEqual(["'self'"]);
      expect(directives.get('script-src'), what).toEqual(["'self'"]);
      expect(directives.get('object-src'), what).toEqual(["'none'"]);
      expect(directives.get('base-uri'), what).toEqual(["'self'"]);
      expect(directives.get('form-action'), what).toEqual(["'self'"]);
      expect(directives.get('frame-ancestors'), what).toEqual(["'none'"]);
      expect(csp, what).not.toMatch(/unsafe-eval|\*/);
      expect(headers.get('x-content-type-options'), what).toBe('nosniff');
      expect(headers.get('x-frame-options'), what).toBe('DENY');
      expect(headers.get('referrer-policy'), what).toBe('no-referrer');
      expect(headers.get('cross-origin-opener-policy'), what).toBe('same-origin');
      expect(headers.get('cross-origin-resource-policy'), what).toBe('same-origin');
      expect(headers.get('x-powered-by'), what).toBeNull();
    };

    it('come with every kind of answer: JSON, CSV, the app and its files, errors of every status', async () => {
      const history = `/api/v1/history/throughput?${qs({ checkpoints: KT, from: iso(H0), to: iso(H0 + HOUR) })}`;
      const answers: [string, number, Promise<{ status: number; headers: Headers }>][] = [
        ['public JSON', 200, api(dash.url, '/api/v1/checkpoints')],
        ['history JSON', 200, api(dash.url, history, { cookie: manager })],
        ['CSV export', 200, api(dash.url, `${history}&format=csv`, { cookie: manager })],
        ['app', 200, api(dash.url, '/')],
        ['app route', 200, api(dash.url, '/officer/kim-thanh-road')],
        ['script file', 200, api(dash.url, '/assets/app.js')],
        ['health', 200, api(dash.url, '/api/health')],
        ['bad parameter', 400, api(dash.url, '/api/v1/wait-estimates/trend?checkpoint=x')],
        ['malformed JSON', 400, fetch(`${dash.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-gatewatch': '1' }, body: '{"username":' })],
        ['not JSON', 415, fetch(`${dash.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'text/plain', 'x-gatewatch': '1' }, body: 'x' })],
        ['signed out', 401, api(dash.url, '/api/auth/me')],
        ['missing header', 403, api(dash.url, '/api/auth/logout', { method: 'POST', gatewatchHeader: false })],
        ['unknown API', 404, api(dash.url, '/api/v1/nothing')],
        ['not an API method', 404, api(dash.url, '/', { method: 'POST' })],
        ['too large', 413, api(dash.url, '/api/auth/login', { method: 'POST', body: { username: 'x', password: 'y'.repeat(20_000) } })],
        ['socket.io', 200, api(dash.url, '/socket.io/?EIO=4&transport=polling')],
        ['socket.io refused', 400, api(dash.url, '/socket.io/?EIO=9&transport=polling')],
        ['app not built', 200, api(proxied.url, '/')],
      ];
      for (const [what, status, answer] of answers) {
        const res = await answer;
        expect(res.status, what).toBe(status);
        expectHeaders(res.headers, what);
      }
      const csv = await answers[2]![2];
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      for (let i = 0; i < 6; i++) await api(proxied.url, '/api/v1/checkpoints', { headers: { 'x-forwarded-for': '198.51.100.7' } });
      const limited = await api(proxied.url, '/api/v1/checkpoints', { headers: { 'x-forwarded-for': '198.51.100.7' } });
      expect(limited.status).toBe(429);
      expectHeaders(limited.headers, 'rate limited');
      influx.down = true;
      try {
        const upstream = await api(dash.url, history, { cookie: manager });
        expect(upstream.status).toBe(502);
        expectHeaders(upstream.headers, 'InfluxDB away');
      } finally {
        influx.down = false;
      }
    });

    it('keep signed-in answers out of every cache', async () => {
      const history = `/api/v1/history/throughput?${qs({ checkpoints: KT, from: iso(H0), to: iso(H0 + HOUR) })}`;
      for (const [what, res] of [
        ['me', await api(dash.url, '/api/auth/me', { cookie: manager })],
        ['history', await api(dash.url, history, { cookie: manager })],
        ['CSV export', await api(dash.url, `${history}&format=csv`, { cookie: manager })],
        ['sign-in', await api(dash.url, '/api/auth/login', { method: 'POST', body: { username: USERS.officer, password: PASSWORD } })],
      ] as const) {
        expect(res.status, what).toBe(200);
        expect(res.headers.get('cache-control'), what).toBe('no-store');
      }
    });
  });

  describe('cross-site requests', () => {
    it('refuses every state-changing request without X-GateWatch: 1, and it changes nothing', async () => {
      const cookie = await login(dash.url, USERS.officer);
      const forged = await api<ErrorBody>(dash.url, '/api/auth/login', { method: 'POST', body: { username: USERS.officer, password: PASSWORD }, gatewatchHeader: false });
      expect(forged.status).toBe(403);
      expect(forged.body.error.code).toBe('MISSING_HEADER');
      expect(sessionCookieOf(forged.headers)).toBeNull();
      expect((await api(dash.url, '/api/auth/logout', { method: 'POST', cookie, gatewatchHeader: false })).status).toBe(403);
      expect((await api(dash.url, '/api/auth/me', { cookie })).status).toBe(200);
      // What an HTML form can send: no custom header, a form or text body.
      for (const [type, body] of [
        ['application/x-www-form-urlencoded', `username=${USERS.officer}&password=${encodeURIComponent(PASSWORD)}`],
        ['text/plain', JSON.stringify({ username: USERS.officer, password: PASSWORD })],
        ['multipart/form-data; boundary=x', `--x\r\nContent-Disposition: form-data; name="username"\r\n\r\n${USERS.officer}\r\n--x--\r\n`],
      ]) {
        const res = await fetch(`${dash.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': type!, origin: 'https://evil.example' }, body: body! });
        expect(res.status, type).toBe(403);
        expect(sessionCookieOf(res.headers), type).toBeNull();
      }
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        for (const path of ['/api/auth/login', '/api/auth/logout', '/api/auth/me', '/api/v1/checkpoints', '/api/v1/history/throughput', '/api/health', '/api/anything']) {
          const res = await api<ErrorBody>(dash.url, path, { method, cookie, gatewatchHeader: false });
          expect(res.status, `${method} ${path}`).toBe(403);
          expect(res.body.error.code, `${method} ${path}`).toBe('MISSING_HEADER');
        }
      }
      expect((await api(dash.url, '/api/auth/me', { cookie })).status).toBe(200);
    });

    it('lets no other site read an answer or send the header: no CORS on any answer or preflight', async () => {
      const origin = { origin: 'https://evil.example' };
      const preflight = await fetch(`${dash.url}/api/auth/logout`, {
        method: 'OPTIONS',
        headers: { ...origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-gatewatch' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
      expect(preflight.headers.get('access-control-allow-headers')).toBeNull();
      for (const path of ['/api/auth/me', '/api/v1/checkpoints', `/api/v1/history/throughput?${qs({ checkpoints: KT, from: iso(H0), to: iso(H0 + HOUR) })}`, '/socket.io/?EIO=4&transport=polling']) {
        const res = await api(dash.url, path, { cookie: manager, headers: origin });
        expect(res.headers.get('access-control-allow-origin'), path).toBeNull();
        expect(res.headers.get('access-control-allow-credentials'), path).toBeNull();
      }
    });

    it("gives a socket opened by another site's page no session, however its Origin imitates ours", async () => {
      const cookie = await login(dash.url, USERS.officer);
      const host = new URL(dash.url).host;
      const origins = ['null', `http://${host}.evil.example`, `http://${host}@evil.example`, `http://evil.example/${host}`, `http://${host.replace('127.0.0.1', '127.0.0.2')}`];
      for (const origin of origins) {
        const { socket } = openSocket(dash.url, cookie, origin);
        try {
          expect(await watch(socket, KT), origin).toEqual({ ok: false, error: 'sign in first' });
        } finally {
          socket.close();
        }
      }
      const own = openSocket(dash.url, cookie, dash.url);
      try {
        expect(await watch(own.socket, KT)).toEqual({ ok: true });
      } finally {
        own.socket.close();
      }
    });
  });

  describe('request size and time limits', () => {
    const loginHead = (base: string, extra: string) =>
      `POST /api/auth/login HTTP/1.1\r\nHost: ${new URL(base).host}\r\nContent-Type: application/json\r\nX-GateWatch: 1\r\n${extra}\r\n`;

    it('refuses a body over 16 kB however it is sent, without reading a declared gigabyte', async () => {
      const big = JSON.stringify({ username: 'x', password: 'y'.repeat(17_000) });
      const sized = await api<ErrorBody>(dash.url, '/api/auth/login', { method: 'POST', body: { username: 'x', password: 'y'.repeat(17_000) } });
      expect(sized.status).toBe(413);
      expect(sized.body.error.code).toBe('BODY_TOO_LARGE');
      const chunks = big.match(/.{1,4000}/g)!.map((c) => `${Buffer.byteLength(c).toString(16)}\r\n${c}\r\n`);
      const chunked = await rawRequest(dash.url, `${loginHead(dash.url, 'Transfer-Encoding: chunked\r\n')}${chunks.join('')}0\r\n\r\n`);
      expect(chunked.status).toBe(413);
      const gigabyte = await rawRequest(dash.url, loginHead(dash.url, 'Content-Length: 1073741824\r\n'));
      expect(gigabyte.status).toBe(413);
      expect(gigabyte.afterMs).toBeLessThan(2000);
      // A forged request (no X-GateWatch) is refused before its body is read.
      const forged = await rawRequest(dash.url, loginHead(dash.url, 'Content-Length: 10000\r\n').replace('X-GateWatch: 1\r\n', ''));
      expect(forged.status).toBe(403);
      expect(forged.afterMs).toBeLessThan(2000);
      // Compressed: a small body could inflate to anything.
      const zipped = await fetch(`${dash.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', 'x-gatewatch': '1' }, body: gzipSync('{}') });
      expect(zipped.status).toBe(415);
      const longUrl = await api(dash.url, `/api/v1/wait-estimates/trend?checkpoint=${'x'.repeat(20_000)}`);
      expect(longUrl.status).toBe(431);
    });

    it('cuts off a client that sends its headers or its body too slowly', async () => {
      const [slowBody, slowHeaders] = await Promise.all([
        rawRequest(proxied.url, `${loginHead(proxied.url, 'Content-Length: 1000\r\n')}{`, { trickle: ' ', gaveUpMs: 6000 }),
        rawRequest(proxied.url, `GET /api/v1/checkpoints HTTP/1.1\r\nHost: ${new URL(proxied.url).host}\r\n`, { trickle: 'X-Slow: 1\r\n', gaveUpMs: 6000 }),
      ]);
      for (const [what, r] of [['body', slowBody], ['headers', slowHeaders]] as const) {
        expect(r.status, what).toBe(408);
        expect(r.afterMs, what).toBeLessThan(5000);
      }
    });
  });

  describe('public API rate limit', () => {
    const PUBLIC = ['/api/v1/checkpoints', '/api/v1/wait-estimates', `/api/v1/wait-estimates/trend?checkpoint=${KT}`, `/api/v1/wait-estimates/typical?checkpoint=${KT}`, '/api/v1/openapi.json'];
    const from = (address: string) => ({ headers: { 'x-forwarded-for': address } });

    it('answers 429 with Retry-After past the limit on every public route, without asking InfluxDB', async () => {
      const client = from('198.51.100.20');
      const allowed = await Promise.all(PUBLIC.map((p) => api(proxied.url, p, client)));
      expect(statuses(allowed)).toEqual([200, 200, 200, 200, 200]);
      const mark = influx.statements.length;
      for (const p of PUBLIC) {
        const res = await api<ErrorBody>(proxied.url, p, client);
        expect(res.status, p).toBe(429);
        expect(res.body.error.code, p).toBe('RATE_LIMITED');
        // 5 a minute: one more every 12 s.
        const retry = Number(res.headers.get('retry-after'));
        expect(retry, p).toBeGreaterThanOrEqual(1);
        expect(retry, p).toBeLessThanOrEqual(12);
      }
      expect(influx.routeStatements(mark)).toEqual([]);
    });

    it('counts per client address, and a client cannot pose as another', async () => {
      for (let i = 0; i < 5; i++) expect((await api(proxied.url, '/api/v1/checkpoints', from('198.51.100.21'))).status).toBe(200);
      expect((await api(proxied.url, '/api/v1/checkpoints', from('198.51.100.21'))).status).toBe(429);
      const posing = await Promise.all([1, 2, 3].map((i) => api(proxied.url, '/api/v1/checkpoints', from(`10.9.9.${i}, 198.51.100.21`))));
      expect(statuses(posing)).toEqual([429, 429, 429]);
      expect((await api(proxied.url, '/api/v1/checkpoints', from('198.51.100.22'))).status).toBe(200);
    });
  });

  describe('InfluxQL injection and parameter validation', () => {
    const range = { from: iso(H0), to: iso(H0 + HOUR) };
    /** Every route that reads InfluxDB, with a valid value of each of its parameters. */
    const ROUTES: { path: string; valid: Record<string, string>; signedIn: boolean }[] = [
      { path: '/api/v1/history/throughput', valid: { checkpoints: KT, ...range, interval: 'hour', format: 'json' }, signedIn: true },
      { path: '/api/v1/history/clearance-times', valid: { checkpoints: KT, ...range, format: 'json' }, signedIn: true },
      { path: '/api/v1/history/heatmap', valid: { checkpoints: KT, ...range, format: 'json' }, signedIn: true },
      { path: '/api/v1/history/queue', valid: { checkpoint: KT, ...range, format: 'json' }, signedIn: true },
      { path: '/api/v1/wait-estimates/trend', valid: { checkpoint: KT, hours: '2' }, signedIn: false },
      { path: '/api/v1/wait-estimates/typical', valid: { checkpoint: KT, weeks: '2' }, signedIn: false },
    ];
    const PAYLOADS = [
      "'",
      '"',
      ';',
      '\n',
      '\r\nX-Injected: 1',
      '/*',
      '--',
      '\\',
      '\u0000',
      ' OR 1=1',
      "' OR '1'='1",
      `' OR "checkpoint" =~ /.*/ --`,
      '; DROP DATABASE gatewatch',
      '"; DROP MEASUREMENT "clearance"; --',
      '); DELETE FROM "queue" WHERE time > 0 --',
      '\u2019 OR \u20181\u2019=\u20181',
      '\u201CDROP\u201D',
      'x'.repeat(5000),
    ];

    it('refuses each payload in each parameter of each route with 400 naming the parameter, and none reaches InfluxDB', async () => {
      const mark = influx.statements.length;
      let tried = 0;
      for (const route of ROUTES) {
        for (const name of Object.keys(route.valid)) {
          for (const payload of PAYLOADS) {
            for (const value of [route.valid[name]! + payload, payload]) {
              const res = await api<ErrorBody>(dash.url, `${route.path}?${qs({ ...route.valid, [name]: value })}`, route.signedIn ? { cookie: manager } : {});
              const what = `${route.path} ${name}=${JSON.stringify(value.slice(0, 40))}`;
              expect(res.status, what).toBe(400);
              expect(res.body.error.code, what).toBe('BAD_PARAMETER');
              expect(res.body.error.message.startsWith(`${name}: `), `${what}: ${res.body.error.message}`).toBe(true);
              expect(res.body.error.message.length, what).toBeLessThan(400);
              expect(res.headers.get('x-injected'), what).toBeNull();
              tried++;
            }
          }
          // Given twice: refused rather than guessed at.
          const twice = await api<ErrorBody>(dash.url, `${route.path}?${qs(route.valid)}&${name}=${encodeURIComponent(route.valid[name]!)}`, route.signedIn ? { cookie: manager } : {});
          expect(twice.status, `${route.path} ${name} twice`).toBe(400);
          expect(twice.body.error.message, `${route.path} ${name} twice`).toMatch(new RegExp(`^${name}: give it once`));
        }
        // Parameters the route does not have are refused by name, not ignored.
        for (const name of ['measurement', 'lane', 'channel', 'q', 'db', 'lang', 'checkpoints[]']) {
          const res = await api<ErrorBody>(dash.url, `${route.path}?${qs({ ...route.valid, [name]: 'clearance; DROP DATABASE gatewatch' })}`, route.signedIn ? { cookie: manager } : {});
          expect(res.status, `${route.path} ${name}`).toBe(400);
          expect(res.body.error.message, `${route.path} ${name}`).toMatch(new RegExp(`^${name.replace(/[[\]]/g, '\\$&')}: unknown parameter`));
        }
      }
      expect(tried).toBeGreaterThan(500);
      expect(influx.routeStatements(mark)).toEqual([]);

      // The same routes with valid values do reach InfluxDB (the recorder sees them), and the database is whole.
      for (const route of ROUTES) {
        expect((await api(dash.url, `${route.path}?${qs(route.valid)}`, route.signedIn ? { cookie: manager } : {})).status, route.path).toBe(200);
      }
      expect(influx.routeStatements(mark)).toHaveLength(ROUTES.length);
      const dbs = (await (await fetch(`${services.influxd.url}/query?q=${encodeURIComponent('SHOW DATABASES')}`)).json()) as { results: [{ series: [{ values: string[][] }] }] };
      expect(dbs.results[0].series[0].values.flat()).toContain('gatewatch');
    });

    it('refuses no-instants, reversed and over-long ranges and unknown or other checkpoints with a message saying what is wrong', async () => {
      const path = (what: string, q: Record<string, string>) => `/api/v1/history/${what}?${qs(q)}`;
      const { from, to } = range;
      const DAY = 24 * HOUR;
      const cases: [string, Record<string, string>, RegExp][] = [
        ['throughput', { checkpoints: "a' OR 1=1 --", from, to }, /^checkpoints: unknown checkpoint; the checkpoints are .* \(is 'a' OR 1=1 --'\)$/],
        ['throughput', { checkpoints: `${KT},`, from, to }, /^checkpoints: unknown checkpoint.* \(is ''\)$/],
        ['throughput', { checkpoints: KT, from: 'now()', to }, /^from: expected an ISO 8601 time with an offset.* \(is 'now\(\)'\)$/],
        ['throughput', { checkpoints: KT, from: 'now() - 3650d', to }, /^from: expected an ISO 8601 time/],
        ['throughput', { checkpoints: KT, from: '2026-01-01', to }, /^from: expected an ISO 8601 time/],
        ['throughput', { checkpoints: KT, from: '2026-02-30T00:00:00Z', to }, /^from: expected/],
        ['throughput', { checkpoints: KT, from: String(H0), to }, /^from: expected/],
        ['throughput', { checkpoints: KT, from: to, to: from }, /^from: must be before to/],
        ['throughput', { checkpoints: KT, from: iso(H0 - 100 * DAY), to }, /^to: the range may be at most 92 days long/],
        ['throughput', { checkpoints: KT, from, to, interval: 'minute' }, /^interval: expected 'hour' or 'day' \(is 'minute'\)$/],
        ['throughput', { checkpoints: KT, from, to, format: 'xml' }, /^format: expected 'json' or 'csv'/],
        ['throughput', { from, to }, /^checkpoints: required$/],
        ['clearance-times', { checkpoints: KT, from: iso(Date.now() - 40 * DAY), to: iso(Date.now() - 35 * DAY) }, /^from: clearance times are kept in detail for 30 days/],
        ['queue', { from, to }, /^checkpoint: required$/],
      ];
      for (const [what, q, message] of cases) {
        const res = await api<ErrorBody>(dash.url, path(what, q), { cookie: manager });
        expect(res.status, JSON.stringify(q)).toBe(400);
        expect(res.body.error.code).toBe('BAD_PARAMETER');
        expect(res.body.error.message).toMatch(message);
      }
      for (const [q, message] of [
        [`checkpoint=${KT}&hours=25`, /^hours: expected a whole number from 1 to 24 \(is '25'\)$/],
        [`checkpoint=${KT}&hours=1e1`, /^hours: /],
        [`checkpoint=${KT}&hours=-1`, /^hours: /],
        [`checkpoint=${KT}&hours=0x10`, /^hours: /],
        ['', /^checkpoint: required$/],
      ] as const) {
        const res = await api<ErrorBody>(dash.url, `/api/v1/wait-estimates/trend?${q}`);
        expect(res.status, q).toBe(400);
        expect(res.body.error.message, q).toMatch(message);
      }
      const weeks = await api<ErrorBody>(dash.url, `/api/v1/wait-estimates/typical?checkpoint=${KT}&weeks=9`);
      expect(weeks.body.error.message).toMatch(/^weeks: expected a whole number from 1 to 8 \(is '9'\)$/);
      // A valid checkpoint that is not the officer's is 403, not an answer.
      const officer = await login(dash.url, USERS.officer);
      expect((await api(dash.url, path('throughput', { checkpoints: `${KT},${RAIL}`, from, to }), { cookie: officer })).status).toBe(403);
    });
  });
});
