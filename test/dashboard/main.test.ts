/**
 * The built entry point as the run command starts it: exit 2 listing every configuration error,
 * hash-password from stdin, serving until SIGTERM and then exiting 0.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '@gatewatch/infra';
import { stringify } from 'yaml';
import { verifyPassword } from '@gatewatch/dashboard';
import { CHECKPOINTS, waitFor } from './fixture.js';

const MAIN = fileURLToPath(new URL('../../dashboard/server/dist/main.js', import.meta.url));

function run(args: string[], stdin?: string): { done: Promise<{ code: number | null; stdout: string; stderr: string }>; kill: (s: NodeJS.Signals) => void; stdout: () => string } {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: the test command builds before testing (pnpm build)`);
  const child = spawn(process.execPath, [MAIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  if (stdin !== undefined) child.stdin.end(stdin);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { done, kill: (s) => child.kill(s), stdout: () => stdout };
}

describe('dashboard main', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-dash-main-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 2 listing every configuration error', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, stringify({ server: { port: -1 }, auth: {}, regions: [], checkpoints: [{ id: 'X' }] }));
    const { code, stderr } = await run(['--config', file]).done;
    expect(code).toBe(2);
    expect(stderr).toContain('server.port: must be at least 0');
    expect(stderr).toContain('auth.usersFile: required');
    expect(stderr).toContain('regions: must have at least one entry');
    expect(stderr).toContain("checkpoints[0].id: must be 1 to 48 lower-case letters");
  });

  it('hashes a password from stdin', async () => {
    const { code, stdout } = await run(['hash-password'], 'một mật khẩu\n').done;
    expect(code).toBe(0);
    expect(await verifyPassword('một mật khẩu', stdout.trim())).toBe(true);
  });

  it('serves the web app and stops cleanly on SIGTERM, also with the broker and InfluxDB away', async () => {
    const hash = (await run(['hash-password'], 'pw\n').done).stdout.trim();
    const port = await freePort();
    const web = join(dir, 'web');
    mkdirSync(web, { recursive: true });
    writeFileSync(join(web, 'index.html'), '<!doctype html><title>built app</title>');
    writeFileSync(join(dir, 'users.yaml'), stringify({ users: [{ username: 'o', displayName: 'O', role: 'officer', checkpoints: ['kim-thanh-road'], passwordHash: hash }] }));
    const deadPort = await freePort();
    writeFileSync(
      join(dir, 'dashboard.yaml'),
      stringify({
        server: { port },
        mqtt: { url: `mqtt://127.0.0.1:${deadPort}` },
        influx: { url: `http://127.0.0.1:${deadPort}` },
        auth: { usersFile: 'users.yaml' },
        regions: [{ id: 'lao-cai', name: { vi: 'a', en: 'a' } }, { id: 'hai-phong', name: { vi: 'b', en: 'b' } }],
        checkpoints: CHECKPOINTS,
      }),
    );
    const p = run(['--config', join(dir, 'dashboard.yaml'), '--static', web]);
    await waitFor(() => p.stdout().includes('dashboard listening'), 10_000, 'the dashboard to listen');
    expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toContain('built app');
    const health = await fetch(`http://127.0.0.1:${port}/api/health`);
    expect(health.status).toBe(503);
    p.kill('SIGTERM');
    const { code, stdout } = await p.done;
    expect(code).toBe(0);
    expect(stdout).toContain('dashboard stopped');
  });
});
