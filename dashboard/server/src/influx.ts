/**
 * InfluxDB 1.x over HTTP: POST /query with the database, epoch=ms (times as numbers), Basic
 * auth when credentials are configured (never in the URL). Only the dashboard's read queries go
 * through here; their text is built in history/influxql.ts from validated values.
 */
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

interface Answer {
  results?: { series?: { name?: string; tags?: Record<string, string>; columns: string[]; values?: unknown[][] }[]; error?: string }[];
  error?: string;
}

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
    let res: Response;
    try {
      res = await fetch(`${this.base}/query`, {
        method: 'POST',
        headers: this.headers,
        body: new URLSearchParams({ q, db: this.config.database, epoch: 'ms' }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw new UpstreamError(`InfluxDB did not answer (${error instanceof Error ? error.message : String(error)})`);
    }
    const text = await res.text();
    let answer: Answer;
    try {
      answer = JSON.parse(text) as Answer;
    } catch {
      throw new UpstreamError(`InfluxDB answered ${res.status}`);
    }
    const result = answer.results?.[0];
    const error = answer.error ?? result?.error;
    if (!res.ok || error !== undefined || !result) throw new UpstreamError(`InfluxDB refused the query: ${error ?? res.status}`);
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
