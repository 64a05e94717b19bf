#!/usr/bin/env node
/**
 * The README's run command: a local InfluxDB and Mosquitto under .data/, the edge agent of
 * Kim Thanh road border gate reading simulated devices (socat ptys and MQTT), until Ctrl-C.
 *
 *   GATEWATCH_INFLUX_URL=http://host:8086 GATEWATCH_MQTT_URL=mqtt://host:1883 npm start
 * points the agent at an existing InfluxDB and broker instead of starting local ones.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { applySchema, freePort, SocatPty, startInfluxd, startMosquitto, type Influxd, type Mosquitto } from '@gatewatch/infra';
import { SmallSimulator } from './smallSim.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));  // sim/dist → repo root
const DATA = resolve(process.env.GATEWATCH_DATA_DIR ?? join(ROOT, '.data'));
const CHECKPOINT = 'kim-thanh-road';
const LANES = ['IN-1', 'IN-2'] as const;

async function portOr(preferred: number): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((res) => {
    const s = createServer();
    s.once('error', () => void freePort().then(res));
    s.listen(preferred, '127.0.0.1', () => s.close(() => res(preferred)));
  });
}

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
    const influxd: Influxd = await startInfluxd({ dataDir: join(DATA, 'influxdb'), port: await portOr(18086) });
    stops.push(() => influxd.stop());
    influxUrl = influxd.url;
    influxPort = influxd.port;
  }
  // Retention policies and continuous queries before any agent writes (idempotent).
  const schema = await applySchema(influxUrl);
  if (schema.changed) console.log(`InfluxDB schema applied to database '${schema.database}'.`);

  let mqttUrl = process.env.GATEWATCH_MQTT_URL;
  if (!mqttUrl) {
    const broker: Mosquitto = await startMosquitto({ dataDir: join(DATA, 'mosquitto'), port: await portOr(11883) });
    stops.push(() => broker.stop());
    mqttUrl = broker.url;
  }

  // Serial devices: one gate controller for the site, a scanner and a weighbridge per inbound lane.
  const dev = join(DATA, 'dev');
  const ptys = new Map<string, SocatPty>();
  const add = (id: string): SocatPty => {
    const pty = new SocatPty(join(dev, id), join(dev, `${id}.sim`));
    ptys.set(id, pty);
    return pty;
  };
  add('gate-ctl');
  for (const lane of LANES) {
    add(`scanner-${lane}`);
    add(`weighbridge-${lane}`);
  }
  for (const pty of ptys.values()) await pty.start();
  stops.push(async () => {
    for (const pty of ptys.values()) await pty.stop();
  });

  const site = {
    checkpoint: {
      id: CHECKPOINT,
      name: { vi: 'Cửa khẩu quốc tế đường bộ số II Kim Thành', en: 'Kim Thanh International Road Border Gate' },
      kind: 'road',
    },
    lanes: LANES.map((id) => ({ id, direction: 'inbound', defaultServiceS: 90 })),
    devices: {
      serial: [
        { id: 'gate-ctl', kind: 'gate-controller', path: join(dev, 'gate-ctl') },
        ...LANES.flatMap((lane) => [
          { id: `scanner-${lane}`, kind: 'scanner', path: join(dev, `scanner-${lane}`), lane },
          { id: `weighbridge-${lane}`, kind: 'weighbridge', path: join(dev, `weighbridge-${lane}`), lane },
        ]),
      ],
      cameras: [{ id: 'cam-q' }, { id: 'cam-g' }, { id: 'cam-x' }],
    },
    mqtt: { url: mqttUrl },
    influx: { url: influxUrl },
    storage: { dir: join(DATA, 'edge', CHECKPOINT) },
  };
  const sitePath = join(DATA, 'sites', `${CHECKPOINT}.yaml`);
  mkdirSync(join(DATA, 'sites'), { recursive: true });
  writeFileSync(sitePath, `# Written by the run command for the simulated devices under ${dev}\n${stringify(site)}`);

  const logPath = join(DATA, 'logs', `edge-${CHECKPOINT}.log`);
  const logFd = openSync(logPath, 'a');
  const agent: ChildProcess = spawn(process.execPath, [join(ROOT, 'edge/dist/main.js'), '--config', sitePath], {
    stdio: ['ignore', logFd, logFd],
  });
  agent.once('exit', (code, signal) => {
    if (!stopping) {
      console.error(`The edge agent exited (${code ?? signal}); see ${logPath}`);
      void stopAll(1);
    }
  });
  stops.push(async () => {
    if (agent.exitCode !== null) return;
    const exited = new Promise<void>((r) => agent.once('exit', () => r()));
    agent.kill('SIGTERM');
    await exited;
  });

  const sim = new SmallSimulator({
    checkpoint: CHECKPOINT,
    mqttUrl,
    lanes: LANES,
    gateControllerPath: join(dev, 'gate-ctl.sim'),
    scannerPaths: Object.fromEntries(LANES.map((l) => [l, join(dev, `scanner-${l}.sim`)])),
    weighbridgePaths: Object.fromEntries(LANES.map((l) => [l, join(dev, `weighbridge-${l}.sim`)])),
    cameras: { queue: 'cam-q', gate: 'cam-g', exit: 'cam-x' },
    seed: Number(process.env.GATEWATCH_SEED ?? 20261125),
    meanArrivalS: 20,
    serviceS: { green: 15, yellow: 45, red: 120 },
  });
  sim.start();
  stops.push(() => sim.stop());

  const influxCli = influxPort ? `influx -port ${influxPort}` : `influx -host <host> -port <port>`;
  console.log(`
GateWatch is running (Ctrl-C stops everything).

  InfluxDB     ${influxUrl}   database 'gatewatch'
  Mosquitto    ${mqttUrl}
  Edge agent   ${CHECKPOINT}, config ${sitePath}
               log ${logPath}
  Devices      simulated: gate controller, scanners and weighbridges on ptys under ${dev};
               cameras and customs decisions over MQTT
  Dashboard    not yet (issue 4)

Look at what the agent writes:
  ${influxCli} -database gatewatch -precision rfc3339 -execute 'SELECT * FROM clearance ORDER BY time DESC LIMIT 10'
  ${influxCli} -database gatewatch -precision rfc3339 -execute 'SELECT * FROM queue ORDER BY time DESC LIMIT 6'
  mosquitto_sub -p ${new URL(mqttUrl).port} -t 'gw/v1/${CHECKPOINT}/live/#' -v
`);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
