/**
 * The README's run command (`npm start` → sim/dist/run-local.js) as a newcomer runs it: it starts
 * InfluxDB, Mosquitto, three edge agents and the live simulator, prints where everything runs,
 * fills in the history while the corridor runs, stops everything on Ctrl-C, and on the next
 * start completes the history from where the last run stopped. Meanwhile the dashboard it
 * prints is toured in a browser by each of its user groups (test/dashboard/tour.ts).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import { cameraPayload, iso6346CheckDigit, isoVietnam, topics } from '@gatewatch/shared';
import { crossing, readDemoLogins, type CrossingId } from '@gatewatch/sim';
import { dashboardTour } from '../dashboard/tour.js';
import { REPO } from '../harness/agentProcess.js';

const ENTRY = join(REPO, 'sim/dist/run-local.js');
const CHECKPOINTS = ['lao-cai-rail', 'kim-thanh-road', 'dinh-vu-port'];

interface Run {
  child: ChildProcess;
  output(): string;
  exited: Promise<number | null>;
}

function start(dataDir: string): Run {
  if (!existsSync(ENTRY)) throw new Error(`${ENTRY} is missing: the test command builds before testing (pnpm build)`);
  // Its own process group, as a terminal's Ctrl-C reaches only the command's group.
  const child = spawn(process.execPath, [ENTRY], {
    env: { ...process.env, GATEWATCH_DATA_DIR: dataDir, GATEWATCH_BACKFILL_DAYS: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString('utf8')));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  return { child, output: () => out, exited };
}

async function until(what: string, run: Run, done: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (run.child.exitCode !== null) throw new Error(`the run command exited (${run.child.exitCode}) before ${what}:\n${run.output()}`);
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeoutMs / 1000} s:\n${run.output()}`);
    await sleep(200);
  }
}

/** Processes whose command line names the data folder: services, ptys and agents of that run. */
function processesOf(dataDir: string): string[] {
  const ps = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  return ps.split('\n').filter((l) => l.includes(dataDir) && !l.includes(' ps '));
}

async function query(url: string, q: string): Promise<unknown[][]> {
  const res = await fetch(`${url}/query`, { method: 'POST', body: new URLSearchParams({ q, db: 'gatewatch', epoch: 'ms' }) });
  const body = (await res.json()) as { results: { series?: { values: unknown[][] }[] }[] };
  return body.results[0]?.series?.flatMap((s) => s.values) ?? [];
}

describe('npm start', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gw-run-'));
  afterAll(() => {
    for (const line of processesOf(dataDir)) process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('runs the corridor live with its history and dashboard, stops cleanly on Ctrl-C, and completes the history on the next start', { timeout: 600_000 }, async () => {
    const first = start(dataDir);
    await until('history', first, () => /History done in/.test(first.output()), 240_000);
    const out = first.output();
    const influxUrl = /InfluxDB\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    expect(influxUrl, out).toBeDefined();
    for (const c of CHECKPOINTS) expect(out).toContain(c);
    expect(out).toMatch(/Ctrl-C stops everything/);

    // History: a day of every crossing, with its aggregates.
    const [liveFromText] = /up to (\S+Z) into InfluxDB/.exec(out)?.slice(1) ?? [];
    const liveFrom = Date.parse(liveFromText!);
    // The hours before the hand-over's hour: the live agents add to that one as they go.
    const hour = Math.floor(liveFrom / 3600_000) * 3600_000;
    for (const c of CHECKPOINTS) {
      const [[, count]] = (await query(influxUrl!, `SELECT count(unit) FROM clearance WHERE checkpoint = '${c}' AND time < ${hour}ms`)) as [[number, number]];
      expect(count, c).toBeGreaterThan(10);
      const agg = await query(influxUrl!, `SELECT sum(units) FROM agg_1h.clearance_1h WHERE checkpoint = '${c}' AND time < ${hour}ms`);
      expect(agg[0]?.[1], c).toBe(count);
    }
    // Live: the agents go on where the history stopped. A lane has a queue record for every
    // queue interval around the hand-over: history before, live after, no gap.
    await sleep(12_000);
    const firstLane: Record<string, string> = { 'lao-cai-rail': 'T1', 'kim-thanh-road': 'IN-1', 'dinh-vu-port': 'G1' };
    for (const c of CHECKPOINTS) {
      const rows = await query(influxUrl!, `SELECT length FROM queue WHERE checkpoint = '${c}' AND lane = '${firstLane[c]}' AND time >= ${liveFrom - 60_000}ms AND time < ${liveFrom + 10_000}ms`);
      const times = rows.map((r) => r[0] as number);
      const interval = times[1]! - times[0]!;
      expect(times.slice(1).map((t, i) => t - times[i]!), c).toEqual(times.slice(1).map(() => interval));
      expect(times[0], c).toBeLessThanOrEqual(liveFrom - 60_000 + interval);
      expect(times.at(-1), c).toBeGreaterThanOrEqual(liveFrom + 10_000 - 2 * interval);
    }
    expect(processesOf(dataDir).length).toBeGreaterThanOrEqual(2 + 3);

    // The dashboard it prints: each user group finds what it came for, the corridor moving live.
    const dashboardUrl = /Dashboard\s+(http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)?.[1];
    expect(dashboardUrl, out).toBeDefined();
    // Every unit the corridor has seen: those of the history (InfluxDB) and those the live
    // simulator let go (its truth). At night a minute of live traffic may let none go.
    const unitIds = new Set<string>();
    for (const [, unit] of await query(influxUrl!, `SELECT unit FROM clearance WHERE time >= ${liveFrom - 86_400_000}ms`)) unitIds.add(String(unit));
    for (const f of readdirSync(join(dataDir, 'truth'))) {
      for (const line of readFileSync(join(dataDir, 'truth', f), 'utf8').split('\n')) {
        const r = line ? (JSON.parse(line) as { type: string; unit?: string }) : undefined;
        if (r?.type === 'unit' && r.unit) unitIds.add(r.unit);
      }
    }
    expect(unitIds.size).toBeGreaterThan(3 * 10);
    const mqttUrl = /Mosquitto\s+(mqtt:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    expect(mqttUrl, out).toBeDefined();
    /** A container seen by a queue camera of the crossing, as the camera publishes it (the run command's broker is local and open). */
    const arrive = async (checkpoint: string): Promise<string> => {
      const lane = crossing(checkpoint as CrossingId).lanes.find((l) => l.cameras.queue !== undefined)!;
      const first10 = `TSTU${String(Date.now() % 1_000_000).padStart(6, '0')}`;
      const unit = `${first10}${iso6346CheckDigit(first10)}`;
      const client = await mqtt.connectAsync(mqttUrl!, { clientId: `test-tour-camera-${process.pid}` });
      const ts = isoVietnam(Date.now());
      await client.publishAsync(topics.camera(checkpoint, lane.cameras.queue!), cameraPayload({ id: `tour-${unit}`, ts, lane: lane.id, point: 'queue', unit, kind: 'container', confidence: 0.99 }), { qos: 1 });
      await client.endAsync();
      return unit;
    };
    await dashboardTour({ url: dashboardUrl!, logins: readDemoLogins(join(dataDir, 'dashboard')), unitIds, arrive });

    // Ctrl-C: everything it started stops, and it says so.
    process.kill(-first.child.pid!, 'SIGINT');
    expect(await first.exited).toBe(0);
    expect(first.output()).toMatch(/Stopped\.\s*$/);
    expect(processesOf(dataDir)).toEqual([]);

    // The next start fills the time it was stopped, from where the history stopped (stopped
    // for several 10 s queue intervals: shorter holes, of up to four, are within the slack).
    await sleep(75_000);
    const second = start(dataDir);
    await until('history', second, () => /History done in/.test(second.output()), 240_000);
    for (const c of CHECKPOINTS) expect(second.output(), second.output()).toMatch(new RegExp(`${c}\\s+completed from`));
    process.kill(-second.child.pid!, 'SIGINT');
    expect(await second.exited).toBe(0);
    expect(processesOf(dataDir)).toEqual([]);
  });
});
