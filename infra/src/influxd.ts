import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { LocalService } from './service.js';

const TEMPLATE = fileURLToPath(new URL('../influxdb/influxdb.conf.template', import.meta.url));
/** The InfluxDB of a deployment, authentication on (docs/security.md); the secure tests run this file. */
export const SHIPPED_INFLUX_SECURE = fileURLToPath(new URL('../influxdb/secure.conf', import.meta.url));

/** The lines of secure.conf that a test (or another machine) replaces, as shipped. */
const INFLUX_SECURE_LINES = {
  rpc: 'bind-address = "127.0.0.1:8088"',
  meta: 'dir = "/var/lib/influxdb/meta"',
  data: 'dir = "/var/lib/influxdb/data"',
  wal: 'wal-dir = "/var/lib/influxdb/wal"',
  http: 'bind-address = "127.0.0.1:8086"',
  https: 'https-enabled = false',
  certificate: 'https-certificate = "/etc/influxdb/gatewatch/influxdb.crt"',
  key: 'https-private-key = "/etc/influxdb/gatewatch/influxdb.key"',
} as const;

export class InfluxSecureConfError extends Error {
  readonly code = 'INFLUX_SECURE_CONF';
}

export interface InfluxSecureConfValues {
  /** The HTTP API's port (on loopback, as shipped). */
  httpPort: number;
  /** The backup/restore RPC port (on loopback, as shipped). */
  rpcPort: number;
  /** Holds meta/, data/ and wal/, as /var/lib/influxdb does. */
  dir: string;
  /** HTTPS on, with this certificate and key. */
  tls?: { certfile: string; keyfile: string };
}

/**
 * secure.conf with its two ports and three folders replaced, and with `tls` its HTTPS lines
 * (on, and the certificate's and key's paths); every other line is the shipped one. Fails when
 * the shipped file no longer has a line it replaces, naming it: a test must never run a config
 * other than the shipped one without saying so.
 */
export function renderInfluxSecureConf(template: string, o: InfluxSecureConfValues): string {
  const lines = template.split('\n');
  const replace = (name: keyof typeof INFLUX_SECURE_LINES, value: string): void => {
    const shipped = INFLUX_SECURE_LINES[name];
    const at = lines.flatMap((l, i) => (l.trim() === shipped ? [i] : []));
    if (at.length !== 1) throw new InfluxSecureConfError(`${SHIPPED_INFLUX_SECURE}: ${at.length === 0 ? 'no' : 'more than one'} line '${shipped}' to replace`);
    const i = at[0]!;
    lines[i] = lines[i]!.replace(shipped, value);
  };
  for (const path of [o.dir, o.tls?.certfile ?? '', o.tls?.keyfile ?? '']) {
    // A TOML string as shipped: no escapes.
    if (/["\\\n]/.test(path)) throw new InfluxSecureConfError(`not a path for ${SHIPPED_INFLUX_SECURE}: ${JSON.stringify(path)}`);
  }
  replace('rpc', `bind-address = "127.0.0.1:${o.rpcPort}"`);
  replace('meta', `dir = "${o.dir}/meta"`);
  replace('data', `dir = "${o.dir}/data"`);
  replace('wal', `wal-dir = "${o.dir}/wal"`);
  replace('http', `bind-address = "127.0.0.1:${o.httpPort}"`);
  if (o.tls) {
    replace('https', 'https-enabled = true');
    replace('certificate', `https-certificate = "${o.tls.certfile}"`);
    replace('key', `https-private-key = "${o.tls.keyfile}"`);
  }
  return lines.join('\n');
}

export interface InfluxdOptions {
  dataDir: string;
  port?: number;
  /**
   * Require credentials, as a production InfluxDB does: HTTP auth is enabled and this admin
   * user created at the first start (InfluxDB allows that one statement without credentials
   * while it has no admin). `query()` then sends them.
   */
  admin?: { username: string; password: string };
  /**
   * Run the shipped production config, infra/influxdb/secure.conf (authentication on), with
   * only its ports and folders replaced (renderInfluxSecureConf) instead of the local template.
   * InfluxDB then starts without any user unless `admin` is given. With `tls`, HTTPS on with
   * this certificate and key; the server is reached as https:// trusting `cafile`.
   */
  secure?: boolean | { tls?: { cafile: string; certfile: string; keyfile: string } };
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
  const tls = typeof opts.secure === 'object' ? opts.secure.tls : undefined;
  const conf = opts.secure
    ? renderInfluxSecureConf(readFileSync(SHIPPED_INFLUX_SECURE, 'utf8'), { httpPort: port, rpcPort: bindPort, dir: dataDir, ...(tls ? { tls } : {}) })
    : readFileSync(TEMPLATE, 'utf8')
        .replaceAll('@DIR@', dataDir)
        .replaceAll('@HTTP@', `127.0.0.1:${port}`)
        .replaceAll('@BIND@', `127.0.0.1:${bindPort}`)
        .replace('auth-enabled = false', `auth-enabled = ${opts.admin ? 'true' : 'false'}`);
  const confPath = join(dataDir, 'influxdb.conf');
  writeFileSync(confPath, conf);
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const ca = tls ? readFileSync(tls.cafile) : undefined;
  // fetch() cannot be told which CA to trust: over HTTPS, node:https with the test's CA.
  const call = async (path: string, headers: Record<string, string>, body?: URLSearchParams): Promise<{ status: number; text: string }> => {
    if (!ca) {
      const res = await fetch(`${url}${path}`, body ? { method: 'POST', headers, body } : {});
      return { status: res.status, text: await res.text() };
    }
    return new Promise((resolve, reject) => {
      const req = httpsRequest(`${url}${path}`, { method: body ? 'POST' : 'GET', headers: body ? { ...headers, 'content-type': 'application/x-www-form-urlencoded' } : headers, ca }, (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end(body?.toString());
    });
  };
  const service = new LocalService({
    name: 'influxd',
    command: 'influxd',
    args: ['-config', confPath],
    logFile: join(dataDir, 'influxd.log'),
    ready: async () => (await call('/ping', {})).status === 204,
  });
  await service.start();
  const headers: Record<string, string> = {};
  if (opts.admin) {
    const { username, password } = opts.admin;
    headers['authorization'] = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;
    const q = `CREATE USER "${username.replace(/["\\]/g, '\\$&')}" WITH PASSWORD '${password.replace(/['\\]/g, '\\$&')}' WITH ALL PRIVILEGES`;
    // Refused (401) on later starts, when the admin exists: then the credentials must work.
    await call('/query', {}, new URLSearchParams({ q }));
    const check = await call('/query', headers, new URLSearchParams({ q: 'SHOW DATABASES' }));
    if (check.status < 200 || check.status > 299) {
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
      return JSON.parse((await call('/query', headers, params)).text) as InfluxQueryResult;
    },
    stop: () => service.stop(),
  };
}
