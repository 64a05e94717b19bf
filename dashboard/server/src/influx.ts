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
  constructor(
    private readonly config: DashboardConfig['influx'],
    private readonly timeoutMs = 30_000,
  ) {}

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

  /**
   * Whether the dashboard can read its database: a cheap read with its own credentials. Not
   * GET /ping, which needs none: a wrong password or a missing READ grant read 'up' there while
   * every query of the views failed.
   */
  async ping(timeoutMs = 2000): Promise<boolean> {
    try {
      await influxQuery(this.config, 'SHOW MEASUREMENTS LIMIT 1', { db: this.config.database, timeoutMs });
      return true;
    } catch (error) {
      if (error instanceof InfluxQueryError) return false;
      throw error;
    }
  }
}
