/**
 * The only ways a value gets into InfluxQL text here: identifiers and string literals quoted by
 * infra's quoteIdent and quoteString (the schema's own), times as the ISO text of a Date,
 * numbers as integers, checkpoint ids only after they matched the configured ones.
 */
import { quoteIdent, quoteString } from '@gatewatch/infra';

export { quoteIdent, quoteString };

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
