/**
 * One crossing's stack for end-to-end tests: a private influxd and mosquitto, socat ptys for
 * the serial devices, and the edge agent as its own process, all under a temporary folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import { SocatPty, startInfluxd, startMosquitto, type Influxd, type Mosquitto } from '@gatewatch/infra';
import { AgentProcess } from '../harness/agentProcess.js';
import { CAM, CHECKPOINT, type Step } from './scenario.js';

export const SERIAL_PORTS = ['gate-ctl', 'scanner-IN-1', 'weighbridge-IN-1'] as const;

export interface Stack {
  dir: string;
  influxd: Influxd;
  broker: Mosquitto;
  agent: AgentProcess;
  ptys: Map<string, SocatPty>;
  /** Plays steps in order; serial steps are skipped when `serial` is false. */
  play(steps: readonly Step[]): Promise<void>;
  /** All clearance points, time as RFC 3339 with nanoseconds. */
  clearances(): Promise<ClearanceRow[]>;
  close(): Promise<void>;
}

export interface ClearanceRow {
  time: string;
  checkpoint: string;
  lane: string;
  kind: string;
  channel: string;
  outcome: string;
  unit: string;
  wait_s: number | null;
  process_s: number | null;
  total_s: number | null;
  weight_kg: number | null;
}

export interface StackOptions {
  name: string;
  serial: boolean;
  latenessWindowMs?: number;
  queueIntervalMs?: number;
  /** `storage.outboxMaxPoints` of the agent (default: the agent's own). */
  outboxMaxPoints?: number;
  /** InfluxDB is stopped before the agent starts: the agent never reaches it until the test starts it. */
  influxDown?: boolean;
}

export async function startStack(opts: StackOptions): Promise<Stack> {
  const dir = mkdtempSync(join(tmpdir(), `gw-${opts.name}-`));
  // What started so far is stopped again if a later step fails (afterAll has no stack then).
  const started: { stop(): Promise<unknown> }[] = [];
  try {
    return await buildStack(opts, dir, started);
  } catch (error) {
    for (const s of started.reverse()) await s.stop().catch(() => undefined);
    throw error;
  }
}

async function buildStack(opts: StackOptions, dir: string, started: { stop(): Promise<unknown> }[]): Promise<Stack> {
  const influxd = await startInfluxd({ dataDir: join(dir, 'influxdb') });
  started.push(influxd);
  const broker = await startMosquitto({ dataDir: join(dir, 'mosquitto') });
  started.push(broker);
  const ptys = new Map<string, SocatPty>();
  if (opts.serial) {
    for (const id of SERIAL_PORTS) {
      const pty = new SocatPty(join(dir, 'dev', id), join(dir, 'dev', `${id}.sim`));
      await pty.start();
      started.push(pty);
      ptys.set(id, pty);
    }
  }
  const site = {
    checkpoint: { id: CHECKPOINT, name: { vi: 'Cửa khẩu Kim Thành', en: 'Kim Thanh border gate' }, kind: 'road' },
    lanes: [
      { id: 'IN-1', direction: 'inbound' },
      { id: 'IN-2', direction: 'inbound' },
    ],
    devices: {
      serial: opts.serial
        ? [
            { id: 'gate-ctl', kind: 'gate-controller', path: join(dir, 'dev', 'gate-ctl') },
            { id: 'scanner-IN-1', kind: 'scanner', path: join(dir, 'dev', 'scanner-IN-1'), lane: 'IN-1' },
            { id: 'weighbridge-IN-1', kind: 'weighbridge', path: join(dir, 'dev', 'weighbridge-IN-1'), lane: 'IN-1' },
          ]
        : [],
      cameras: Object.values(CAM).map((id) => ({ id })),
    },
    mqtt: { url: broker.url },
    influx: { url: influxd.url },
    storage: { dir: join(dir, 'edge'), ...(opts.outboxMaxPoints === undefined ? {} : { outboxMaxPoints: opts.outboxMaxPoints }) },
    clearance: { latenessWindowMs: opts.latenessWindowMs ?? 2000, queueIntervalMs: opts.queueIntervalMs ?? 2000, deviceIntervalMs: 2000 },
    log: { level: 'debug' },
  };
  const agent = new AgentProcess(join(dir, 'site', `${CHECKPOINT}.yaml`), site);
  started.push(agent);
  if (opts.influxDown) await influxd.service.stop();
  await agent.start();

  const client: MqttClient = await mqtt.connectAsync(broker.url, { clientId: `test-devices-${opts.name}`, reconnectPeriod: 200 });

  return {
    dir,
    influxd,
    broker,
    agent,
    ptys,
    async play(steps) {
      for (const step of steps) {
        if (step.kind === 'pause') await sleep(step.ms);
        else if (step.kind === 'mqtt') await client.publishAsync(step.topic, step.payload, { qos: 1 });
        // Opened per write, like a device that is plugged in: survives an unplug and replug
        // of the pty (socat keeps running when this end closes).
        else if (opts.serial) await appendFile(join(dir, 'dev', `${step.port}.sim`), step.bytes);
      }
    },
    async clearances() {
      const params = new URLSearchParams({ q: 'SELECT * FROM clearance', db: 'gatewatch' });
      const res = await fetch(`${influxd.url}/query?${params}`);
      const body = (await res.json()) as { results: { series?: { columns: string[]; values: unknown[][] }[] }[] };
      const series = body.results[0]?.series?.[0];
      if (!series) return [];
      return series.values.map((row) => Object.fromEntries(series.columns.map((c, i) => [c, row[i]])) as unknown as ClearanceRow);
    },
    async close() {
      await client.endAsync().catch(() => undefined);
      await agent.stop().catch(() => undefined);
      for (const pty of ptys.values()) await pty.stop();
      await broker.stop();
      await influxd.stop();
      if (!process.env.GATEWATCH_KEEP_TEST_DATA) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** ms → RFC 3339 as InfluxDB prints it (trailing zeros of the fraction dropped). */
export function rfc3339(ms: number, nudgeNs = 0): string {
  const iso = new Date(ms).toISOString();
  const frac = (String(ms % 1000).padStart(3, '0') + String(nudgeNs).padStart(6, '0')).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? `.${frac}` : ''}Z`;
}
