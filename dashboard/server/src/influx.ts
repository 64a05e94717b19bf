/**
 * InfluxDB 1.x over HTTP: POST /query with the database, epoch=ms (times as numbers), Basic
 * auth when credentials are configured (never in the URL). Only the dashboard's read queries go
 * through here; their text is built in history/influxql.ts from validated values.
 */
import { influxQuery, InfluxQueryError } from '@gatewatch/infra';
import type { DashboardConfig } from './config/types.js';
import { UpstreamError } from './errors.js';

export interface Series {
  name: string;
  tags: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

/** One row of a series, by column name, with the series' tags. */
export type Row = Record<string, unknown> & { time: number };

export class InfluxClient {
  private readonly base: string;
  private readonly headers: Record<string, string>;

  constructor(
    private readonly config: DashboardConfig['influx'],
    private readonly timeoutMs = 30_000,
  ) {
    this.base = config.url.replace(/\/+$/, '');
    this.headers = { 'content-type': 'application/x-www-form-urlencoded' };
    const { username, password } = config.credentials ?? {};
    if (username !== undefined) this.headers['authorization'] = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
  }

  get database(): string {
    return this.config.database;
  }

  /** Runs one statement; throws UpstreamError (502) when InfluxDB is away or refuses it. */
  async query(q: string): Promise<Series[]> {
    let result;
    try {
      result = await influxQuery(this.config, q, { db: this.config.database, epoch: 'ms', timeoutMs: this.timeoutMs });
    } catch (error) {
      if (!(error instanceof InfluxQueryError)) throw error;
      // The statement stays in the log, not in the answer to the browser.
      throw new UpstreamError(error.code === 'UNREACHABLE' ? 'InfluxDB did not answer' : `InfluxDB refused the query${error.status ? ` (${error.status})` : ''}`);
    }
    return (result.series ?? []).map((s) => ({ name: s.name ?? '', tags: s.tags ?? {}, columns: s.columns, values: s.values ?? [] }));
  }

  /** Rows of every series, each with its series' tags. */
  async rows(q: string): Promise<Row[]> {
    const out: Row[] = [];
    for (const s of await this.query(q)) {
      for (const v of s.values) out.push({ ...s.tags, ...Object.fromEntries(s.columns.map((c, i) => [c, v[i]])) } as Row);
    }
    return out;
  }

  /** GET /ping: 204 when up. */
  async ping(timeoutMs = 2000): Promise<boolean> {
    try {
      const res = await fetch(`${this.base}/ping`, { headers: this.headers, signal: AbortSignal.timeout(timeoutMs) });
      await res.body?.cancel();
      return res.status === 204;
    } catch {
      return false;
    }
  }
}
