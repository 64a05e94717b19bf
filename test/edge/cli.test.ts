/** The agent's command line: help, usage errors and clock options refused before anything starts. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO } from '../harness/agentProcess.js';

const MAIN = join(REPO, 'edge/dist/main.js');

function run(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: the test command builds before testing (pnpm build)`);
  const r = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 15_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('gatewatch-edge command line', () => {
  it('--help documents the clock options and their variables, exit 0', () => {
    const r = run(['--help']);
    expect(r.status).toBe(0);
    for (const word of ['--config', '--clock-start', '--clock-rate', '--clock-anchor', 'GATEWATCH_CLOCK_START', 'GATEWATCH_CLOCK_RATE', 'GATEWATCH_CLOCK_ANCHOR']) {
      expect(r.stdout).toContain(word);
    }
  });

  it('a bad clock option is a usage error naming it (exit 2), before the site file is read', () => {
    const flag = run(['--config', '/nonexistent.yaml', '--clock-rate', 'fast']);
    expect(flag.status).toBe(2);
    expect(flag.stderr).toMatch(/--clock-rate: must be a number > 0/);
    const env = run(['--config', '/nonexistent.yaml'], { GATEWATCH_CLOCK_RATE: '20', GATEWATCH_CLOCK_START: '2026-11-25 08:00' });
    expect(env.status).toBe(2);
    expect(env.stderr).toMatch(/GATEWATCH_CLOCK_START: must be a time with an offset/);
    // The option wins over the variable.
    const both = run(['--config', '/nonexistent.yaml', '--clock-rate', '0'], { GATEWATCH_CLOCK_RATE: '20' });
    expect(both.stderr).toMatch(/^gatewatch-edge: --clock-rate: /);
  });

  it('an unknown option or a missing --config is a usage error (exit 2)', () => {
    const unknown = run(['--config', 'x.yaml', '--fast']);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--fast'/);
    expect(run([]).status).toBe(2);
  });
});
