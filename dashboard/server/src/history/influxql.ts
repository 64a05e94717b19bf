/**
 * The only ways a value gets into InfluxQL text here. Identifiers and string literals are quoted
 * exactly as infra/src/influxSchema.ts quotes them (quoteIdent, quoteString; infra's package
 * index does not export them, so they are repeated here: keep the two in step). Times go in as
 * the ISO text of a Date, numbers as integers, checkpoint ids only after they matched the
 * configured ones.
 */
const KEYWORDS = new Set(
  (
    'ALL ALTER ANALYZE ANY AS ASC BEGIN BY CARDINALITY CREATE CONTINUOUS DATABASE DATABASES DEFAULT ' +
    'DELETE DESC DESTINATIONS DIAGNOSTICS DISTINCT DROP DURATION END EVERY EXACT EXPLAIN FIELD FOR ' +
    'FROM GRANT GRANTS GROUP GROUPS IN INF INSERT INTO KEY KEYS KILL LIMIT MEASUREMENT MEASUREMENTS ' +
    'NAME OFFSET ON ORDER PASSWORD POLICIES POLICY PRIVILEGES QUERIES QUERY READ REPLICATION RESAMPLE ' +
    'RETENTION REVOKE SELECT SERIES SET SHARD SHARDS SLIMIT SOFFSET STATS SUBSCRIPTION SUBSCRIPTIONS ' +
    'TAG TO USER USERS VALUES WHERE WITH WRITE'
  ).split(' '),
);

export function quoteIdent(name: string): string {
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && !KEYWORDS.has(name.toUpperCase())) return name;
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

export function quoteString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `"db"."rp"."measurement"` */
export const from = (db: string, rp: string, measurement: string): string => `${quoteIdent(db)}.${quoteIdent(rp)}.${quoteIdent(measurement)}`;

/** `time >= '…' AND time < '…'` from Dates. */
export const timeRange = (fromT: Date, toT: Date): string =>
  `time >= ${quoteString(fromT.toISOString())} AND time < ${quoteString(toT.toISOString())}`;

/** `(checkpoint = 'a' OR checkpoint = 'b')` */
export const tagIn = (tag: string, values: readonly string[]): string =>
  `(${values.map((v) => `${quoteIdent(tag)} = ${quoteString(v)}`).join(' OR ')})`;

export const integer = (n: number): string => {
  if (!Number.isSafeInteger(n)) throw new RangeError(`not an integer: ${n}`);
  return String(n);
};
