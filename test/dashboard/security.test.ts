/**
 * The dashboard's security controls (docs/security.md, "Dashboard"), one describe each, tried
 * the way an attacker at a crossing or on the internet would: against a real influxd reached
 * through a recording proxy (so that a refused request is seen never to reach InfluxDB), behind
 * a reverse proxy that says who the client is, and with TLS declared in the configuration.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySchema, applyUsers, INFLUX_DASHBOARD_USER, startInfluxd } from '@gatewatch/infra';
import { startDashboard, silentLog, type Dashboard } from '@gatewatch/dashboard';
import { REPO } from '../harness/agentProcess.js';
import { PASSWORD, USERS, api, login, openSocket, sessionCookieOf, startServices, watch, writeConfig, type ApiAnswer, type GwSocket, type Services } from './fixture.js';
import { InfluxRecorder, rawRequest, type ErrorBody } from './securityHarness.js';

const KT = 'kim-thanh-road';
const RAIL = 'lao-cai-rail';
const HOUR = 3_600_000;
/** A whole hour three days ago: inside the raw retention, so every history route takes it. */
const H0 = Math.floor(Date.now() / HOUR) * HOUR - 72 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const qs = (q: Record<string, string>) => new URLSearchParams(q).toString();

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

  /** `publicApi`: an answer of the public API, which any site may read and embed (finding 10). */
  const expectHeaders = (headers: Headers, what: string, publicApi = false) => {
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
    expect(headers.get('cross-origin-resource-policy'), what).toBe(publicApi ? 'cross-origin' : 'same-origin');
    expect(headers.get('x-powered-by'), what).toBeNull();
  };


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
        expectHeaders(res.headers, what, what === 'public JSON' || what === 'bad parameter');
      }
      const csv = await answers[2]![2];
      expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      for (let i = 0; i < 6; i++) await api(proxied.url, '/api/v1/checkpoints', { headers: { 'x-forwarded-for': '198.51.100.7' } });
      const limited = await api(proxied.url, '/api/v1/checkpoints', { headers: { 'x-forwarded-for': '198.51.100.7' } });
      expect(limited.status).toBe(429);
      expectHeaders(limited.headers, 'rate limited', true);
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

    it('lets no other site read a signed-in answer or send the header: no CORS outside the public API', async () => {
      const origin = { origin: 'https://evil.example' };
      for (const path of ['/api/auth/logout', '/api/auth/login', '/api/v1/checkpoints']) {
        const preflight = await fetch(`${dash.url}${path}`, {
          method: 'OPTIONS',
          headers: { ...origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-gatewatch' },
        });
        expect(preflight.headers.get('access-control-allow-methods'), path).toBeNull();
        expect(preflight.headers.get('access-control-allow-headers'), path).toBeNull();
        if (path.startsWith('/api/auth')) expect(preflight.headers.get('access-control-allow-origin'), path).toBeNull();
      }
      for (const path of ['/api/auth/me', `/api/v1/history/throughput?${qs({ checkpoints: KT, from: iso(H0), to: iso(H0 + HOUR) })}`, '/api/health', '/socket.io/?EIO=4&transport=polling', '/api/v1/nothing']) {
        const res = await api(dash.url, path, { cookie: manager, headers: origin });
        expect(res.headers.get('access-control-allow-origin'), path).toBeNull();
        expect(res.headers.get('access-control-allow-credentials'), path).toBeNull();
      }
    });

    it("gives a socket opened by another site's page no session, however its Origin imitates ours", async () => {
      const cookie = await login(dash.url, USERS.officer);
      const host = new URL(dash.url).host;
      const origins = [
        'null',
        `http://${host}.evil.example`,
        `http://${host}@evil.example`,
        `http://evil.example/${host}`,
        `http://${host.replace('127.0.0.1', '127.0.0.2')}`,
        // Finding 8: the host alone was compared.
        `https://${host}`,
        `http://${host}/evil`,
        `HTTP://${host}`,
        `http://${host}:80`,
      ];
      for (const origin of origins) {
        const { socket } = openSocket(dash.url, cookie, origin);
        try {
          expect(await watch(socket, KT), origin).toEqual({ ok: false, code: 'UNAUTHORIZED', error: 'sign in first' });
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

  /**
   * The security review of issue 12 (about 1 250 attacks on a running dashboard): each finding
   * that was open, by its number, tried the way the reviewer tried it.
   */
  describe('security review findings', () => {
    type Health = { errors: { internal: number; refused: number; byHandler: Record<string, Record<string, number>> }; warnings: string[] };
    const health = async (url: string) => (await api<Health>(url, '/api/health')).body;
    /** A socket event with an acknowledgement, or its absence after 2 s. */
    const emitted = (socket: GwSocket, event: string, ...args: unknown[]) =>
      new Promise<unknown>((resolve) => {
        const timer = setTimeout(() => resolve('no acknowledgement'), 2000);
        (socket.emit as (e: string, ...a: unknown[]) => void)(event, ...args, (r: unknown) => {
          clearTimeout(timer);
          resolve(r);
        });
      });

    it('#1 a watch whose checkpoint is an object, a list, a number or missing is refused by name, and the server goes on', async () => {
      const before = await health(dash.url);
      const cookie = await login(dash.url, USERS.officer);
      const { socket } = openSocket(dash.url, cookie, dash.url);
      try {
        const odd: unknown[] = [{ toString: 'x' }, { valueOf: 1, toString: null }, { __proto__: null }, ['kim-thanh-road'], 42, null, true, { constructor: 'x' }, `${KT} `, ''];
        for (const value of odd) {
          const reply = (await emitted(socket, 'watch', value)) as { ok: boolean; code: string; error: string };
          expect(reply, JSON.stringify(value)).toMatchObject({ ok: false, code: 'BAD_PARAMETER' });
          expect(reply.error, JSON.stringify(value)).toMatch(/^checkpoint: (expected a checkpoint id as text|unknown checkpoint); the checkpoints are lao-cai-rail, kim-thanh-road, hai-phong-port/);
        }
        // No acknowledgement function, or something else in its place: refused all the same, nothing thrown.
        (socket.emit as (e: string, ...a: unknown[]) => void)('watch', { toString: 'x' });
        (socket.emit as (e: string, ...a: unknown[]) => void)('watch', { toString: 'x' }, 'not a function');
        (socket.emit as (e: string, ...a: unknown[]) => void)('unwatch', { toString: 'x' });
        expect(await watch(socket, KT)).toEqual({ ok: true });
      } finally {
        socket.close();
      }
      const after = await health(dash.url);
      expect(after.errors.internal).toBe(before.errors.internal);
      expect(after.errors.byHandler['socket watch']?.['BAD_PARAMETER'] ?? 0).toBeGreaterThanOrEqual(12 + (before.errors.byHandler['socket watch']?.['BAD_PARAMETER'] ?? 0));
      expect(after.errors.byHandler['socket unwatch']?.['BAD_PARAMETER']).toBeGreaterThanOrEqual(1);
    });

    it('#2 watch has a budget: 200 watches from one user get 30 whole states, the rest refused with the seconds to wait', async () => {
      const cookie = await login(dash.url, USERS.managerLaoCai);
      const { socket, events } = openSocket(dash.url, cookie, dash.url);
      try {
        const replies = (await Promise.all(Array.from({ length: 200 }, () => watch(socket, KT)))) as { ok: boolean; code?: string; error?: string }[];
        expect(replies.filter((r) => r.ok)).toHaveLength(30);
        const refused = replies.filter((r) => !r.ok);
        expect(refused).toHaveLength(170);
        expect(refused[0]).toMatchObject({ code: 'RATE_LIMITED' });
        expect(refused[0]!.error).toMatch(/^more than 30 watch requests a minute; try again in \d+ s$/);
        await new Promise((r) => setTimeout(r, 300));
        expect(events.filter((e) => e.name === 'checkpoint')).toHaveLength(30);
        // Another user's budget is their own.
        const officer = openSocket(dash.url, await login(dash.url, USERS.officer), dash.url);
        try {
          expect(await watch(officer.socket, KT)).toEqual({ ok: true });
        } finally {
          officer.socket.close();
        }
      } finally {
        socket.close();
      }
    });

    it('#3 behind a proxy that server.trustProxy does not name, /api/health and the log say so, naming the setting', async () => {
      expect((await health(proxied.url)).warnings).toEqual([]);
      await api(dash.url, '/api/v1/checkpoints', { headers: { 'x-forwarded-for': '198.51.100.9' } });
      const warnings = (await health(dash.url)).warnings.filter((w) => w.includes('X-Forwarded-For'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/X-Forwarded-For from a peer that server\.trustProxy does not name.*docs\/dashboard\.md/);
      // A proxy that is named is believed, and nothing is said.
      await api(proxied.url, '/api/v1/checkpoints', { headers: { 'x-forwarded-for': '198.51.100.9' } });
      expect((await health(proxied.url)).warnings).toEqual([]);
      // The details are for a monitor on this machine or a signed-in user, not for the internet.
      const outside = await api<Record<string, unknown>>(proxied.url, '/api/health', { headers: { 'x-forwarded-for': '198.51.100.9' } });
      expect(Object.keys(outside.body).sort()).toEqual(['broker', 'influx', 'status', 'time']);
    });

    it("#3 an office behind one address: others' failures do not hold back a user whose browser or address signed in there before", async () => {
      const office = '198.51.100.40';
      const officer = await signIn(USERS.officer, PASSWORD, office);
      expect(officer.status).toBe(200);
      const device = officer.headers.getSetCookie().find((c) => c.startsWith('gw_device='))!.split(';')[0]!;
      expect((await signIn(USERS.managerHaiPhong, PASSWORD, office)).status).toBe(200);
      // Colleagues (or one guesser) fail 30 times at the crossing's router.
      for (let i = 0; i < 30; i++) expect((await signIn(`colleague.${i}`, 'typo', office)).status).toBe(401);
      // Someone beside the officer guesses the officer's password: the officer's own browser is
      // counted apart and still gets through, as does the manager at an address where they signed in.
      for (let i = 0; i < 5; i++) expect((await signIn(USERS.officer, 'guess', office)).status).toBe(401);
      expect((await signIn(USERS.officer, PASSWORD, office)).status).toBe(429);
      expect((await signIn(USERS.officer, PASSWORD, office, { cookie: device })).status).toBe(200);
      expect((await signIn(USERS.managerHaiPhong, PASSWORD, office)).status).toBe(200);
      // A user new to this address waits, told how long; a wrong password of a known user still counts.
      const held = await signIn(USERS.managerLaoCai, PASSWORD, office);
      expect(held.status).toBe(429);
      expect(held.body.error.code).toBe('TOO_MANY_ATTEMPTS');
      expect(Number(held.headers.get('retry-after'))).toBeGreaterThan(0);
      for (let i = 0; i < 5; i++) expect((await signIn(USERS.managerHaiPhong, 'typo', office)).status).toBe(401);
      expect((await signIn(USERS.managerHaiPhong, PASSWORD, office)).status).toBe(429);
      clockOffsetMs += 16 * 60_000;
    });

    it("#8 a socket's page must be this server's origin exactly: behind a trusted proxy the proxy's, and a refused signed-in socket is reported", async () => {
      const cookie = (await signIn(USERS.officer, PASSWORD, '198.51.100.50')).headers.getSetCookie().find((c) => c.startsWith('gw_session='))!.split(';')[0]!;
      const viaProxy = { 'x-forwarded-for': '198.51.100.50', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'cuakhau.example' };
      const through = openSocket(proxied.url, cookie, 'https://cuakhau.example', viaProxy);
      // The same page, through a proxy that does not say where the browser was.
      const hidden = openSocket(proxied.url, cookie, 'https://cuakhau.example', { 'x-forwarded-for': '198.51.100.50' });
      try {
        expect(await watch(through.socket, KT)).toEqual({ ok: true });
        expect(await watch(hidden.socket, KT)).toMatchObject({ ok: false, code: 'UNAUTHORIZED' });
      } finally {
        through.socket.close();
        hidden.socket.close();
      }
      const { warnings } = await health(proxied.url);
      expect(warnings.join('\n')).toMatch(/a signed-in page's socket came from "https:\/\/cuakhau\.example" but this server's origin is http:\/\/127\.0\.0\.1:\d+: .*X-Forwarded-Proto/);
    });

    it('#4 history queries: at most 2 of one user at InfluxDB at once, 6 more wait their turn, the rest 429; 60 a minute', async () => {
      const cookie = await login(dash.url, USERS.managerHaiPhong);
      const q = (i: number) => `/api/v1/history/heatmap?${qs({ checkpoints: 'hai-phong-port', from: iso(H0 - i * HOUR), to: iso(H0 + HOUR) })}`;
      influx.slowMs = 300;
      influx.maxInFlight = 0;
      try {
        const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => api<ErrorBody>(dash.url, q(i), { cookie })));
        expect(statuses(answers).filter((s) => s === 200)).toHaveLength(8);
        const busy = answers.filter((a) => a.status === 429);
        expect(busy).toHaveLength(4);
        expect(busy[0]!.body.error.code).toBe('TOO_BUSY');
        expect(Number(busy[0]!.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(influx.maxInFlight).toBe(2);
        // A client that hangs up does not free its slot while its query still runs at InfluxDB:
        // else asking and hanging up, over and over, would put any number of queries there.
        influx.slowMs = 600;
        influx.maxInFlight = 0;
        const hangUps = Array.from({ length: 2 }, (_, i) => {
          const abort = new AbortController();
          setTimeout(() => abort.abort(), 100);
          return fetch(`${dash.url}${q(20 + i)}`, { headers: { cookie }, signal: abort.signal }).catch(() => 'hung up');
        });
        expect(await Promise.all(hangUps)).toEqual(['hung up', 'hung up']);
        const after = await Promise.all([0, 1, 2].map((i) => api(dash.url, q(30 + i), { cookie })));
        expect(statuses(after)).toEqual([200, 200, 200]);
        expect(influx.maxInFlight).toBe(2);
      } finally {
        influx.slowMs = 0;
      }
      // 17 counted above (the refused ones too: they asked); past 60 a minute (one more a second
      // as it goes), refused with the seconds to wait.
      let accepted = 0;
      let limited: ApiAnswer<ErrorBody> | undefined;
      const started = Date.now();
      for (let i = 0; i < 70 && !limited; i++) {
        const res = await api<ErrorBody>(dash.url, q(i), { cookie });
        if (res.status === 200) accepted++;
        else limited = res;
      }
      expect(limited?.status).toBe(429);
      expect(limited!.body.error.message).toMatch(/^more than 60 history queries a minute; try again in \d+ s$/);
      expect(accepted).toBeGreaterThanOrEqual(43);
      expect(accepted).toBeLessThanOrEqual(43 + Math.ceil((Date.now() - started) / 1000) + 4);
      // Refusals of bad parameters cost nothing and count nothing: still 400, not 429.
      expect((await api(dash.url, '/api/v1/history/heatmap?checkpoints=x', { cookie })).status).toBe(400);
    });

    it("#5 years outside InfluxDB's range are refused with 400 naming the parameter, never sent as if InfluxDB were down", async () => {
      const mark = influx.statements.length;
      for (const [from, to] of [
        ['0000-01-01T00:00:00Z', '0000-12-31T00:00:00Z'],
        ['1677-01-01T00:00:00Z', '1677-02-01T00:00:00Z'],
        ['2262-04-10T00:00:00Z', '2262-04-11T00:00:00Z'],
        ['9999-01-01T00:00:00Z', '9999-01-02T00:00:00Z'],
      ]) {
        const res = await api<ErrorBody>(dash.url, `/api/v1/history/queue?${qs({ checkpoint: KT, from: from!, to: to! })}`, { cookie: manager });
        expect(res.status, from).toBe(400);
        expect(res.body.error.code, from).toBe('BAD_PARAMETER');
        expect(res.body.error.message, from).toMatch(/^(from|to): expected a time from 1678-01-01 to 2262-01-01/);
      }
      expect(influx.routeStatements(mark)).toEqual([]);
    });

    it('#6 a JSON body that is not UTF-8 is refused with 415, whatever charset it claims', async () => {
      const body = JSON.stringify({ username: USERS.officer, password: 'wrong' });
      const post = (contentType: string, bytes: Uint8Array | string) =>
        fetch(`${dash.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': contentType, 'x-gatewatch': '1' }, body: bytes });
      for (const [contentType, bytes] of [
        ['application/json; charset=utf-16le', Buffer.from(body, 'utf16le')],
        ['application/json; charset=UTF-16', Buffer.from(body, 'utf16le')],
        ['application/json; charset=latin1', Buffer.from(body, 'latin1')],
        ['application/json', Buffer.concat([Buffer.from('{"username":"'), Buffer.from([0xff, 0xfe]), Buffer.from('","password":"x"}')])],
      ] as const) {
        const res = await post(contentType, bytes);
        expect(res.status, contentType).toBe(415);
        expect(((await res.json()) as ErrorBody).error.code, contentType).toBe('BAD_BODY');
      }
      // UTF-8, said or not, is read (and the password is wrong).
      expect((await post('application/json; charset=UTF-8', body)).status).toBe(401);
      expect((await post('application/json', body)).status).toBe(401);
    });

    it('#7 serves no source maps: the build makes none, and one left in the folder is not sent', async () => {
      writeFileSync(join(services.dir, 'web', 'assets', 'app.js.map'), '{"version":3,"sourcesContent":["secret"]}');
      const res = await api<ErrorBody>(dash.url, '/assets/app.js.map');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
      const built = join(REPO, 'dashboard', 'web', 'dist', 'assets');
      const files = readdirSync(built);
      expect(files.some((f) => f.endsWith('.js'))).toBe(true);
      expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
      for (const f of files.filter((f) => f.endsWith('.js'))) expect(readFileSync(join(built, f), 'utf8'), f).not.toContain('sourceMappingURL');
    });

    it("#9 Node's own 400 and 431 answers carry the security headers and a JSON error, and are counted", async () => {
      const before = await health(dash.url);
      const host = new URL(dash.url).host;
      const long = await rawRequest(dash.url, `GET /api/v1/checkpoints?x=${'y'.repeat(17_000)} HTTP/1.1\r\nHost: ${host}\r\n\r\n`);
      const garbage = await rawRequest(dash.url, 'HELLO THERE\r\n\r\n');
      const badHeader = await rawRequest(dash.url, `GET / HTTP/1.1\r\nHost: ${host}\r\nX-Bad\u0001: 1\r\n\r\n`);
      // Two more that Node answers itself unless told otherwise (found by the REST fuzz target).
      const noHost = await rawRequest(dash.url, 'GET /api/v1/checkpoints HTTP/1.1\r\n\r\n');
      const expectation = await rawRequest(dash.url, `GET /api/v1/nothing HTTP/1.1\r\nHost: ${host}\r\nExpect: foo\r\nConnection: close\r\n\r\n`);
      for (const [what, r, status, code] of [
        ['17 kB URL', long, 431, 'HEADERS_TOO_LARGE'],
        ['not HTTP', garbage, 400, 'BAD_REQUEST'],
        ['bad header name', badHeader, 400, 'BAD_REQUEST'],
        ['no Host', noHost, 400, 'BAD_REQUEST'],
        ['Expect: foo (ignored, answered as without it)', expectation, 404, 'NOT_FOUND'],
      ] as const) {
        expect(r.status, what).toBe(status);
        const [head, body] = r.text.split('\r\n\r\n') as [string, string];
        const headers = new Headers(head.split('\r\n').slice(1).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim()] as [string, string]));
        expectHeaders(headers, what);
        expect(headers.get('content-type'), what).toMatch(/^application\/json/);
        expect((JSON.parse(body) as ErrorBody).error.code, what).toBe(code);
      }
      const after = await health(dash.url);
      expect(after.errors.byHandler['http parser']?.['BAD_REQUEST'] ?? 0).toBe((before.errors.byHandler['http parser']?.['BAD_REQUEST'] ?? 0) + 2);
      expect(after.errors.byHandler['http parser']?.['HEADERS_TOO_LARGE'] ?? 0).toBe((before.errors.byHandler['http parser']?.['HEADERS_TOO_LARGE'] ?? 0) + 1);
    });

    it('#11 on the shipped InfluxDB config the dashboard reads with its read-only account, and nobody reads plates without one', { timeout: 60_000 }, async () => {
      const dir = join(services.dir, 'influx-secure');
      const admin = { username: 'gatewatch-admin', password: randomBytes(18).toString('base64url') };
      const reader = { username: INFLUX_DASHBOARD_USER, password: randomBytes(18).toString('base64url') };
      const secure = await startInfluxd({ dataDir: join(dir, 'influxdb'), secure: true, admin });
      let secured: Dashboard | undefined;
      try {
        const target = { url: secure.url, credentials: admin };
        await applySchema(target);
        await applyUsers(target, [{ ...reader, access: 'read' }]);
        const plate = '29C-999.11';
        const write = await fetch(`${secure.url}/write?db=gatewatch&rp=raw&precision=ms`, {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(`${admin.username}:${admin.password}`).toString('base64')}` },
          body: `clearance,checkpoint=${KT},lane=IN-1,kind=truck,channel=green,outcome=released unit="${plate}",total_s=60 ${H0 + 60_000}`,
        });
        expect(write.status).toBe(204);
        const anonymous = await fetch(`${secure.url}/query?${qs({ db: 'gatewatch', q: 'SELECT "unit" FROM "raw"."clearance"' })}`);
        expect(anonymous.status).toBe(401);
        expect(await anonymous.text()).not.toContain(plate);
        writeFileSync(join(dir, 'influx-password'), reader.password, { mode: 0o600 });
        secured = await startDashboard(
          await writeConfig(services, 'sec-influx-auth', { influxUrl: secure.url, influx: { credentials: { username: reader.username, passwordFile: join(dir, 'influx-password') } } }),
          { log: silentLog() },
        );
        expect((await api<{ influx: string }>(secured.url, '/api/health')).body.influx).toBe('up');
        const officer = await login(secured.url, USERS.officer);
        const history = await api<{ units: number }[]>(secured.url, `/api/v1/history/clearance-times?${qs({ checkpoints: KT, from: iso(H0), to: iso(H0 + HOUR) })}`, { cookie: officer });
        expect(history.status).toBe(200);
        expect(history.body.reduce((n, r) => n + r.units, 0)).toBe(1);
      } finally {
        await secured?.stop();
        await secure.stop();
      }
    });

    it("#10 a logistics firm's web app on its own site can read the public API: CORS for any origin, never with credentials", async () => {
      const origin = { origin: 'https://logistics.example' };
      for (const path of ['/api/v1/checkpoints', '/api/v1/wait-estimates', `/api/v1/wait-estimates/trend?checkpoint=${KT}`, `/api/v1/wait-estimates/typical?checkpoint=${KT}`, '/api/v1/openapi.json']) {
        const res = await api(dash.url, path, { headers: origin, cookie: manager });
        expect(res.status, path).toBe(200);
        expect(res.headers.get('access-control-allow-origin'), path).toBe('*');
        expect(res.headers.get('access-control-allow-credentials'), path).toBeNull();
        expect(res.headers.get('cross-origin-resource-policy'), path).toBe('cross-origin');
        const preflight = await fetch(`${dash.url}${path}`, { method: 'OPTIONS', headers: { ...origin, 'access-control-request-method': 'GET' } });
        expect(preflight.status, path).toBe(204);
        expect(preflight.headers.get('access-control-allow-methods'), path).toBe('GET, HEAD');
      }
      // Its 429 can be read too, with the seconds to wait.
      const client = { headers: { ...origin, 'x-forwarded-for': '198.51.100.30' } };
      for (let i = 0; i < 5; i++) await api(proxied.url, '/api/v1/checkpoints', client);
      const limited = await api(proxied.url, '/api/v1/checkpoints', client);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('access-control-allow-origin')).toBe('*');
      expect(limited.headers.get('access-control-expose-headers')).toBe('Retry-After');
    });
  });
});
