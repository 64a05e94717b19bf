/**
 * The REST side on real influxd and mosquitto: sign-in and sessions, roles on history, history
 * answers against a small known data set (through the real downsampling), the public API, bad
 * parameters (InfluxQL injection among them), the rate limit, static files and health.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downsample } from '@gatewatch/infra';
import { isoVietnam, msToNs, type ClearanceTimeRow, type HeatCell, type Me, type QueuePoint, type ThroughputRow, type TypicalWait, type WaitPoint } from '@gatewatch/shared';
import { startDashboard, silentLog, type Dashboard } from '@gatewatch/dashboard';
import { REPO } from '../harness/agentProcess.js';
import {
  SECRET_UNITS,
  USERS,
  api,
  clearanceLine,
  clearanceRecord,
  login,
  openSocket,
  queueLine,
  queueRecord,
  sessionCookieOf,
  startServices,
  startTestDashboard,
  waitFor,
  watch,
  writeConfig,
  writeLines,
  type Services,
} from './fixture.js';

const KT = 'kim-thanh-road';
const HP = 'hai-phong-port';
const RAIL = 'lao-cai-rail';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** A whole hour three days ago: well inside the raw retention, far from what the CQs recompute. */
const H0 = Math.floor(Date.now() / HOUR) * HOUR - 3 * DAY;
const iso = (ms: number) => new Date(ms).toISOString();
const enc = encodeURIComponent;

type ErrorBody = { error: { code: string; message: string } };

describe('dashboard REST on real services', () => {
  let services: Services;
  let dashboard: Dashboard;
  /** Tiny sessions, on the same services. */
  let tight: Dashboard;
  let manager: string;
  let officer: string;

  beforeAll(async () => {
    services = await startServices('api');
    const staticDir = join(services.dir, 'web');
    mkdirSync(staticDir, { recursive: true });
    writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>GateWatch app</title>');

    // Kim Thanh: green total_s 10…100 (6 in the first hour, 4 in the next), red 600 and 1200, a
    // timeout; Hai Phong: green 30, 40, 50. Unit ids that the public must never see.
    const cl = [];
    for (let i = 0; i < 10; i++) cl.push(clearanceRecord(KT, H0 + (i < 6 ? i * 300_000 : HOUR + (i - 6) * 300_000), { total_s: (i + 1) * 10, unit: SECRET_UNITS[i % 3]! }));
    cl.push(clearanceRecord(KT, H0 + 600_000, { channel: 'red', total_s: 600, unit: SECRET_UNITS[1] }));
    cl.push(clearanceRecord(KT, H0 + HOUR + 600_000, { channel: 'red', total_s: 1200, unit: SECRET_UNITS[2] }));
    const { total_s: _t, wait_s: _w, process_s: _p, ...timedOut } = clearanceRecord(KT, H0 + 1_200_000, { outcome: 'timeout' });
    cl.push(timedOut);
    for (const s of [30, 40, 50]) cl.push(clearanceRecord(HP, H0 + 1_800_000 + s, { total_s: s, unit: SECRET_UNITS[0] }));
    const queue = [0, 1, 2, 3, 4, 5].map((i) => queueRecord(KT, 'IN-1', H0 + i * 10_000, { length: i, wait_estimate_s: 100 * i }));
    await writeLines(services.influxd, [...cl.map(clearanceLine), ...queue.map(queueLine)]);
    await downsample(services.influxd.url, { from: H0 - DAY, to: H0 + DAY, aggregates: ['clearance1h', 'clearance1d', 'queue1m'] });

    // Trend (the last hour): IN-2 let a unit through 75 minutes ago, so it is open 50 minutes
    // ago but closed (more than 30 minutes since) 15 minutes ago, when its estimate is 0.
    // (No raw queue data is recent, so the 1-minute CQ writes nothing over these.)
    const minute = (ago: number) => Math.floor((Date.now() - ago * 60_000) / 60_000) * 60_000;
    const agg = (lane: string, ms: number, length: number, wait: number, departures: number) =>
      `queue_1m,checkpoint=${KT},lane=${lane} length_mean=${length},wait_estimate_s_mean=${wait},departures=${departures}i,samples=6i ${msToNs(ms)}`;
    await writeLines(
      services.influxd,
      [
        agg('IN-2', minute(75), 3, 600, 1),
        ...[agg('IN-1', minute(50), 5, 300, 1), agg('IN-2', minute(50), 3, 600, 0), agg('OUT-1', minute(50), 2, 100, 1)],
        ...[agg('IN-1', minute(15), 4, 280, 1), agg('IN-2', minute(15), 1, 0, 0), agg('OUT-1', minute(15), 0, 0, 0)],
      ],
      'agg_1m',
    );
    // Typical: 08:00 local (01:00 UTC) on three days, two inbound lanes.
    const day0 = Math.floor(Date.now() / DAY) * DAY;
    const hourly = (lane: string, wait: number, departures: number, daysAgo: number, utcHour = 1) =>
      `queue_1h,checkpoint=${KT},lane=${lane} length_mean=1,wait_estimate_s_mean=${wait},departures=${departures}i,samples=360i ${(day0 - daysAgo * DAY + utcHour * HOUR) * 1e6}`;
    await writeLines(
      services.influxd,
      [
        ...[hourly('IN-1', 100, 5, 2), hourly('IN-1', 200, 5, 3), hourly('IN-1', 300, 5, 4)],
        // Three days ago IN-2 was closed: its 50 s does not count.
        ...[hourly('IN-2', 150, 5, 2), hourly('IN-2', 50, 0, 3), hourly('IN-2', 400, 5, 4), hourly('IN-2', 10, 0, 5)],
        // Five days ago IN-2 let units through from 07:00 to 08:00 only: open then, closed at 08:00.
        hourly('IN-2', 500, 5, 5, 0),
      ],
      'agg_1h',
    );

    dashboard = await startDashboard(await writeConfig(services, 'api'), { staticDir, log: silentLog() });
    tight = await startTestDashboard(
      await writeConfig(services, 'tight', { auth: { sessionIdleMinutes: 0.02, sessionMaxHours: 0.001 } }),
    );
    manager = await login(dashboard.url, USERS.managerLaoCai);
    officer = await login(dashboard.url, USERS.officer);
  });
  afterAll(async () => {
    await tight?.stop();
    await dashboard?.stop();
    await services?.close();
  });

  describe('sign-in', () => {
    it('signs in with a session cookie and answers /me', async () => {
      const res = await api<Me>(dashboard.url, '/api/auth/login', { method: 'POST', body: { username: USERS.managerLaoCai, password: 'correct horse battery staple' } });
      expect(res.status).toBe(200);
      const cookie = sessionCookieOf(res.headers)!;
      expect(cookie).toMatch(/^gw_session=[A-Za-z0-9_-]{43}; Path=\/; Max-Age=43200; HttpOnly; SameSite=Strict$/);
      const me = await api<Me>(dashboard.url, '/api/auth/me', { cookie: cookie.split(';')[0]! });
      expect(me.body).toMatchObject({ username: USERS.managerLaoCai, role: 'manager', region: 'lao-cai', checkpoints: [RAIL, KT] });
      expect(Date.parse(me.body.expiresAt)).toBeGreaterThan(Date.now());
    });

    it('answers a wrong password and an unknown user alike', async () => {
      const wrong = await api<ErrorBody>(dashboard.url, '/api/auth/login', { method: 'POST', body: { username: USERS.officer, password: 'guess' } });
      const unknown = await api<ErrorBody>(dashboard.url, '/api/auth/login', { method: 'POST', body: { username: 'nobody.here', password: 'guess' } });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.body).toEqual(unknown.body);
      expect(wrong.body.error.message).toBe('wrong username or password');
    });

    it('replaces the session of the browser that signs in again', async () => {
      const first = await login(dashboard.url, USERS.officer);
      const res = await api(dashboard.url, '/api/auth/login', { method: 'POST', cookie: first, body: { username: USERS.managerLaoCai, password: 'correct horse battery staple' } });
      expect(res.status).toBe(200);
      expect((await api(dashboard.url, '/api/auth/me', { cookie: first })).status).toBe(401);
    });

    it('ends a session at logout', async () => {
      const cookie = await login(dashboard.url, USERS.officer);
      expect((await api(dashboard.url, '/api/auth/logout', { method: 'POST', cookie })).status).toBe(204);
      expect((await api(dashboard.url, '/api/auth/me', { cookie })).status).toBe(401);
      expect((await api(dashboard.url, `/api/v1/history/throughput?checkpoints=${KT}&from=${enc(iso(H0))}&to=${enc(iso(H0 + HOUR))}`, { cookie })).status).toBe(401);
    });

    it('ends an idle session, and its sockets', async () => {
      const cookie = await login(tight.url, USERS.officer);
      const { socket } = openSocket(tight.url, cookie);
      expect(await watch(socket, KT)).toEqual({ ok: true });
      const gone = new Promise<void>((resolve) => socket.on('disconnect', () => resolve()));
      await new Promise((r) => setTimeout(r, 1500));
      expect((await api(tight.url, '/api/auth/me', { cookie })).status).toBe(401);
      await gone;
      socket.close();
    });

    it('ends a session at its maximum age however busy', async () => {
      const cookie = await login(tight.url, USERS.officer);
      const started = Date.now();
      while (Date.now() - started < 3000) {
        expect((await api(tight.url, '/api/auth/me', { cookie })).status).toBe(200);
        await new Promise((r) => setTimeout(r, 400));
      }
      await waitFor(async () => (await api(tight.url, '/api/auth/me', { cookie })).status === 401, 2000, 'the session to end');
    });
  });

  describe('history', () => {
    const path = (what: string, q: Record<string, string>) => `/api/v1/history/${what}?${new URLSearchParams(q).toString()}`;

    it('keeps each role to its checkpoints', async () => {
      const q = (checkpoints: string) => path('throughput', { checkpoints, from: iso(H0), to: iso(H0 + HOUR) });
      expect((await api(dashboard.url, q(KT), { cookie: officer })).status).toBe(200);
      const other = await api<ErrorBody>(dashboard.url, q(`${KT},${HP}`), { cookie: officer });
      expect(other.status).toBe(403);
      expect(other.body.error.message).toContain(`'${HP}'`);
      expect((await api(dashboard.url, q(RAIL), { cookie: officer })).status).toBe(403);
      expect((await api(dashboard.url, q(`${RAIL},${KT}`), { cookie: manager })).status).toBe(200);
      expect((await api(dashboard.url, q(HP), { cookie: manager })).status).toBe(403);
      expect((await api(dashboard.url, q(HP), { cookie: await login(dashboard.url, USERS.managerHaiPhong) })).status).toBe(200);
      expect((await api(dashboard.url, q(KT))).status).toBe(401);
    });

    it('keeps an officer to their checkpoint on every history answer and its CSV', async () => {
      const range = { from: iso(H0), to: iso(H0 + HOUR) };
      for (const format of ['json', 'csv']) {
        for (const [what, q] of [
          ['clearance-times', { checkpoints: HP, ...range }],
          ['heatmap', { checkpoints: HP, ...range }],
          ['queue', { checkpoint: HP, ...range }],
          ['throughput', { checkpoints: HP, ...range }],
        ] as const) {
          const res = await api<ErrorBody>(dashboard.url, path(what, { ...q, format }), { cookie: officer });
          expect(res.status, `${what} ${format}`).toBe(403);
          expect(res.text, `${what} ${format}`).not.toContain(SECRET_UNITS[0]);
          const own = await api(dashboard.url, path(what, { ...q, ...(what === 'queue' ? { checkpoint: KT } : { checkpoints: KT }), format }), { cookie: officer });
          expect(own.status, `${what} ${format} of their own`).toBe(200);
        }
      }
    });

    it('sums released units per hour and per local day, by channel', async () => {
      const hp = await login(dashboard.url, USERS.managerHaiPhong);
      const kt = await api<ThroughputRow[]>(dashboard.url, path('throughput', { checkpoints: KT, from: iso(H0), to: iso(H0 + 2 * HOUR) }), { cookie: manager });
      expect(kt.body).toEqual([
        { time: iso(H0), checkpoint: KT, units: 7, green: 6, yellow: 0, red: 1, unknown: 0 },
        { time: iso(H0 + HOUR), checkpoint: KT, units: 5, green: 4, yellow: 0, red: 1, unknown: 0 },
      ]);
      const port = await api<ThroughputRow[]>(dashboard.url, path('throughput', { checkpoints: HP, from: iso(H0), to: iso(H0 + 2 * HOUR) }), { cookie: hp });
      expect(port.body).toEqual([{ time: iso(H0), checkpoint: HP, units: 3, green: 3, yellow: 0, red: 0, unknown: 0 }]);

      const daily = await api<ThroughputRow[]>(dashboard.url, path('throughput', { checkpoints: KT, from: iso(H0 - DAY), to: iso(H0 + DAY), interval: 'day' }), { cookie: manager });
      // Local days (UTC+7) start at 17:00 UTC.
      const localDay = (t: number) => Math.floor((t + 7 * HOUR) / DAY) * DAY - 7 * HOUR;
      const expected = new Map<number, number>();
      for (const t of [0, 1, 2, 3, 4, 5].map((i) => H0 + i * 300_000).concat([0, 1, 2, 3].map((i) => H0 + HOUR + i * 300_000), [H0 + 600_000, H0 + HOUR + 600_000])) {
        expected.set(localDay(t), (expected.get(localDay(t)) ?? 0) + 1);
      }
      expect(daily.body.map((r) => [r.time, r.units])).toEqual([...expected].map(([t, n]) => [iso(t), n]));
    });

    it('gives exact clearance-time percentiles per channel', async () => {
      const res = await api<ClearanceTimeRow[]>(dashboard.url, path('clearance-times', { checkpoints: KT, from: iso(H0 - HOUR), to: iso(H0 + 3 * HOUR) }), { cookie: manager });
      expect(res.status).toBe(200);
      expect(res.body).toEqual([
        { checkpoint: KT, channel: 'green', units: 10, medianS: 55, p90S: 90, p99S: 100 },
        { checkpoint: KT, channel: 'yellow', units: 0, medianS: null, p90S: null, p99S: null },
        { checkpoint: KT, channel: 'red', units: 2, medianS: 900, p90S: 1200, p99S: 1200 },
        { checkpoint: KT, channel: 'unknown', units: 0, medianS: null, p90S: null, p99S: null },
      ]);
    });

    it('folds hourly throughput into the local hour of week, as a mean over the weeks', async () => {
      const res = await api<HeatCell[]>(dashboard.url, path('heatmap', { checkpoints: KT, from: iso(H0 - 7 * DAY), to: iso(H0 + 7 * DAY) }), { cookie: manager });
      expect(res.body).toHaveLength(168);
      const local = new Date(H0 + 7 * HOUR);
      const weekday = (local.getUTCDay() + 6) % 7;
      const hour = local.getUTCHours();
      // Two weeks in range: 7 units in that hour once → 3.5 a week.
      expect(res.body.find((c) => c.weekday === weekday && c.hour === hour)).toEqual({ checkpoint: KT, weekday, hour, units: 3.5 });
      expect(res.body.reduce((s, c) => s + c.units, 0)).toBe(6);
    });

    it('answers the queue series at the resolution of the range', async () => {
      const raw = await api<QueuePoint[]>(dashboard.url, path('queue', { checkpoint: KT, from: iso(H0), to: iso(H0 + HOUR) }), { cookie: officer });
      expect(raw.headers.get('x-gatewatch-resolution')).toBe('raw');
      expect(raw.body.map((p) => p.length)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(raw.body[5]).toEqual({ time: iso(H0 + 50_000), lane: 'IN-1', length: 5, waitS: 500 });
      const minutes = await api<QueuePoint[]>(dashboard.url, path('queue', { checkpoint: KT, from: iso(H0 - DAY), to: iso(H0 + DAY) }), { cookie: officer });
      expect(minutes.headers.get('x-gatewatch-resolution')).toBe('1m');
      expect(minutes.body).toEqual([{ time: iso(H0), lane: 'IN-1', length: 2.5, waitS: 250 }]);
    });

    it('exports CSV for Excel', async () => {
      const res = await api(dashboard.url, path('throughput', { checkpoints: KT, from: iso(H0), to: iso(H0 + 2 * HOUR), format: 'csv' }), { cookie: manager });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="gatewatch-throughput-hour-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv"$/);
      expect([...res.bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
      expect(res.text.slice(1).split('\r\n')).toEqual([
        'time,checkpoint,units,green,yellow,red,unknown',
        // Local times for the spreadsheet: the JSON answer's instants at +07:00.
        `${isoVietnam(H0)},${KT},7,6,0,1,0`,
        `${isoVietnam(H0 + HOUR)},${KT},5,4,0,1,0`,
        '',
      ]);
      const times = await api(dashboard.url, path('clearance-times', { checkpoints: KT, from: iso(H0 - HOUR), to: iso(H0 + 3 * HOUR), format: 'csv' }), { cookie: manager });
      expect(times.text.slice(1).split('\r\n').slice(0, 2)).toEqual(['checkpoint,channel,units,medianS,p90S,p99S', `${KT},green,10,55,90,100`]);
    });
  });

  describe('public API', () => {
    it('lists the checkpoints in corridor order and the estimates per direction', async () => {
      const cps = await api<{ id: string; order: number }[]>(dashboard.url, '/api/v1/checkpoints');
      expect(cps.body.map((c) => [c.id, c.order])).toEqual([[RAIL, 0], [KT, 1], [HP, 2]]);
      const est = await api<{ checkpoint: string; direction: string }[]>(dashboard.url, '/api/v1/wait-estimates');
      expect(est.body.map((e) => `${e.checkpoint} ${e.direction}`)).toEqual([`${RAIL} inbound`, `${RAIL} outbound`, `${KT} inbound`, `${KT} outbound`, `${HP} inbound`, `${HP} outbound`]);
    });

    it("gives the trend per minute over the direction's open lanes", async () => {
      const res = await api<WaitPoint[]>(dashboard.url, `/api/v1/wait-estimates/trend?checkpoint=${KT}&hours=1`);
      expect(res.status).toBe(200);
      expect(res.body.map(({ direction, waitS, queueLength }) => ({ direction, waitS, queueLength }))).toEqual([
        { direction: 'inbound', waitS: 300, queueLength: 8 },
        { direction: 'outbound', waitS: 100, queueLength: 2 },
        // IN-2 closed: its 0 does not count; OUT-1 closed too, so nothing is expected.
        { direction: 'inbound', waitS: 280, queueLength: 5 },
        { direction: 'outbound', waitS: null, queueLength: 0 },
      ]);
    });

    it('gives the typical wait by local hour: median and 90th percentile over the days', async () => {
      const res = await api<TypicalWait[]>(dashboard.url, `/api/v1/wait-estimates/typical?checkpoint=${KT}&weeks=1`);
      const inbound = res.body.find((t) => t.direction === 'inbound')!;
      expect(inbound.medianWaitS).toHaveLength(24);
      // Per day the lowest open lane: 100, 200 (IN-2 closed), 300; five days ago nothing open.
      expect(inbound.medianWaitS[8]).toBe(200);
      expect(inbound.p90WaitS[8]).toBe(300);
      expect(inbound.medianWaitS[7]).toBe(500);
      expect(inbound.medianWaitS.filter((x) => x !== null)).toHaveLength(2);
      expect(res.body.find((t) => t.direction === 'outbound')!.medianWaitS.every((x) => x === null)).toBe(true);
    });

    it('documents itself in OpenAPI 3.1', async () => {
      const res = await api<{ openapi: string; paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } }>(dashboard.url, '/api/v1/openapi.json');
      expect(res.body.openapi).toBe('3.1.0');
      expect(Object.keys(res.body.paths).sort()).toEqual(['/checkpoints', '/wait-estimates', '/wait-estimates/trend', '/wait-estimates/typical']);
      expect(Object.keys(res.body.components.schemas)).toEqual(expect.arrayContaining(['CheckpointInfo', 'WaitEstimate', 'WaitPoint', 'TypicalWait', 'ApiError']));
      // The answers have every field the document requires, and only the fields it describes.
      const schemas = res.body.components.schemas as Record<string, { required: string[]; properties: Record<string, unknown> }>;
      for (const [url, schema] of [
        ['/api/v1/checkpoints', 'CheckpointInfo'],
        ['/api/v1/wait-estimates', 'WaitEstimate'],
        [`/api/v1/wait-estimates/trend?checkpoint=${KT}&hours=1`, 'WaitPoint'],
        [`/api/v1/wait-estimates/typical?checkpoint=${KT}&weeks=1`, 'TypicalWait'],
      ] as const) {
        const items = (await api<Record<string, unknown>[]>(dashboard.url, url)).body;
        expect(items.length, url).toBeGreaterThan(0);
        for (const item of items) {
          expect(Object.keys(item), url).toEqual(expect.arrayContaining(schemas[schema]!.required));
          expect(Object.keys(schemas[schema]!.properties), url).toEqual(expect.arrayContaining(Object.keys(item)));
        }
      }
    });
  });

  describe('pages and health', () => {
    it('serves the web app with its index.html for the app routes', async () => {
      for (const p of ['/', '/officer/kim-thanh-road']) {
        const res = await fetch(`${dashboard.url}${p}`);
        expect(res.status).toBe(200);
        expect(await res.text()).toContain('GateWatch app');
      }
      const missing = await api<ErrorBody>(dashboard.url, '/api/v1/nothing');
      expect(missing.status).toBe(404);
      expect(missing.body.error.code).toBe('NOT_FOUND');
      const notBuilt = await fetch(`${tight.url}/`);
      expect(await notBuilt.text()).toContain('not built');
    });

    it('sends the built app compressed, its hashed files cached for a year and index.html checked each time', async () => {
      const web = join(REPO, 'dashboard', 'web', 'dist');
      const built = await startDashboard(await writeConfig(services, 'built-app'), { staticDir: web, log: silentLog() });
      try {
        const scripts = readdirSync(join(web, 'assets')).filter((f) => f.endsWith('.js'));
        const biggest = scripts.sort((a, b) => statSync(join(web, 'assets', b)).size - statSync(join(web, 'assets', a)).size)[0]!;
        for (const encoding of ['br', 'gzip']) {
          const res = await fetch(`${built.url}/assets/${biggest}`, { headers: { 'accept-encoding': encoding } });
          expect(res.status, encoding).toBe(200);
          expect(res.headers.get('content-encoding'), encoding).toBe(encoding);
          expect(res.headers.get('cache-control'), encoding).toBe('public, max-age=31536000, immutable');
          expect((await res.arrayBuffer()).byteLength, encoding).toBe(statSync(join(web, 'assets', biggest)).size);
        }
        const index = await fetch(`${built.url}/`, { headers: { 'accept-encoding': 'gzip' } });
        expect(index.headers.get('cache-control')).toBe('no-cache');
        // An error is never compressed nor cached: every client reads its JSON as it is.
        const missing = await fetch(`${built.url}/api/v1/nothing`, { headers: { 'accept-encoding': 'br, gzip' } });
        expect(missing.status).toBe(404);
        expect(missing.headers.get('content-encoding')).toBeNull();
      } finally {
        await built.stop();
      }
    });

    it('refuses to start on a port in use, leaving nothing running', async () => {
      const config = await writeConfig(services, 'clash');
      await expect(startDashboard({ ...config, server: { ...config.server, port: dashboard.port } }, { log: silentLog() })).rejects.toThrow(/EADDRINUSE/);
    });

    it('says InfluxDB is down when it is', async () => {
      const up = await api<{ broker: string; influx: string }>(dashboard.url, '/api/health');
      expect(up.status).toBe(200);
      expect(up.body).toMatchObject({ broker: 'up', influx: 'up' });
      await services.influxd.stop();
      await new Promise((r) => setTimeout(r, 1100));
      const down = await api<{ broker: string; influx: string }>(dashboard.url, '/api/health');
      expect(down.status).toBe(503);
      expect(down.body).toMatchObject({ broker: 'up', influx: 'down' });
      const history = await api<ErrorBody>(dashboard.url, `/api/v1/history/throughput?checkpoints=${KT}&from=${enc(iso(H0))}&to=${enc(iso(H0 + HOUR))}`, { cookie: manager });
      expect(history.status).toBe(502);
    });
  });
});
