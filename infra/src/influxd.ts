import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { LocalService } from './service.js';

const TEMPLATE = fileURLToPath(new URL('../influxdb/influxdb.conf.template', import.meta.url));

export interface InfluxdOptions {
  dataDir: string;
  port?: number;
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
    .replaceAll('@BIND@', `127.0.0.1:${bindPort}`);
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
  return {
    url,
    port,
    dataDir,
    service,
    async query(q, db) {
      const params = new URLSearchParams({ q, epoch: 'ns' });
      if (db) params.set('db', db);
      const res = await fetch(`${url}/query`, { method: 'POST', body: params });
      return (await res.json()) as InfluxQueryResult;
    },
    stop: () => service.stop(),
  };
}
