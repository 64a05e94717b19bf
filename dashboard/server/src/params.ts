/**
 * Query parameters → typed values, or BadRequest naming the parameter and the value. Only what
 * comes out of here reaches InfluxQL: times as Dates, numbers as integers in a range, checkpoint
 * ids that are in the configuration.
 */
import type { Request } from 'express';
import { BadRequest } from './errors.js';

export type Query = Request['query'];

/**
 * Refuses any parameter the route does not take, by name (cut short), rather than ignoring it:
 * whoever sends `measurement=` or `lane=` learns at once that it does nothing.
 */
export function only(q: Query, names: readonly string[]): void {
  for (const name of Object.keys(q)) {
    if (names.includes(name)) continue;
    const shown = name.length > 40 ? `${name.slice(0, 37)}...` : name;
    throw new BadRequest(shown, `unknown parameter; ${names.length ? `the parameters are ${names.join(', ')}` : 'this API takes none'}`, q[name]);
  }
}

/** One value of a parameter; a parameter given twice is refused rather than guessed at. */
export function one(q: Query, name: string): string | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new BadRequest(name, 'give it once', Array.isArray(v) ? v.join(',') : undefined);
  return v;
}

export function required(q: Query, name: string): string {
  const v = one(q, name);
  if (v === undefined || v === '') throw new BadRequest(name, 'required');
  return v;
}

/** ISO 8601 with a date, a time and an offset: the text says which instant it is. */
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;
const TIME_HELP = 'expected an ISO 8601 time with an offset, like 2026-11-25T08:00:00+07:00';

/** ms of an ISO 8601 time, or undefined; 2026-02-30 is refused (Date.parse would roll it into March). */
export function isoTimeMs(v: string): number | undefined {
  const m = ISO_TIME.exec(v);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second, offH, offM] = m.slice(1).map((x) => (x === undefined ? 0 : Number(x))) as number[];
  const calendar = new Date(Date.UTC(year!, month! - 1, day!));
  if (calendar.getUTCMonth() !== month! - 1 || calendar.getUTCDate() !== day!) return undefined;
  if (hour! > 23 || minute! > 59 || second! > 59 || offH! > 14 || offM! > 59) return undefined;
  const ms = Date.parse(v);
  return Number.isFinite(ms) ? ms : undefined;
}

/**
 * The instants InfluxDB can store are 1677-09-21 to 2262-04-11 (nanoseconds in 64 bits); a time
 * outside was passed on and answered 502, as if InfluxDB were down. Whole years inside that.
 */
export const EARLIEST_MS = Date.UTC(1678, 0, 1);
export const LATEST_MS = Date.UTC(2262, 0, 1);

export function time(q: Query, name: string): Date {
  const v = required(q, name);
  const ms = isoTimeMs(v);
  if (ms === undefined) throw new BadRequest(name, TIME_HELP, v);
  if (ms < EARLIEST_MS || ms > LATEST_MS) throw new BadRequest(name, 'expected a time from 1678-01-01 to 2262-01-01 (what the database can hold)', v);
  return new Date(ms);
}

export interface Range {
  from: Date;
  to: Date;
}

const DAY_MS = 86_400_000;

/** `from` and `to` ([from, to)), from before to, at most `maxDays` apart. */
export function range(q: Query, maxDays: number): Range {
  const from = time(q, 'from');
  const to = time(q, 'to');
  if (from.getTime() >= to.getTime()) throw new BadRequest('from', `must be before to (${one(q, 'to')})`, one(q, 'from'));
  if (to.getTime() - from.getTime() > maxDays * DAY_MS) {
    throw new BadRequest('to', `the range may be at most ${maxDays} days long (from ${one(q, 'from')})`, one(q, 'to'));
  }
  return { from, to };
}

export function integer(q: Query, name: string, min: number, max: number, fallback: number): number {
  const v = one(q, name);
  if (v === undefined) return fallback;
  if (!/^\d{1,6}$/.test(v) || Number(v) < min || Number(v) > max) throw new BadRequest(name, `expected a whole number from ${min} to ${max}`, v);
  return Number(v);
}

export function choice<T extends string>(q: Query, name: string, values: readonly T[], fallback: T): T {
  const v = one(q, name);
  if (v === undefined) return fallback;
  if (!(values as readonly string[]).includes(v)) throw new BadRequest(name, `expected ${values.map((x) => `'${x}'`).join(' or ')}`, v);
  return v as T;
}

/** A comma-separated list of configured checkpoint ids (unique, at least one). */
export function checkpointList(q: Query, name: string, known: readonly string[]): string[] {
  const v = required(q, name);
  // Spaces after a comma are forgiven; any other character is part of the id, and refused.
  const ids = [...new Set(v.split(',').map((s) => s.replace(/^ +| +$/g, '')))];
  for (const id of ids) {
    if (!known.includes(id)) throw new BadRequest(name, `unknown checkpoint; the checkpoints are ${known.join(', ')}`, id);
  }
  return ids;
}

export function checkpoint(q: Query, name: string, known: readonly string[]): string {
  return checkpointValue(name, required(q, name), known);
}

/**
 * A checkpoint id from anywhere (a socket event's argument, a parsed query): text from the
 * configured list, or BadRequest naming `name`. Never String()-ed: an object whose toString is
 * not a function would throw, one whose toString is would run the sender's idea of it.
 */
export function checkpointValue(name: string, v: unknown, known: readonly string[]): string {
  if (typeof v !== 'string') throw new BadRequest(name, `expected a checkpoint id as text; the checkpoints are ${known.join(', ')}`, v);
  if (!known.includes(v)) throw new BadRequest(name, `unknown checkpoint; the checkpoints are ${known.join(', ')}`, v);
  return v;
}
