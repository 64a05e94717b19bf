#!/usr/bin/env node
/**
 * The README's run command: the Lao Cai – Hanoi – Hai Phong corridor on this machine.
 *
 *  1. InfluxDB and Mosquitto under .data/ (or existing ones: GATEWATCH_INFLUX_URL, GATEWATCH_MQTT_URL);
 *  2. the database schema: retention policies and continuous queries;
 *  3. the history: the last 14 days (GATEWATCH_BACKFILL_DAYS; 0 for none) of the three
 *     crossings replayed through the edge code into InfluxDB, skipped when already there;
 *  4. one edge agent per crossing (its own process), reading socat ptys and the broker;
 *  5. the corridor simulator playing every device live, and writing its ground truth.
 * Ctrl-C stops everything.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { parseSiteConfig } from '@gatewatch/edge';
import { applySchema, freePort, SocatPty, startInfluxd, startMosquitto } from '@gatewatch/infra';
import { backfill, progressBar, type DeviceEmission } from './backfill.js';
import { CROSSING_IDS, crossing as crossingById, siteDescription, simulate, truthLine, type Crossing, type SimItem } from './corridor/index.js';
import { LiveDriver } from './liveDriver.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url))); // sim/dist → repo root
const DATA = resolve(process.env.GATEWATCH_DATA_DIR ?? join(ROOT, '.data'));
const DAY_MS = 86_400_000;
const SEED = Number(process.env.GATEWATCH_SEED ?? 20261125);
const BACKFILL_DAYS = Number(process.env.GATEWATCH_BACKFILL_DAYS ?? 14);

async function portOr(preferred: number): Promise<number> {
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => void freePort().then(res));
    s.listen(preferred, '127.0.0.1', () => s.close(() => res(preferred)));
  });
}

/** The device emissions of a simulation, without its truth records. */
function* deviceEmissions(items: Iterable<SimItem>, onTruth?: (item: Extract<SimItem, { kind: 'truth' }>) => void): Iterable<DeviceEmission> {
  for (const item of items) {
    if (item.kind === 'truth') onTruth?.(item);
    else yield item;
  }
}

/** Agents die with this command, also when it fails (its services do too: infra's exit hooks). */
const agents = new Set<ChildProcess>();
process.once('exit', () => {
  for (const a of agents) a.kill('SIGKILL');
});

async function main(): Promise<void> {
  mkdirSync(join(DATA, 'logs'), { recursive: true });
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const stopAll = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      console.log('\nStopping…');
      for (const stop of stops.reverse()) await stop().catch((e: unknown) => console.error(String(e)));
      console.log('Stopped.');
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));

  let influxUrl = process.env.GATEWATCH_INFLUX_URL;
  let influxPort = 0;
  if (!influxUrl) {
    const influxd = await startInfluxd({ dataDir: join(DATA, 'influxdb'), port: await portOr(18086) });
    stops.push(() => influxd.stop());
    influxUrl = influxd.url;
    influxPort = influxd.port;
  }
  await applySchema(influxUrl);
  let mqttUrl = process.env.GATEWATCH_MQTT_URL;
  if (!mqttUrl) {
    const broker = await startMosquitto({ dataDir: join(DATA, 'mosquitto'), port: await portOr(11883) });
    stops.push(() => broker.stop());
    mqttUrl = broker.url;
  }

  const devPath = (c: Crossing, id: string): string => join(DATA, 'dev', c.id, id);
  const sites = CROSSING_IDS.map((id) => crossingById(id)).map((c) => {
    const description = siteDescription(c, (id) => devPath(c, id));
    const site = { ...description, mqtt: { url: mqttUrl }, influx: { url: influxUrl }, storage: { dir: join(DATA, 'edge', c.id) } };
    return { crossing: c, site, config: parseSiteConfig(site, DATA, {}) };
  });

  // History first, so that the dashboard has 14 days behind it from the first minute.
  const now = Date.now();
  if (BACKFILL_DAYS > 0) {
    // From a local (UTC+7) midnight, to the last whole minute.
    const from = Math.floor((now + 7 * 3600_000) / DAY_MS) * DAY_MS - 7 * 3600_000 - BACKFILL_DAYS * DAY_MS;
    const to = Math.floor(now / 60_000) * 60_000;
    console.log(`History: ${BACKFILL_DAYS} days of the corridor into InfluxDB (skipped where already there)…`);
    const result = await backfill({
      influxUrl,
      from,
      to,
      crossings: sites.map(({ crossing, config }, i) => ({
        site: config,
        emissions: (a, b) => deviceEmissions(simulate({ crossing, seed: SEED + i, fromMs: a, toMs: b, drain: false })),
      })),
      onProgress: progressBar(),
    });
    process.stderr.write('\n');
    for (const c of result.crossings) console.log(`  ${c.checkpoint.padEnd(16)} ${c.skipped ? 'already there' : `${c.points} points`}`);
  }

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
    const logPath = join(DATA, 'logs', `edge-${crossing.id}.log`);
    // Own process group: Ctrl-C reaches only this command, which stops the agents first (they
    // drain into a still running InfluxDB), then the services.
    const agent: ChildProcess = spawn(process.execPath, [join(ROOT, 'edge/dist/main.js'), '--config', sitePath], {
      stdio: ['ignore', openSync(logPath, 'a'), openSync(logPath, 'a')],
      detached: true,
    });
    agents.add(agent);
    agent.once('exit', () => agents.delete(agent));
    agent.once('exit', (code, signal) => {
      if (!stopping) {
        console.error(`The edge agent of ${crossing.id} exited (${code ?? signal}); see ${logPath}`);
        void stopAll(1);
      }
    });
    stops.push(async () => {
      if (agent.exitCode !== null) return;
      const exited = new Promise<void>((r) => agent.once('exit', () => r()));
      agent.kill('SIGTERM');
      await exited;
    });
  }
  mkdirSync(join(DATA, 'truth'), { recursive: true });
  const liveFrom = Date.now();
  sites.forEach(({ crossing, config }, i) => {
    const truthPath = join(DATA, 'truth', `${crossing.id}-${new Date(liveFrom).toISOString().slice(0, 19).replace(/:/g, '')}.ndjson`);
    const driver = new LiveDriver({
      mqttUrl: mqttUrl!,
      clientId: `gatewatch-sim-${crossing.id}`,
      serialPaths: Object.fromEntries(config.devices.serial.map((d) => [d.id, `${d.path}.sim`])),
      emissions: deviceEmissions(simulate({ crossing, seed: SEED + 100 + i, fromMs: liveFrom, toMs: Infinity }), (t) =>
        appendFileSync(truthPath, truthLine(t.record)),
      )[Symbol.iterator](),
    });
    driver.start();
    stops.push(() => driver.stop());
  });

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
  Dashboard    not yet (issue 4)

Look at what the agents write:
  ${cli} -database gatewatch -precision rfc3339 -execute 'SELECT * FROM clearance ORDER BY time DESC LIMIT 10'
  ${cli} -database gatewatch -precision rfc3339 -execute 'SELECT * FROM queue WHERE time > now() - 1m'
  ${cli} -database gatewatch -execute 'SELECT sum(units) FROM agg_1d.clearance_1d GROUP BY checkpoint'
  mosquitto_sub -p ${mqttPort} -t 'gw/v1/+/live/#' -v
`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
