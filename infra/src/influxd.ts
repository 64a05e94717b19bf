import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { LocalService } from './service.js';

const TEMPLATE = fileURLToPath(new URL('../influxdb/influxdb.conf.template', import.meta.url));

export interface InfluxdOptions {
  dataDir: string;
  port?: number;
  /**
   * Require credentials, as a production InfluxDB does: HTTP auth is enabled and this admin
   * user created at the first start (InfluxDB allows that one statement without credentials
   * while it has no admin). `query()` then sends them.
   */
  admin?: { username: string; password: string };
}

export interface Influxd {
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  readonly service: LocalService;
  /** Runs an InfluxQL query over HTTP and returns the parsed JSON answer. */
  query(q: string, db?: string): Promise<InfluxQueryResult>;
  stop(): Promise<void>;
}

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}
export interface InfluxQueryResult {
  results: { statement_id: number; series?: InfluxSeries[]; error?: string }[];
  error?: string;
}

/** Starts a private influxd on 127.0.0.1 with its data under dataDir. */
export async function startInfluxd(opts: InfluxdOptions): Promise<Influxd> {
  const port = opts.port ?? (await freePort());
  const bindPort = await freePort();
  const dataDir = opts.dataDir;
  mkdirSync(dataDir, { recursive: true });
  const conf = readFileSync(TEMPLATE, 'utf8')
    .replaceAll('@DIR@', dataDir)
    .replaceAll('@HTTP@', `127.0.0.1:${port}`)
    .replaceAll('@BIND@', `127.0.0.1:${bindPort}`)
    .replace('auth-enabled = false', `auth-enabled = ${opts.admin ? 'true' : 'false'}`);
  const confPath = join(dataDir, 'influxdb.conf');
  writeFileSync(confPath, conf);
  const url = `http://127.0.0.1:${port}`;
  const service = new LocalService({
    name: 'influxd',
    command: 'influxd',
    args: ['-config', confPath],
    logFile: join(dataDir, 'influxd.log'),
    ready: async () => (await fetch(`${url}/ping`)).status === 204,
  });
  await service.start();
  const headers: Record<string, string> = {};
  if (opts.admin) {
    const { username, password } = opts.admin;
    headers['authorization'] = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    const q = `CREATE USER "${username.replace(/["\\]/g, '\\$&')}" WITH PASSWORD '${password.replace(/['\\]/g, '\\$&')}' WITH ALL PRIVILEGES`;
    // Refused (401) on later starts, when the admin exists: then the credentials must work.
    await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q }) });
    const check = await fetch(`${url}/query`, { method: 'POST', headers, body: new URLSearchParams({ q: 'SHOW DATABASES' }) });
    if (!check.ok) {
      await service.stop();
      throw new Error(`influxd at ${url}: the admin credentials are refused (${check.status})`);
    }
  }
  return {
    url,
    port,
    dataDir,
    service,
    async query(q, db) {
      const params = new URLSearchParams({ q, epoch: 'ns' });
      if (db) params.set('db', db);
      const res = await fetch(`${url}/query`, { method: 'POST', headers, body: params });
      return (await res.json()) as InfluxQueryResult;
    },
    stop: () => service.stop(),
  };
}
