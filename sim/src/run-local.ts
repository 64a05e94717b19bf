#!/usr/bin/env node
/**
 * The README's run command: the Lao Cai – Hanoi – Hai Phong corridor on this machine.
 *
 *  1. InfluxDB and Mosquitto under .data/ (or existing ones: GATEWATCH_INFLUX_URL, GATEWATCH_MQTT_URL);
 *  2. the database schema: retention policies and continuous queries;
 *  3. one edge agent per crossing (its own process), reading socat ptys and the broker;
 *  4. the corridor simulator playing every device live, and writing its ground truth (one
 *     process per crossing); the dashboard (its own process) with demo sign-ins for each role;
 *  5. meanwhile the history: the last 14 days (GATEWATCH_BACKFILL_DAYS; 0 for none) of the
 *     three crossings up to the moment the live simulation took over, replayed through the edge
 *     code into InfluxDB; skipped where already there, completed where an earlier run stopped.
 * History and live are one simulation per crossing (same seed, traffic seeded by local day),
 * so that the live queues go on from where the history left them, without a gap.
 * The agents, simulators and dashboard are supervised: one that exits by itself is started again
 * with backoff (supervisor/), the rest goes on. Only Ctrl-C (or SIGTERM) stops everything.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { parseSiteConfig } from '@gatewatch/edge';
import { applySchema, freePort, SocatPty, startInfluxd, startMosquitto } from '@gatewatch/infra';
import { backfill, progressBar } from './backfill.js';
import { CROSSING_IDS, crossing as crossingById, localMidnight, siteDescription, simulate, type Crossing } from './corridor/index.js';
import { CREDENTIAL_ENV } from './credentialEnv.js';
import { dashboardConfig, demoUsers } from './dashboardSite.js';
import { deviceEmissions } from './liveSimulation.js';
import { SupervisedProcess } from './supervisor/supervisedProcess.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url))); // sim/dist → repo root
const DATA = resolve(process.env.GATEWATCH_DATA_DIR ?? join(ROOT, '.data'));
const DAY_MS = 86_400_000;
const SEED = Number(process.env.GATEWATCH_SEED ?? 20261125);
const BACKFILL_DAYS = Number(process.env.GATEWATCH_BACKFILL_DAYS ?? 14);
/** Preferred; a free port when it is taken. */
const DASHBOARD_PORT = Number(process.env.GATEWATCH_DASHBOARD_PORT ?? 18080);

/**
 * A site config's credentials section for a service, when its variables are set (credentialEnv.ts):
 * the agents get the names of the variables and read them at start, as a real site's config
 * would name its own; the simulators and the dashboard inherit the environment.
 */
function credentialsFor(service: keyof typeof CREDENTIAL_ENV): { usernameEnv: string; passwordEnv?: string } | undefined {
  const names = CREDENTIAL_ENV[service];
  if (!process.env[names.usernameEnv]) return undefined;
  return process.env[names.passwordEnv] ? { ...names } : { usernameEnv: names.usernameEnv };
}

/** The dashboard config's credentials: the user name itself (not a secret), the password's variable. */
function dashboardCredentials(service: keyof typeof CREDENTIAL_ENV): { credentials?: { username: string; passwordEnv?: string } } {
  const names = CREDENTIAL_ENV[service];
  const username = process.env[names.usernameEnv];
  if (!username) return {};
  return { credentials: { username, ...(process.env[names.passwordEnv] ? { passwordEnv: names.passwordEnv } : {}) } };
}

function checkNumber(name: string, value: number, ok: (n: number) => boolean, what: string): void {
  if (!ok(value)) {
    console.error(`${name}: must be ${what} (is '${process.env[name]}')`);
    process.exit(2);
  }
}

async function portOr(preferred: number): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => void freePort().then(res));
    s.listen(preferred, '127.0.0.1', () => s.close(() => res(preferred)));
  });
}

/** Waits until the dashboard answers (its health, whatever it says), or fails naming its log. */
async function waitForDashboard(url: string, logPath: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await fetch(new URL('api/health', url), { signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`the dashboard did not answer at ${url} within 30 s; see ${logPath}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

/** Set by main once it can stop what it started: Ctrl-C, SIGTERM, or a failure at start-up. */
let stopAll: ((code: number) => Promise<never>) | undefined;
let stopping = false;

async function main(): Promise<void> {
  checkNumber('GATEWATCH_SEED', SEED, Number.isSafeInteger, 'a whole number');
  checkNumber('GATEWATCH_DASHBOARD_PORT', DASHBOARD_PORT, (n) => Number.isInteger(n) && n > 0 && n < 65536, 'a TCP port number');
  checkNumber('GATEWATCH_BACKFILL_DAYS', BACKFILL_DAYS, (n) => Number.isInteger(n) && n >= 0 && n <= 30, 'a whole number of days from 0 to 30 (the raw retention)');
  mkdirSync(join(DATA, 'logs'), { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  const supervised: SupervisedProcess[] = [];
  stopAll = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      console.log('\nStopping…');
      // None is started again while the others stop, in reverse order, ahead of it.
      for (const p of supervised) p.hold();
      for (const stop of stops.reverse()) await stop().catch((e: unknown) => console.error(String(e)));
      console.log('Stopped.');
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll?.(0));
  process.on('SIGTERM', () => void stopAll?.(0));

  // On a terminal, the history's progress bar is redrawn in place on the last line: what
  // happens to a process goes over it (the bar comes back at its next step).
  const print = (text: string): void => void process.stderr.write(`${process.stderr.isTTY ? '\r\x1b[K' : ''}${text}\n`);
  /**
   * A Node process of ours (an agent, a simulator, the dashboard), started again with backoff
   * whenever it exits by itself: one crash must not take the corridor down, nor the history
   * being filled in. Stopped (SIGTERM, waiting for it) only by stopAll, in reverse start order:
   * the agents before the services, so that they drain into a still running InfluxDB. If this
   * command fails or dies, its exit hook kills them (supervisor/supervisedProcess.ts).
   */
  const startChild = (name: string, args: (restarts: number) => string[], logPath: string): void => {
    const child = new SupervisedProcess({ name, args, logPath, print });
    supervised.push(child);
    child.start();
    stops.push(() => child.stop());
  };

  let influxUrl = process.env.GATEWATCH_INFLUX_URL;
  let influxPort = 0;
  if (!influxUrl) {
    const influxd = await startInfluxd({ dataDir: join(DATA, 'influxdb'), port: await portOr(18086) });
    stops.push(() => influxd.stop());
    influxUrl = influxd.url;
    influxPort = influxd.port;
  }
  const influxCreds = credentialsFor('influx');
  const mqttCredentials = credentialsFor('mqtt');
  // The same variables the agents' site configs name, read here for the schema and the history.
  const influxCredentials = influxCreds ? { username: process.env[influxCreds.usernameEnv]!, password: process.env[CREDENTIAL_ENV.influx.passwordEnv] ?? '' } : undefined;
  await applySchema(influxCredentials ? { url: influxUrl, credentials: influxCredentials } : influxUrl);
  let mqttUrl = process.env.GATEWATCH_MQTT_URL;
  if (!mqttUrl) {
    const broker = await startMosquitto({ dataDir: join(DATA, 'mosquitto'), port: await portOr(11883) });
    stops.push(() => broker.stop());
    mqttUrl = broker.url;
  }

  const devPath = (c: Crossing, id: string): string => join(DATA, 'dev', c.id, id);
  const sites = CROSSING_IDS.map((id) => crossingById(id)).map((c) => {
    const description = siteDescription(c, (id) => devPath(c, id));
    const site = {
      ...description,
      mqtt: { url: mqttUrl, ...(mqttCredentials ? { credentials: mqttCredentials } : {}) },
      influx: { url: influxUrl, ...(influxCreds ? { credentials: influxCreds } : {}) },
      storage: { dir: join(DATA, 'edge', c.id) },
    };
    return { crossing: c, site, config: parseSiteConfig(site, DATA, process.env) };
  });

  // Live: ptys, agents, simulator.
  for (const { crossing, site, config } of sites) {
    for (const d of config.devices.serial) {
      const pty = new SocatPty(devPath(crossing, d.id), `${devPath(crossing, d.id)}.sim`);
      await pty.start();
      stops.push(() => pty.stop());
    }
    // The live simulation starts afresh at every start: units the last run left inside would
    // never leave and would inflate queues until they time out. Forget them (the journal), but
    // keep the outbox: what it still holds goes to InfluxDB, and the core resumes after it.
    rmSync(join(DATA, 'edge', crossing.id, 'journal'), { recursive: true, force: true });
    const sitePath = join(DATA, 'sites', `${crossing.id}.yaml`);
    mkdirSync(join(DATA, 'sites'), { recursive: true });
    writeFileSync(sitePath, `# Written by the run command for the simulated devices under ${join(DATA, 'dev', crossing.id)}\n${stringify(site)}`);
    const agent = [join(ROOT, 'edge/dist/main.js'), '--config', sitePath];
    startChild(`the edge agent of ${crossing.id}`, () => agent, join(DATA, 'logs', `edge-${crossing.id}.log`));
  }
  mkdirSync(join(DATA, 'truth'), { recursive: true });
  // The moment the live simulation takes over from the history (live-sim.ts: it simulates from
  // the day before, unseen, so that the queues, trains and inspections in progress now are there).
  const liveFrom = Date.now();
  sites.forEach(({ crossing, config }, i) => {
    const truthPath = join(DATA, 'truth', `${crossing.id}-${new Date(liveFrom).toISOString().slice(0, 19).replace(/:/g, '')}.ndjson`);
    const simulator = [
      join(ROOT, 'sim/dist/live-sim.js'),
      ...['--crossing', crossing.id, '--seed', String(SEED + i), '--mqtt-url', mqttUrl!, '--truth', truthPath],
      ...config.devices.serial.flatMap((d) => ['--serial', `${d.id}=${d.path}.sim`]),
    ];
    // The first start plays from the hand-over, so that history and live join without a gap; one
    // started again plays from its own start (the traffic is the same: seeded by local day), what
    // fell due while it was down is lost, as when real devices are down.
    startChild(`the live simulator of ${crossing.id}`, (restarts) => (restarts === 0 ? [...simulator, '--from', String(liveFrom)] : simulator), join(DATA, 'logs', `sim-${crossing.id}.log`));
  });

  // The dashboard: its own process, so that the history's replay never delays a live update.
  const dashboardDir = join(DATA, 'dashboard');
  const { loginsFile, logins, usersFile } = await demoUsers(dashboardDir);
  const dashboardPort = await portOr(DASHBOARD_PORT);
  const dashboardPath = join(dashboardDir, 'dashboard.yaml');
  writeFileSync(
    dashboardPath,
    `# Written by the run command for the simulated corridor (docs/dashboard.md)\n${stringify(
      dashboardConfig({
        sites: sites.map((s) => s.site),
        port: dashboardPort,
        mqtt: { url: mqttUrl, ...dashboardCredentials('mqtt') },
        influx: { url: influxUrl, ...dashboardCredentials('influx') },
        usersFile,
        sessionsFile: join(dashboardDir, 'sessions.json'),
      }),
    )}`,
  );
  const dashboard = [join(ROOT, 'dashboard/server/dist/main.js'), '--config', dashboardPath, '--static', join(ROOT, 'dashboard/web/dist')];
  startChild('the dashboard', () => dashboard, join(DATA, 'logs', 'dashboard.log'));
  const dashboardUrl = `http://127.0.0.1:${dashboardPort}/`;
  await waitForDashboard(dashboardUrl, join(DATA, 'logs', 'dashboard.log'));

  const cli = influxPort ? `influx -port ${influxPort}` : `influx -host <host> -port <port>`;
  const mqttPort = new URL(mqttUrl).port;
  console.log(`
GateWatch is running (Ctrl-C stops everything).

  InfluxDB     ${influxUrl}   database 'gatewatch'
  Mosquitto    ${mqttUrl}
  Edge agents  ${sites.map((s) => s.crossing.id).join(', ')}
               configs ${join(DATA, 'sites')}, logs ${join(DATA, 'logs')}
  Devices      simulated live (ptys under ${join(DATA, 'dev')}, cameras and customs over MQTT);
               ground truth in ${join(DATA, 'truth')}
  Dashboard    ${dashboardUrl}
               public: the corridor and wait estimates, no sign-in; sign in as
${logins.map((l) => `                 ${l.username.padEnd(18)} ${l.password.padEnd(14)} ${l.role === 'officer' ? `officer at ${l.checkpoints!.join(', ')}` : `manager of ${l.region}`}`).join('\n')}
               (kept in ${loginsFile})
  History      ${BACKFILL_DAYS > 0 ? `${BACKFILL_DAYS} days up to now, filling in below while the corridor runs` : 'none (GATEWATCH_BACKFILL_DAYS=0)'}

Look at what the agents write:
  ${cli} -database gatewatch -precision rfc3339 -execute 'SELECT * FROM clearance ORDER BY time DESC LIMIT 10'
  ${cli} -database gatewatch -precision rfc3339 -execute 'SELECT * FROM queue WHERE time > now() - 1m'
  ${cli} -database gatewatch -execute 'SELECT sum(units) FROM agg_1d.clearance_1d GROUP BY checkpoint'
  mosquitto_sub -p ${mqttPort} -t 'gw/v1/+/live/#' -v
`);

  // The history, up to the moment the live simulation took over, while the live corridor runs:
  // the dashboard has today from the first minute and the 14 days behind it soon after.
  if (BACKFILL_DAYS > 0) {
    const historyFrom = localMidnight(liveFrom) - BACKFILL_DAYS * DAY_MS;
    console.log(`History: ${BACKFILL_DAYS} days of the corridor up to ${new Date(liveFrom).toISOString()} into InfluxDB (skipped where already there, completed where an earlier run stopped)…`);
    try {
      const result = await backfill({
        influxUrl,
        ...(influxCredentials ? { credentials: influxCredentials } : {}),
        from: historyFrom,
        to: liveFrom,
        crossings: sites.map(({ crossing, config }, i) => ({
          site: config,
          emissions: (a, b) => deviceEmissions(simulate({ crossing, seed: SEED + i, fromMs: a, toMs: b, drain: false })),
        })),
        onProgress: progressBar(),
      });
      process.stderr.write('\n');
      for (const c of result.crossings) {
        const what = c.skipped ? 'already there' : c.resumedFrom !== undefined ? `completed from ${new Date(c.resumedFrom).toISOString()}: ${c.points} points` : `${c.points} points`;
        console.log(`  ${c.checkpoint.padEnd(16)} ${what}`);
      }
      console.log(`History done in ${Math.round(result.elapsedMs / 1000)} s.`);
    } catch (err) {
      // The live corridor goes on; the next start completes the history from where it stopped.
      console.error(`\nHistory backfill failed (the live corridor goes on; the next start completes it): ${err instanceof Error ? err.message : String(err)}`);
    }
  }

}

main().catch((err: unknown) => {
  // A start-up step that fails because Ctrl-C is stopping the stack (the dashboard stopped
  // while waited for): the stop goes on and exits as it should.
  if (stopping) return;
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  // What did start is stopped in order (the agents drain into a running InfluxDB); the exit hook
  // kills the rest if even that fails.
  if (stopAll) void stopAll(1);
  else process.exit(1);
});
