/**
 * The README's run command (`npm start` → sim/dist/run-local.js) as a newcomer runs it: it starts
 * InfluxDB, Mosquitto, three edge agents and the live simulator, prints where everything runs,
 * fills in the history while the corridor runs, stops everything on Ctrl-C, and on the next
 * start completes the history from where the last run stopped. Meanwhile the dashboard it
 * prints is toured in a browser by each of its user groups (test/dashboard/tour.ts). Its
 * processes crash (SIGKILL) while it runs, as a process of a real machine may: an edge agent and
 * a live simulator while the history fills in, the dashboard under an open officer page. Each
 * is started again, the run command says so, and the rest goes on.
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
import { DESKTOP, launchBrowser, screenshot } from '../harness/browser.js';

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

/** The pids of the processes of that run whose command line holds every one of `words`. */
function pidsOf(dataDir: string, ...words: string[]): number[] {
  return processesOf(dataDir)
    .filter((l) => words.every((w) => l.includes(w)))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** What the run command prints when a process of it exits by itself: the exit, the end of its log, then its start again. */
function crashReport(name: string, pid: number, log: string): RegExp {
  return new RegExp(`${escapeRe(name)} \\(pid ${pid}\\) exited \\(signal SIGKILL\\) after [^;]+; restarting in 1 s\\. Last lines of ${escapeRe(log)}:\\n    \\| .+\\n[^]*${escapeRe(name)} started again \\(pid (\\d+), restart 1\\)\\.`);
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
    await until('the history under way', first, () => /up to (\S+Z) into InfluxDB/.test(first.output()), 120_000);
    const [liveFromText] = /up to (\S+Z) into InfluxDB/.exec(first.output())?.slice(1) ?? [];
    const liveFrom = Date.parse(liveFromText!);

    // An edge agent and a live simulator crash while the history fills in (a day of it takes
    // half a minute or more): each is started again, and the history goes on to its end. Past
    // the hand-over's queue intervals checked below.
    await sleep(Math.max(0, liveFrom + 15_000 - Date.now()));
    const historyUnderWay = !/History done in/.test(first.output());
    const [agentPid] = pidsOf(dataDir, 'edge/dist/main.js', 'dinh-vu-port.yaml');
    const [simPid] = pidsOf(dataDir, 'sim/dist/live-sim.js', '--crossing kim-thanh-road');
    const agentCrashAt = Date.now();
    process.kill(agentPid!, 'SIGKILL');
    process.kill(simPid!, 'SIGKILL');
    const agentCrash = crashReport('the edge agent of dinh-vu-port', agentPid!, join(dataDir, 'logs', 'edge-dinh-vu-port.log'));
    const simCrash = crashReport('the live simulator of kim-thanh-road', simPid!, join(dataDir, 'logs', 'sim-kim-thanh-road.log'));
    await until('the agent and the simulator started again', first, () => agentCrash.test(first.output()) && simCrash.test(first.output()), 30_000);
    const agentAgain = Number(agentCrash.exec(first.output())![1]);
    const simAgain = Number(simCrash.exec(first.output())![1]);
    expect(agentAgain).not.toBe(agentPid);
    expect(simAgain).not.toBe(simPid);
    console.log(`an agent and a simulator crashed ${Math.round((agentCrashAt - liveFrom) / 1000)} s after the hand-over, the history ${historyUnderWay ? 'under way' : 'already done'}`);
    expect(pidsOf(dataDir, 'edge/dist/main.js', 'dinh-vu-port.yaml')).toEqual([agentAgain]);
    expect(pidsOf(dataDir, 'sim/dist/live-sim.js', '--crossing kim-thanh-road')).toEqual([simAgain]);

    await until('history', first, () => /History done in/.test(first.output()), 240_000);
    const out = first.output();
    expect(out, `the history was ${historyUnderWay ? '' : 'no longer '}under way at the crashes`).not.toMatch(/History backfill failed/);
    const influxUrl = /InfluxDB\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
    expect(influxUrl, out).toBeDefined();
    for (const c of CHECKPOINTS) expect(out).toContain(c);
    expect(out).toMatch(/Ctrl-C stops everything/);

    // History: a day of every crossing, with its aggregates.
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
    /** A lane has a queue record for every queue interval of [from, to): no gap. */
    const noGap = async (c: string, from: number, to: number): Promise<void> => {
      const rows = await query(influxUrl!, `SELECT length FROM queue WHERE checkpoint = '${c}' AND lane = '${firstLane[c]}' AND time >= ${from}ms AND time < ${to}ms`);
      const times = rows.map((r) => r[0] as number);
      const interval = times[1]! - times[0]!;
      expect(times.slice(1).map((t, i) => t - times[i]!), c).toEqual(times.slice(1).map(() => interval));
      expect(times[0], c).toBeLessThanOrEqual(from + interval);
      expect(times.at(-1), c).toBeGreaterThanOrEqual(to - 2 * interval);
    };
    for (const c of CHECKPOINTS) await noGap(c, liveFrom - 60_000, liveFrom + 10_000);
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

    // The agent started again replayed its journal: its queue records went on across its crash.
    // The simulator started again plays live from its start.
    await sleep(Math.max(0, agentCrashAt + 40_000 - Date.now()));
    // From 10 s past the hand-over: the agents' cores start a second or more after it, and the
    // queue interval that ends meanwhile may have no record (the history stops at the hand-over).
    await noGap('dinh-vu-port', agentCrashAt - 5_000, agentCrashAt + 30_000);
    expect(readFileSync(join(dataDir, 'logs', 'sim-kim-thanh-road.log'), 'utf8').match(/caught up, playing live/g)).toHaveLength(2);

    // The dashboard crashes under an open officer page: back within 5 s, the page reconnects
    // by itself still signed in and live, and the agents write on meanwhile.
    const browser = await launchBrowser();
    try {
      const officer = readDemoLogins(join(dataDir, 'dashboard')).find((l) => l.role === 'officer' && l.checkpoints?.includes('dinh-vu-port'))!;
      const page = await (await browser.newContext({ viewport: DESKTOP, locale: 'vi-VN' })).newPage();
      page.setDefaultTimeout(20_000);
      await page.goto(`${dashboardUrl}#/login`);
      await page.getByLabel('Tên đăng nhập').fill(officer.username);
      await page.getByLabel('Mật khẩu').fill(officer.password);
      await page.getByRole('button', { name: 'Đăng nhập' }).click();
      await expect.poll(() => page.url()).toContain('#/checkpoint/dinh-vu-port');
      const connection = page.getByRole('status').first();
      await expect.poll(() => connection.innerText()).toMatch(/Trực tiếp/);
      await expect.poll(() => page.locator('.lane-card p.muted').count()).toBeGreaterThan(0);
      // Marks this very document (a reload would lose it) and keeps every text the header's
      // connection status shows: the page must see the connection go, and come back.
      await page.evaluate(`{
        window.gwBeforeCrash = true;
        window.gwConnection = [];
        const el = document.querySelector('[role="status"]');
        new MutationObserver(() => window.gwConnection.push(el.innerText)).observe(el, { subtree: true, childList: true, characterData: true });
      }`);

      const others = [...pidsOf(dataDir, 'edge/dist/main.js'), ...pidsOf(dataDir, 'sim/dist/live-sim.js')];
      expect(others).toHaveLength(6);
      const [dashboardPid, ...more] = pidsOf(dataDir, 'dashboard/server/dist/main.js');
      expect(more).toEqual([]);
      const crashAt = Date.now();
      process.kill(dashboardPid!, 'SIGKILL');
      const dashboardCrash = crashReport('the dashboard', dashboardPid!, join(dataDir, 'logs', 'dashboard.log'));
      await until("the dashboard's crash reported", first, () => new RegExp(`the dashboard \\(pid ${dashboardPid}\\) exited`).test(first.output()), 10_000);
      for (;;) {
        const answered = await fetch(new URL('api/health', dashboardUrl), { signal: AbortSignal.timeout(1000) }).then(() => true, () => false);
        if (answered) break;
        if (Date.now() - crashAt > 30_000) throw new Error(`the dashboard did not answer within 30 s of its crash:\n${first.output()}`);
        await sleep(100);
      }
      const backAfterMs = Date.now() - crashAt;
      console.log(`the dashboard answered again ${backAfterMs} ms after its crash`);
      expect(backAfterMs).toBeLessThanOrEqual(5000);
      await until('the dashboard started again', first, () => dashboardCrash.test(first.output()), 10_000);
      const dashboardAgain = Number(dashboardCrash.exec(first.output())![1]);
      expect(pidsOf(dataDir, 'dashboard/server/dist/main.js')).toEqual([dashboardAgain]);

      // The same page, reconnected, signed in, watching its crossing live again.
      await expect.poll(() => page.evaluate('window.gwConnection.join(" | ")'), { timeout: 15_000 }).toMatch(/Mất kết nối|Đang kết nối/);
      await expect.poll(() => connection.innerText(), { timeout: 30_000 }).toMatch(/Trực tiếp/);
      const lastRecord = await page.locator('.lane-card p.muted').first().innerText();
      await expect.poll(() => page.locator('.lane-card p.muted').first().innerText(), { timeout: 30_000, interval: 500 }).not.toBe(lastRecord);
      expect(await page.evaluate('window.gwBeforeCrash === true')).toBe(true);
      expect(page.url()).toContain('#/checkpoint/dinh-vu-port');
      expect(await page.getByRole('button', { name: 'Đăng xuất' }).count()).toBe(1);
      expect(await page.getByTestId('forbidden').count()).toBe(0);
      await screenshot(page, 'officer-after-dashboard-crash');

      // Nothing else was touched, and the agents' records have no hole across the crash (up to
      // 10 s past it at least: noGap allows the last interval not to be written yet).
      expect([...pidsOf(dataDir, 'edge/dist/main.js'), ...pidsOf(dataDir, 'sim/dist/live-sim.js')]).toEqual(others);
      await sleep(Math.max(0, crashAt + 35_000 - Date.now()));
      for (const c of CHECKPOINTS) await noGap(c, crashAt - 30_000, crashAt + 30_000);
    } finally {
      await browser.close();
    }

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
