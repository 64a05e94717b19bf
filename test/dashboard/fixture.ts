/**
 * A dashboard on real services for one test file: a private influxd (GateWatch schema) and
 * mosquitto, a dashboard.yaml and users file of three checkpoints in two regions, and helpers to
 * write points, publish records, sign in, call the API and open sockets.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { io as ioClient, type Socket } from 'socket.io-client';
import { stringify } from 'yaml';
import { applySchema, startInfluxd, startMosquitto, type Influxd, type Mosquitto } from '@gatewatch/infra';
import { hashPassword, loadDashboardConfig, silentLog, startDashboard, type Dashboard, type DashboardConfig } from '@gatewatch/dashboard';
import { msToNs, type ClearanceRecord, type ClientToServerEvents, type QueueRecord, type ServerToClientEvents } from '@gatewatch/shared';

export type GwSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export const PASSWORD = 'correct horse battery staple';
export const USERS = {
  officer: 'officer.kimthanh',
  managerLaoCai: 'manager.laocai',
  managerHaiPhong: 'manager.haiphong',
} as const;

/** Recognisable unit ids: none may ever show in a public answer. */
export const SECRET_UNITS = ['29C-999.01', 'MSCU1234565', '云A99901'] as const;

export const CHECKPOINTS = [
  { id: 'lao-cai-rail', name: { vi: 'Ga Lào Cai', en: 'Lao Cai station' }, kind: 'rail', region: 'lao-cai', lanes: [{ id: 'T1', direction: 'inbound' }, { id: 'T2', direction: 'outbound' }] },
  {
    id: 'kim-thanh-road',
    name: { vi: 'Cửa khẩu Kim Thành', en: 'Kim Thanh road crossing' },
    kind: 'road',
    region: 'lao-cai',
    lanes: [{ id: 'IN-1', direction: 'inbound' }, { id: 'IN-2', direction: 'inbound' }, { id: 'OUT-1', direction: 'outbound' }],
    alerts: { queueLength: 20, waitS: 3600 },
  },
  { id: 'hai-phong-port', name: { vi: 'Cảng Hải Phòng', en: 'Hai Phong port' }, kind: 'port', region: 'hai-phong', lanes: [{ id: 'IN-1', direction: 'inbound' }, { id: 'OUT-1', direction: 'outbound' }] },
] as const;

export async function waitFor(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface Services {
  dir: string;
  influxd: Influxd;
  mosquitto: Mosquitto;
  close(): Promise<void>;
}

export async function startServices(name: string): Promise<Services> {
  const dir = mkdtempSync(join(tmpdir(), `gw-dash-${name}-`));
  const [influxd, mosquitto] = await Promise.all([startInfluxd({ dataDir: join(dir, 'influxdb') }), startMosquitto({ dataDir: join(dir, 'mqtt') })]);
  await applySchema(influxd.url);
  return {
    dir,
    influxd,
    mosquitto,
    async close() {
      await Promise.all([influxd.stop(), mosquitto.stop()]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

let hashed: Promise<string> | undefined;

/** Writes dashboard.yaml and users.yaml into a folder of its own and loads them the way main.ts does. */
export async function writeConfig(
  services: Services,
  name: string,
  overrides: { auth?: object; publicApi?: object; clientId?: string; server?: object; influxUrl?: string; influx?: object } = {},
): Promise<DashboardConfig> {
  const dir = join(services.dir, name);
  mkdirSync(dir, { recursive: true });
  const passwordHash = await (hashed ??= hashPassword(PASSWORD));
  writeFileSync(
    join(dir, 'users.yaml'),
    stringify({
      users: [
        { username: USERS.officer, displayName: 'Nguyễn Văn A', role: 'officer', checkpoints: ['kim-thanh-road'], passwordHash },
        { username: USERS.managerLaoCai, displayName: 'Trần Thị B', role: 'manager', region: 'lao-cai', passwordHash },
        { username: USERS.managerHaiPhong, displayName: 'Lê Văn C', role: 'manager', region: 'hai-phong', passwordHash },
      ],
    }),
  );
  writeFileSync(
    join(dir, 'dashboard.yaml'),
    stringify({
      server: { host: '127.0.0.1', port: 0, ...overrides.server },
      mqtt: { url: services.mosquitto.url, clientId: overrides.clientId ?? `dashboard-${name}` },
      influx: { url: overrides.influxUrl ?? services.influxd.url, database: 'gatewatch', ...overrides.influx },
      auth: { usersFile: 'users.yaml', ...overrides.auth },
      publicApi: { requestsPerMinute: 10_000, ...overrides.publicApi },
      regions: [
        { id: 'lao-cai', name: { vi: 'Chi cục Lào Cai', en: 'Lao Cai branch' } },
        { id: 'hai-phong', name: { vi: 'Chi cục Hải Phòng', en: 'Hai Phong branch' } },
      ],
      checkpoints: CHECKPOINTS,
      log: { level: 'silent' },
    }),
  );
  return loadDashboardConfig(join(dir, 'dashboard.yaml'), {});
}

export async function startTestDashboard(config: DashboardConfig): Promise<Dashboard> {
  const dashboard = await startDashboard(config, { log: silentLog() });
  await waitFor(async () => {
    const res = await fetch(`${dashboard.url}/api/health`);
    const h = (await res.json()) as { broker: string };
    return h.broker === 'up';
  }, 10_000, 'the dashboard to subscribe');
  return dashboard;
}

/** POST /write with line protocol, into a retention policy. */
export async function writeLines(influxd: Influxd, lines: readonly string[], rp = 'raw'): Promise<void> {
  const res = await fetch(`${influxd.url}/write?db=gatewatch&rp=${rp}&precision=ns`, { method: 'POST', body: lines.join('\n') });
  if (res.status !== 204) throw new Error(`write refused: ${res.status} ${await res.text()}`);
}

export const queueLine = (r: QueueRecord): string =>
  `queue,checkpoint=${r.checkpoint},lane=${r.lane} length=${r.length}i,arrivals=${r.arrivals}i,departures=${r.departures}i,wait_estimate_s=${r.wait_estimate_s} ${r.timeNs}`;

export const clearanceLine = (c: ClearanceRecord): string => {
  const fields = [`unit="${c.unit}"`];
  for (const k of ['wait_s', 'process_s', 'total_s', 'weight_kg'] as const) if (c[k] !== undefined) fields.push(`${k}=${c[k]}`);
  return `clearance,checkpoint=${c.checkpoint},lane=${c.lane},kind=${c.kind},channel=${c.channel},outcome=${c.outcome} ${fields.join(',')} ${c.timeNs}`;
};

let nudge = 0;
export function queueRecord(checkpoint: string, lane: string, ms: number, v: Partial<QueueRecord> = {}): QueueRecord {
  return { checkpoint, lane, length: 3, arrivals: 1, departures: 1, wait_estimate_s: 600, time: new Date(ms).toISOString(), timeNs: msToNs(ms), ...v };
}

export function clearanceRecord(checkpoint: string, ms: number, v: Partial<ClearanceRecord> = {}): ClearanceRecord {
  nudge = (nudge + 1) % 1000;
  return {
    checkpoint,
    lane: 'IN-1',
    kind: 'truck',
    channel: 'green',
    outcome: 'released',
    unit: SECRET_UNITS[0],
    wait_s: 60,
    process_s: 40,
    total_s: 100,
    time: new Date(ms).toISOString(),
    timeNs: msToNs(ms, nudge),
    ...v,
  };
}

export class Publisher {
  private constructor(private readonly client: MqttClient) {}

  static async connect(url: string): Promise<Publisher> {
    return new Publisher(await mqtt.connectAsync(url, { clientId: `test-publisher-${process.pid}-${Math.random().toString(36).slice(2)}` }));
  }

  async publish(topic: string, payload: unknown, retain = false): Promise<void> {
    await this.client.publishAsync(topic, typeof payload === 'string' || Buffer.isBuffer(payload) ? payload : JSON.stringify(payload), { qos: 1, retain });
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}

export interface ApiAnswer<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
  /** The body as sent, byte order mark included. */
  bytes: Uint8Array;
}

/** A fetch against the dashboard; JSON bodies parsed; state-changing calls carry X-GateWatch unless told not to; `headers` are added as given. */
export async function api<T = unknown>(
  base: string,
  path: string,
  opts: { method?: string; cookie?: string; body?: unknown; gatewatchHeader?: boolean; headers?: Record<string, string> } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.cookie) headers['cookie'] = opts.cookie;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.gatewatchHeader ?? true) headers['x-gatewatch'] = '1';
  const res = await fetch(`${base}${path}`, { method: opts.method ?? 'GET', headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
  const bytes = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json')) body = JSON.parse(text) as unknown;
  return { status: res.status, headers: res.headers, body: body as T, text, bytes };
}

/** The session cookie an answer sets (Set-Cookie of gw_session), or null; a sign-in also sets the device cookie. */
export function sessionCookieOf(headers: Headers): string | null {
  return headers.getSetCookie().find((c) => c.startsWith('gw_session=')) ?? null;
}

/** Signs in and returns the Cookie header value to send. */
export async function login(base: string, username: string, password = PASSWORD): Promise<string> {
  const res = await api(base, '/api/auth/login', { method: 'POST', body: { username, password } });
  if (res.status !== 200) throw new Error(`sign-in of ${username} answered ${res.status}: ${res.text}`);
  const setCookie = sessionCookieOf(res.headers) ?? '';
  return setCookie.split(';')[0]!;
}

/** A socket.io client that records every event it gets. */
export function openSocket(base: string, cookie?: string, origin?: string, headers: Record<string, string> = {}): { socket: GwSocket; events: { name: string; args: unknown[] }[] } {
  const extraHeaders: Record<string, string> = { ...headers };
  if (cookie) extraHeaders['cookie'] = cookie;
  if (origin) extraHeaders['origin'] = origin;
  const socket: GwSocket = ioClient(base, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders });
  const events: { name: string; args: unknown[] }[] = [];
  socket.onAny((name: string, ...args: unknown[]) => events.push({ name, args }));
  return { socket, events };
}

export function watch(socket: GwSocket, checkpoint: string): Promise<{ ok: boolean; error?: string }> {
  return new Promise((resolve) => socket.emit('watch', checkpoint, (r) => resolve(r)));
}
