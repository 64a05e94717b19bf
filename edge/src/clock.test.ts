import { describe, expect, it } from 'vitest';
import { clockFromOptions, ClockOptionError, MAX_RATE, parseInstant, scaledClock, WALL_CLOCK, wallDelayMs } from './clock.js';

const START = Date.parse('2026-11-25T01:00:00Z'); // 08:00 in Viet Nam

/** A wall clock the test moves. */
function fakeWall(t0: number): { now: () => number; advance(ms: number): void } {
  let t = t0;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('scaled clock', () => {
  it('reads start at the anchor and runs rate times as fast as the wall clock', () => {
    const wall = fakeWall(1_000_000);
    const c = scaledClock({ startMs: START, rate: 20, anchorMs: 1_000_000, wallNow: wall.now });
    expect(c.now()).toBe(START);
    wall.advance(50);
    expect(c.now()).toBe(START + 1000);
    wall.advance(180_000 - 50);
    expect(c.now()).toBe(START + 3600_000); // an hour in three minutes
  });

  it('is continuous through the anchor: before it, agent time is before start', () => {
    const wall = fakeWall(0);
    const c = scaledClock({ startMs: START, rate: 20, anchorMs: 500, wallNow: wall.now });
    expect(c.now()).toBe(START - 10_000);
    wall.advance(500);
    expect(c.now()).toBe(START);
  });

  it('gives whole milliseconds (the core takes integer times only), never going back', () => {
    const wall = fakeWall(0);
    const c = scaledClock({ startMs: START, rate: 2.5, anchorMs: 0, wallNow: wall.now });
    let prev = c.now();
    for (let i = 0; i < 1000; i++) {
      wall.advance(0.37);
      const t = c.now();
      expect(Number.isSafeInteger(t)).toBe(true);
      expect(t).toBeGreaterThanOrEqual(prev);
      prev = t;
    }
    expect(prev).toBe(START + Math.floor(370 * 2.5));
  });

  it('anchors at the present by default', () => {
    const wall = fakeWall(42_000);
    const c = scaledClock({ startMs: START, rate: 10, wallNow: wall.now });
    expect(c.anchorMs).toBe(42_000);
    expect(c.now()).toBe(START);
  });

  it('refuses a rate that is not a number in (0, MAX_RATE] and a start that is not whole ms', () => {
    for (const rate of [0, -1, NaN, Infinity, MAX_RATE + 1]) expect(() => scaledClock({ startMs: START, rate })).toThrow(RangeError);
    expect(() => scaledClock({ startMs: START + 0.5, rate: 2 })).toThrow(RangeError);
    expect(() => scaledClock({ startMs: START, rate: MAX_RATE, anchorMs: 0 })).not.toThrow();
  });

  it('waits rate times less wall time for agent time (never negative)', () => {
    expect(wallDelayMs({ rate: 20 }, 1000)).toBe(50);
    expect(wallDelayMs({ rate: 0.5 }, 1000)).toBe(2000);
    expect(wallDelayMs(WALL_CLOCK, 30_000)).toBe(30_000);
    expect(wallDelayMs({ rate: 20 }, -5)).toBe(0);
  });
});

describe('clock options', () => {
  const wall = () => 5_000;
  const opt = (name: string, value: string) => ({ name, value });

  it('no option: the wall clock (undefined)', () => {
    expect(clockFromOptions({}, wall)).toBeUndefined();
  });

  it('start, rate and anchor as given: ISO times with an offset or epoch ms', () => {
    const c = clockFromOptions(
      { start: opt('--clock-start', '2026-11-25T08:00:00+07:00'), rate: opt('--clock-rate', '20'), anchor: opt('--clock-anchor', '1000') },
      wall,
    )!;
    expect({ startMs: c.startMs, anchorMs: c.anchorMs, rate: c.rate }).toEqual({ startMs: START, anchorMs: 1000, rate: 20 });
    expect(c.now()).toBe(START + 4000 * 20);
  });

  it('a rate alone runs fast from the present; a start alone runs at 1x from it; "20x" is 20', () => {
    const fast = clockFromOptions({ rate: opt('GATEWATCH_CLOCK_RATE', '20x') }, wall)!;
    expect({ startMs: fast.startMs, anchorMs: fast.anchorMs, rate: fast.rate }).toEqual({ startMs: 5000, anchorMs: 5000, rate: 20 });
    const shifted = clockFromOptions({ start: opt('--clock-start', String(START)) }, wall)!;
    expect({ startMs: shifted.startMs, rate: shifted.rate }).toEqual({ startMs: START, rate: 1 });
  });

  it('refuses bad values, naming the option they came from', () => {
    const bad: [Parameters<typeof clockFromOptions>[0], RegExp][] = [
      [{ rate: opt('--clock-rate', 'fast') }, /^--clock-rate: must be a number > 0 and <= 1000, like 20 \(is 'fast'\)$/],
      [{ rate: opt('--clock-rate', '') }, /^--clock-rate: /],
      [{ rate: opt('GATEWATCH_CLOCK_RATE', '0') }, /^GATEWATCH_CLOCK_RATE: /],
      [{ rate: opt('--clock-rate', '5000') }, /^--clock-rate: /],
      [{ start: opt('--clock-start', '2026-11-25T08:00:00'), rate: opt('--clock-rate', '20') }, /^--clock-start: must be a time with an offset/],
      [{ start: opt('GATEWATCH_CLOCK_START', 'yesterday') }, /^GATEWATCH_CLOCK_START: /],
      [{ rate: opt('--clock-rate', '20'), anchor: opt('--clock-anchor', '2026-02-30T00:00:00Z') }, /^--clock-anchor: /],
      [{ anchor: opt('--clock-anchor', '1000') }, /^--clock-anchor: needs a clock start or a clock rate/],
    ];
    for (const [values, message] of bad) {
      let error: unknown;
      try {
        clockFromOptions(values, wall);
      } catch (e) {
        error = e;
      }
      expect(error, JSON.stringify(values)).toBeInstanceOf(ClockOptionError);
      expect((error as Error).message).toMatch(message);
    }
  });

  it('parses instants: offsets, Z, epoch ms; refuses local times without offset', () => {
    expect(parseInstant('2026-11-25T08:00:00.250+07:00')).toBe(START + 250);
    expect(parseInstant('2026-11-25T01:00:00Z')).toBe(START);
    expect(parseInstant(` ${START} `)).toBe(START);
    expect(parseInstant('2026-11-25 08:00')).toBeUndefined();
    expect(parseInstant('1e12')).toBeUndefined();
  });
});
