import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { logTail, SupervisedProcess } from './supervisedProcess.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-supervise-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Short delays so that a crash loop takes a second, the same doubling as the real policy. */
const FAST = { firstDelayMs: 100, maxDelayMs: 400, stableAfterMs: 60_000 };

/** The printed lines, each with when it was printed. */
function recorder(): { lines: { at: number; text: string }[]; print: (text: string) => void } {
  const lines: { at: number; text: string }[] = [];
  return { lines, print: (text) => lines.push({ at: Date.now(), text }) };
}

async function until(what: string, done: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs} ms`);
    await sleep(20);
  }
}

describe('a supervised process', () => {
  it('that exits by itself is started again after 0.1, 0.2, 0.4, 0.4 s, each exit printed with its code and the end of its log; stop() ends it for good', async () => {
    const logPath = join(dir, 'crashing.log');
    const out = recorder();
    const pids: number[] = [];
    const p = new SupervisedProcess({
      name: 'the crashing thing',
      // Says a few lines (more than are printed), then fails.
      args: (restarts) => ['-e', "for (let i = 0; i < 30; i++) console.log('start ' + process.argv[1] + ' line ' + i); console.error('boom'); process.exit(3)", String(restarts)],
      logPath,
      policy: FAST,
      print: out.print,
    });
    p.start();
    pids.push(p.pid!);
    const exits = () => out.lines.filter((l) => / exited /.test(l.text));
    await until('4 exits', () => exits().length >= 4);
    const [first] = exits();
    expect(first!.text.split('\n')[0]).toMatch(new RegExp(`^the crashing thing \\(pid ${pids[0]}\\) exited \\(exit code 3\\) after [\\d.]+ s; restarting in 0\\.1 s\\. Last lines of ${logPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:$`));
    // The last 20 lines of its log: its last 19 lines of output and its error.
    const tail = first!.text.split('\n').slice(1);
    expect(tail).toHaveLength(20);
    expect(tail[0]).toBe('    | start 0 line 11');
    expect(tail.at(-1)).toBe('    | boom');
    expect(exits().slice(0, 4).map((l) => /restarting in ([\d.]+ s)/.exec(l.text)?.[1])).toEqual(['0.1 s', '0.2 s', '0.4 s', '0.4 s']);
    // Started again after the delay, as a new process with its restart count.
    const restarted = out.lines.filter((l) => / started again /.test(l.text));
    expect(restarted[0]!.text).toMatch(/^the crashing thing started again \(pid \d+, restart 1\)\.$/);
    expect(restarted[0]!.at - first!.at).toBeGreaterThanOrEqual(90);
    expect(restarted[1]!.at - exits()[1]!.at).toBeGreaterThanOrEqual(190);
    expect(new Set(restarted.map((l) => /pid (\d+)/.exec(l.text)![1])).size).toBe(restarted.length);
    expect(readFileSync(logPath, 'utf8')).toContain('start 3 line 0');

    await p.stop();
    const printed = out.lines.length;
    await sleep(1000);
    expect(out.lines.length).toBe(printed);
    expect(p.pid).toBeUndefined();
  });

  it('killed by a signal is started again; stop() ends it with SIGTERM and nothing follows', async () => {
    const out = recorder();
    const p = new SupervisedProcess({ name: 'the long runner', args: () => ['-e', 'console.log("up"); setInterval(() => {}, 1000)'], logPath: join(dir, 'long.log'), policy: FAST, print: out.print });
    p.start();
    const firstPid = p.pid!;
    await until('its first line', () => readFileSync(join(dir, 'long.log'), 'utf8').includes('up'));
    process.kill(firstPid, 'SIGKILL');
    await until('a restart', () => p.pid !== undefined && p.pid !== firstPid);
    expect(out.lines[0]!.text).toMatch(new RegExp(`^the long runner \\(pid ${firstPid}\\) exited \\(signal SIGKILL\\) after [\\d.]+ s; restarting in 0\\.1 s\\. Last lines of .*long\\.log:\\n    \\| up$`));
    const secondPid = p.pid!;
    await p.stop();
    expect(() => process.kill(secondPid, 0)).toThrow();
    await sleep(300);
    expect(out.lines.map((l) => l.text.split('\n')[0])).toEqual([expect.stringMatching(/exited \(signal SIGKILL\)/), `the long runner started again (pid ${secondPid}, restart 1).`]);
  });

  it('that does not stop on SIGTERM is killed after the timeout', async () => {
    const out = recorder();
    const logPath = join(dir, 'stubborn.log');
    const p = new SupervisedProcess({ name: 'the stubborn one', args: () => ['-e', 'process.on("SIGTERM", () => console.log("not now")); console.log("up"); setInterval(() => {}, 1000)'], logPath, stopTimeoutMs: 300, print: out.print });
    p.start();
    await until('its first line', () => readFileSync(logPath, 'utf8').includes('up'));
    const t0 = Date.now();
    await p.stop();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
    expect(readFileSync(logPath, 'utf8')).toContain('not now');
    expect(out.lines.map((l) => l.text)).toEqual([expect.stringMatching(/^the stubborn one \(pid \d+\) did not stop within 0\.3 s of SIGTERM: killed\.$/)]);
  });
});

describe('the end of a log', () => {
  it('is read from the end of a large file, whole lines only', () => {
    const path = join(dir, 'big.log');
    writeFileSync(path, '');
    for (let i = 0; i < 20; i++) appendFileSync(path, `${'x'.repeat(100)} ${i}\n`.repeat(1000));
    appendFileSync(path, 'second last\nlast\n');
    const tail = logTail(path);
    expect(tail).toHaveLength(20);
    expect(tail.slice(-2)).toEqual(['second last', 'last']);
    expect(logTail(path, 3)).toEqual([`${'x'.repeat(100)} 19`, 'second last', 'last']);
    expect(logTail(join(dir, 'missing.log'))).toEqual([]);
  });

  it('that cannot be started again (its log folder gone) says so and tries later, never throwing; hold() stops the restarts', async () => {
    const folder = mkdtempSync(join(dir, 'gone-'));
    const out = recorder();
    const p = new SupervisedProcess({ name: 'the orphan', args: () => ['-e', 'process.exit(4)'], logPath: join(folder, 'orphan.log'), policy: FAST, print: out.print });
    p.start();
    await until('its exit', () => out.lines.some((l) => / exited /.test(l.text)));
    rmSync(folder, { recursive: true, force: true });
    await until('two failed starts', () => out.lines.filter((l) => / could not be started again /.test(l.text)).length >= 2);
    expect(out.lines.find((l) => / could not be started again /.test(l.text))!.text).toMatch(/^the orphan could not be started again \(ENOENT.*\); next try in 0\.\d s\.$/);
    p.hold();
    const printed = out.lines.length;
    await sleep(600);
    expect(out.lines.length).toBe(printed);
    await p.stop();
  });
});
