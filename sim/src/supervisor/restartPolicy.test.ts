import { describe, expect, it } from 'vitest';
import { duration, exitReport, lastLines, RESTART_POLICY, restartDelay } from './restartPolicy.js';

describe('the restart policy', () => {
  it('restarts after 1 s, then doubles at each exit in a row up to 30 s', () => {
    const delays: number[] = [];
    let delay: number | undefined;
    for (let i = 0; i < 8; i++) delays.push((delay = restartDelay(delay, 200)));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('starts again from 1 s once a process stayed up a minute: a new failure, not the same crash loop', () => {
    expect(restartDelay(30_000, 59_999)).toBe(30_000);
    expect(restartDelay(30_000, 60_000)).toBe(1000);
    expect(restartDelay(8000, 3_600_000)).toBe(1000);
    expect(restartDelay(1000, 60_000)).toBe(1000);
  });

  it('follows another policy given as data', () => {
    const policy = { firstDelayMs: 100, maxDelayMs: 300, stableAfterMs: 1000 };
    expect([restartDelay(undefined, 5, policy), restartDelay(100, 5, policy), restartDelay(200, 5, policy), restartDelay(300, 5, policy), restartDelay(300, 1000, policy)]).toEqual([100, 200, 300, 300, 100]);
    expect(RESTART_POLICY).toEqual({ firstDelayMs: 1000, maxDelayMs: 30_000, stableAfterMs: 60_000 });
  });
});

describe('what is printed when a process exits by itself', () => {
  it('says what exited, how, after how long, when it comes back, and the end of its log', () => {
    const text = exitReport({
      name: 'the dashboard',
      pid: 4242,
      code: null,
      signal: 'SIGKILL',
      upForMs: 185_000,
      restartInMs: 1000,
      logPath: '/data/logs/dashboard.log',
      logTail: ['{"msg":"listening"}', '{"msg":"client connected"}'],
    });
    expect(text).toBe(
      'the dashboard (pid 4242) exited (signal SIGKILL) after 3 min 5 s; restarting in 1 s. Last lines of /data/logs/dashboard.log:\n' +
        '    | {"msg":"listening"}\n' +
        '    | {"msg":"client connected"}',
    );
    expect(text.split('\n')[0]).not.toContain('\n');
  });

  it('gives the exit code of a process that exited, and says when its log is empty', () => {
    expect(exitReport({ name: 'the edge agent of dinh-vu-port', pid: 7, code: 1, signal: null, upForMs: 400, restartInMs: 2000, logPath: '/l', logTail: [] })).toBe(
      'the edge agent of dinh-vu-port (pid 7) exited (exit code 1) after 0.4 s; restarting in 2 s. Its log /l is empty.',
    );
  });

  it('reads durations as a person would', () => {
    expect([0, 100, 1000, 30_000, 60_000, 61_000, 3_600_000, 3_660_000].map(duration)).toEqual(['0 s', '0.1 s', '1 s', '30 s', '1 min', '1 min 1 s', '1 h', '1 h 1 min']);
  });
});

describe('the end of a log', () => {
  it('keeps the last lines, without the blank end', () => {
    expect(lastLines('a\nb\nc\n\n', 2, true)).toEqual(['b', 'c']);
    expect(lastLines('a\nb\n', 20, true)).toEqual(['a', 'b']);
    expect(lastLines('', 20, true)).toEqual([]);
  });

  it('leaves out the first line of a piece read from the middle of a file: it may be cut', () => {
    expect(lastLines('ut line\nwhole 1\nwhole 2\n', 20, false)).toEqual(['whole 1', 'whole 2']);
  });
});
