/**
 * One InfluxQL statement over InfluxDB 1.x's HTTP API (POST /query): the one way GateWatch's
 * schema set-up, history backfill and dashboard talk to InfluxDB for queries. Credentials go as
 * Basic auth, never in the URL or the statement; every failure is an InfluxQueryError that
 * names the server and the statement.
 */

export interface InfluxCredentials {
  username?: string;
  password?: string;
}

export interface InfluxTarget {
  url: string;
  credentials?: InfluxCredentials;
}

export interface InfluxSeries {
  name?: string;
  tags?: Record<string, string>;
  columns: string[];
  values?: unknown[][];
}

export interface InfluxStatementResult {
  statement_id?: number;
  series?: InfluxSeries[];
  error?: string;
}

export type InfluxQueryErrorCode = 'UNREACHABLE' | 'REFUSED';

export class InfluxQueryError extends Error {
  constructor(
    readonly code: InfluxQueryErrorCode,
    message: string,
    readonly statement: string,
    /** The HTTP status, when InfluxDB answered. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'InfluxQueryError';
  }
}

export interface InfluxQueryOptions {
  /** Database the statement reads (`db`), unless it names it itself. */
  db?: string;
  /** Times in the answer as epoch numbers of this unit instead of RFC 3339 strings. */
  epoch?: 'ms' | 'ns';
  timeoutMs?: number;
}

/** Runs one statement and answers its result; throws InfluxQueryError when it did not run. */
export async function influxQuery(target: InfluxTarget, q: string, opts: InfluxQueryOptions = {}): Promise<InfluxStatementResult> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const { username, password } = target.credentials ?? {};
  if (username !== undefined) headers['authorization'] = `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}`;
  const params = new URLSearchParams({ q });
  if (opts.db !== undefined) params.set('db', opts.db);
  if (opts.epoch !== undefined) params.set('epoch', opts.epoch);
  const short = q.length > 160 ? `${q.slice(0, 160)}…` : q;
  let res: Response;
  try {
    res = await fetch(`${target.url.replace(/\/+$/, '')}/query`, { method: 'POST', headers, body: params, signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000) });
  } catch (error) {
    throw new InfluxQueryError('UNREACHABLE', `InfluxDB at ${target.url} did not answer: ${error instanceof Error ? error.message : String(error)}`, q);
  }
  const text = await res.text();
  let answer: { results?: InfluxStatementResult[]; error?: string };
  try {
    answer = JSON.parse(text) as typeof answer;
  } catch {
    throw new InfluxQueryError('REFUSED', `InfluxDB at ${target.url} answered ${res.status} to ${short}: ${text.slice(0, 200)}`, q, res.status);
  }
  const result = answer.results?.[0];
  const error = answer.error ?? result?.error;
  if (!res.ok) throw new InfluxQueryError('REFUSED', `InfluxDB at ${target.url} answered ${res.status} to ${short}: ${error ?? text.slice(0, 200)}`, q, res.status);
  if (error !== undefined || !result) throw new InfluxQueryError('REFUSED', `InfluxDB at ${target.url} refused ${short}: ${error ?? 'no result'}`, q, res.status);
  return result;
}
