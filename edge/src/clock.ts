/**
 * The agent's clock: what `now` is when a serial frame or an MQTT message is received, when a
 * tick releases units, when a device record is due. Real time by default. For tests and demos
 * only, a simulated clock that reads `startMs` at the wall-clock instant `anchorMs` and runs
 * `rate` times as fast as the wall clock from there:
 *
 *     agent time = startMs + (wall − anchorMs) × rate
 *
 * so that an agent fed by the corridor simulator at 20× stamps serial frames on the same time
 * line as the cameras' and customs' `ts`, which the simulator writes. Whatever waits for agent
 * time (ticks, snapshots, device-record boundaries) waits `agentMs / rate` of wall time;
 * whatever is about the outside world (MQTT keepalive, InfluxDB retries and batching, fsync,
 * serial reopen backoff, log rate limits) stays on the wall clock.
 */
import { parseTimestamp } from '@gatewatch/shared';

export interface Clock {
  /** Agent time, whole milliseconds since the epoch. */
  now(): number;
  /** Agent milliseconds per wall millisecond: 1 for real time. */
  readonly rate: number;
}

/** Real time. */
export const WALL_CLOCK: Clock = { now: Date.now, rate: 1 };

/** The fastest rate accepted: beyond it the agent's 1 s tick would be due more than once a millisecond. */
export const MAX_RATE = 1000;

export interface ScaledClockOptions {
  /** Agent time at the anchor, ms since the epoch. */
  startMs: number;
  /** Agent ms per wall ms, 0 < rate <= MAX_RATE. */
  rate: number;
  /** Wall-clock instant (ms since the epoch) at which the agent clock reads startMs. Default: now. */
  anchorMs?: number;
  /** Wall clock, ms since the epoch (tests). Default: monotonic, from the process's time origin. */
  wallNow?: () => number;
}

export interface ScaledClock extends Clock {
  readonly startMs: number;
  readonly anchorMs: number;
}

/**
 * The wall clock as ms since the epoch, but monotonic: performance.now() from the process's
 * time origin, so that a step of the system clock (NTP) does not move agent time back. Two
 * processes agree to within the resolution of their time origins.
 */
export const monotonicWallNow = (): number => performance.timeOrigin + performance.now();

export function scaledClock(opts: ScaledClockOptions): ScaledClock {
  const wallNow = opts.wallNow ?? monotonicWallNow;
  const { startMs, rate } = opts;
  if (!Number.isSafeInteger(startMs)) throw new RangeError(`clock start must be whole ms since the epoch (is ${startMs})`);
  if (!validRate(rate)) throw new RangeError(`clock rate must be a number > 0 and <= ${MAX_RATE} (is ${rate})`);
  const anchorMs = opts.anchorMs ?? wallNow();
  if (!Number.isFinite(anchorMs)) throw new RangeError(`clock anchor must be ms since the epoch (is ${anchorMs})`);
  return {
    startMs,
    anchorMs,
    rate,
    // Whole ms: the core takes only integer times.
    now: () => startMs + Math.floor((wallNow() - anchorMs) * rate),
  };
}

/** Wall ms to wait for `agentMs` of agent time to pass on `clock`. */
export function wallDelayMs(clock: Pick<Clock, 'rate'>, agentMs: number): number {
  return Math.max(0, agentMs / clock.rate);
}

const validRate = (rate: number): boolean => Number.isFinite(rate) && rate > 0 && rate <= MAX_RATE;

/** A clock option that is not valid; `option` names it as the user gave it (flag or variable). */
export class ClockOptionError extends Error {
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
    this.name = 'ClockOptionError';
  }
}

/** The clock options as given (flag values or environment variables), with the name each came from. */
export interface ClockOptionValues {
  start?: { name: string; value: string };
  rate?: { name: string; value: string };
  anchor?: { name: string; value: string };
}

/** An instant: ISO 8601 with an offset (`2026-11-25T08:00:00+07:00`, `…Z`) or whole ms since the epoch. */
export function parseInstant(text: string): number | undefined {
  const t = text.trim();
  if (/^-?\d+$/.test(t)) {
    const n = Number(t);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return parseTimestamp(t);
}

/**
 * The clock the options ask for: undefined (real time) when none is given. A start without a
 * rate runs at 1× from that start (a past day played at real speed); a rate without a start
 * runs from the present; an anchor alone means nothing and is refused, as is anything
 * unparsable.
 */
export function clockFromOptions(values: ClockOptionValues, wallNow: () => number = monotonicWallNow): ScaledClock | undefined {
  const { start, rate, anchor } = values;
  if (start === undefined && rate === undefined) {
    if (anchor !== undefined) throw new ClockOptionError(anchor.name, 'needs a clock start or a clock rate as well');
    return undefined;
  }
  let r = 1;
  if (rate !== undefined) {
    const text = rate.value.trim().replace(/x$/i, '');
    r = text === '' ? NaN : Number(text);
    if (!validRate(r)) throw new ClockOptionError(rate.name, `must be a number > 0 and <= ${MAX_RATE}, like 20 (is '${rate.value}')`);
  }
  const instant = (o: { name: string; value: string }): number => {
    const ms = parseInstant(o.value);
    if (ms === undefined) throw new ClockOptionError(o.name, `must be a time with an offset, like 2026-11-25T08:00:00+07:00, or whole ms since the epoch (is '${o.value}')`);
    return ms;
  };
  const anchorMs = anchor === undefined ? wallNow() : instant(anchor);
  const startMs = start === undefined ? Math.floor(anchorMs) : instant(start);
  return scaledClock({ startMs, rate: r, anchorMs, wallNow });
}
