/**
 * Live latency: an event published → the matching update at a socket.io client of the
 * dashboard server, as an officer's open page gets it. A real edge agent and a real dashboard
 * server, each its own process as at a crossing and at the centre, share the run's broker and
 * database; the client signs in as the crossing's officer and watches it.
 *
 * Each unit is four events published at the run's rate (queue camera, customs decision, gate
 * camera, exit camera); the matching update is the unit's `clearance` record on the socket, and
 * its latency is counted from the publish of the exit event that completes it. The agent holds
 * a unit for its lateness window W after receiving the exit, by design (a late decision or stage
 * may still change the record), and releases it at that moment (features/releaseTicks.ts). The
 * figures compared with the target are latency less W: what the path adds (MQTT to the agent,
 * journal, release, MQTT to the dashboard, socket.io); the latency with W is printed beside them.
 */
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { io as ioClient, type Socket } from 'socket.io-client';
import { stringify } from 'yaml';
import { hashPassword } from '@gatewatch/dashboard';
import { cameraPayload, decisionPayload, isoVietnam, type ClearanceRecord, type ClientToServerEvents, type Point, type ServerToClientEvents } from '@gatewatch/shared';
import { BenchAgent, peakRssBytes, spawnEntry } from './agent.js';
import { nowMs } from './clock.js';
import { agentTopic, benchSite, CHECKPOINT, EVENTS_PER_UNIT, LATENESS_WINDOW_MS } from './endToEnd.js';
import { BenchFailure, connectPublisher } from './mqtt.js';

export const DASHBOARD_MAIN = fileURLToPath(new URL('../../../dashboard/server/dist/main.js', import.meta.url));

const LANES = ['IN-1', 'IN-2', 'OUT-1', 'OUT-2'] as const;
const OFFICER = 'officer.bench';

export interface LatencyRun {
  /** Events per second asked for and as published. */
  rate: number;
  publishedRate: number;
  events: number;
  units: number;
  /** Updates that came (every unit's clearance must, or the run fails). */
  received: number;
  /** Exit event published → clearance at the socket, the lateness hold included. */
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The same less the hold: what the path adds (agent, broker, dashboard, socket.io). */
  beyondHold: { p50Ms: number; p95Ms: number; p99Ms: number; maxMs: number };
  /** The agent's lateness window in the figures (a hold by design, see above). */
  holdMs: number;
}

export interface LatencyResult {
  runs: LatencyRun[];
  /** The dashboard server's peak RSS over the runs (informative). */
  dashboardPeakRssBytes: number;
}

type Client = Socket<ServerToClientEvents, ClientToServerEvents>;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new BenchFailure('no free port'))));
    });
  });
}

/** The dashboard server as deployed: its own process from dashboard/server/dist/main.js. */
class BenchDashboard {
  private child: ChildProcess | undefined;
  private exit: string | undefined;
  readonly url: string;

  constructor(
    private readonly configPath: string,
    readonly logPath: string,
    port: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get pid(): number {
    if (!this.child?.pid || this.exit) throw new BenchFailure(`the dashboard is not running (${this.exit ?? 'not started'}); see ${this.logPath}`);
    return this.child.pid;
  }

  async start(): Promise<void> {
    this.child = spawnEntry(DASHBOARD_MAIN, ['--config', this.configPath], this.logPath, (how) => (this.exit = how));
    // Up once it has the broker: a live record published before that would not reach it.
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (this.exit) throw new BenchFailure(`the dashboard ${this.exit} while starting; see ${this.logPath}`);
      const broker = await fetch(`${this.url}/api/health`)
        .then(async (r) => ((await r.json()) as { broker?: string }).broker)
        .catch(() => undefined);
      if (broker === 'up') return;
      if (Date.now() > deadline) throw new BenchFailure(`the dashboard did not have the broker within 30 s; see ${this.logPath}`);
      await sleep(100);
    }
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || this.exit) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Signs in as the crossing's officer and watches it, as the officer's page does. */
async function officerSocket(base: string, password: string): Promise<Client> {
  const res = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-gatewatch': '1' },
    body: JSON.stringify({ username: OFFICER, password }),
  });
  if (res.status !== 200) throw new BenchFailure(`signing in to the dashboard as ${OFFICER}: HTTP ${res.status} ${await res.text()}`);
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const socket: Client = ioClient(base, { transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { cookie, origin: base } });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (e) => reject(new BenchFailure(`socket.io to the dashboard: ${e.message}`)));
  });
  const reply = await new Promise<{ ok: boolean; error?: string }>((resolve) => socket.emit('watch', CHECKPOINT, resolve));
  if (!reply.ok) throw new BenchFailure(`watching ${CHECKPOINT} on the dashboard: ${reply.error ?? 'refused'}`);
  return socket;
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/**
 * One run: `seconds` of units at `rate` events/s. Events are published on a 5 ms timer, each
 * unit's four together (stamped seconds apart in the recent past, as cameras report), so that
 * the exit's publish time is known to the sub-millisecond.
 */
async function run(opts: { mqttUrl: string; socket: Client; rate: number; seconds: number; tag: string; log: (line: string) => void }): Promise<LatencyRun> {
  const { socket, rate, seconds, tag } = opts;
  const units = Math.max(1, Math.round((rate * seconds) / EVENTS_PER_UNIT));
  const exitAt = new Map<string, number>();
  const latencies: number[] = [];
  const onClearance = (r: ClearanceRecord): void => {
    const sent = exitAt.get(r.unit);
    if (sent === undefined) return;
    exitAt.delete(r.unit);
    latencies.push(nowMs() - sent);
  };
  socket.on('clearance', onClearance);
  const publisher = await connectPublisher(opts.mqttUrl, `gatewatch-bench-latency-${process.pid}-${tag}`);
  let errors = 0;
  const publish = (topic: string, payload: string): void => {
    publisher.client.publish(topic, payload, { qos: 1 }, (e) => {
      if (e) errors++;
    });
  };
  try {
    const t0 = nowMs();
    let sent = 0;
    while (sent < units) {
      const due = Math.min(units, Math.floor(((nowMs() - t0) / 1000) * (rate / EVENTS_PER_UNIT)) + 1);
      for (; sent < due; sent++) {
        const i = sent;
        const lane = LANES[i % LANES.length]!;
        const unit = `${tag}-${String(i).padStart(6, '0')}`;
        const now = Date.now();
        const sighting = (point: Point, ts: number): void =>
          publish(agentTopic(point), cameraPayload({ id: `${tag}${i}-${point[0]}`, ts: isoVietnam(ts), lane, point, unit, kind: 'truck', confidence: 0.97 }));
        sighting('queue', now - 3000);
        publish(agentTopic('decision'), decisionPayload({ id: `${tag}d${i}`, ts: isoVietnam(now - 2500), unit, declaration: `1052${String(i).padStart(8, '0')}`, channel: 'green' }));
        sighting('gate', now - 2000);
        exitAt.set(unit, nowMs());
        sighting('exit', now - 1);
      }
      await sleep(5);
    }
    const publishedSeconds = (nowMs() - t0) / 1000;
    // Every unit's clearance must come; none for 30 s is a failure, not a figure.
    let last = latencies.length;
    let progressAt = Date.now();
    while (latencies.length < units) {
      if (errors > 0) throw new BenchFailure(`live latency at ${rate} events/s: ${errors} publishes failed`);
      if (latencies.length > last) {
        last = latencies.length;
        progressAt = Date.now();
      } else if (Date.now() - progressAt > 30_000) {
        throw new BenchFailure(`live latency at ${rate} events/s: ${units - latencies.length} of ${units} clearances never reached the dashboard's socket`);
      }
      await sleep(50);
    }
    const sorted = [...latencies].sort((a, b) => a - b);
    const events = units * EVENTS_PER_UNIT;
    opts.log(`  live latency at ${rate} events/s: ${units} clearances received, p99 ${percentile(sorted, 99).toFixed(0)} ms`);
    return {
      rate,
      publishedRate: events / publishedSeconds,
      events,
      units,
      received: latencies.length,
      p50Ms: percentile(sorted, 50),
      p95Ms: percentile(sorted, 95),
      p99Ms: percentile(sorted, 99),
      maxMs: sorted.at(-1)!,
      beyondHold: {
        p50Ms: percentile(sorted, 50) - LATENESS_WINDOW_MS,
        p95Ms: percentile(sorted, 95) - LATENESS_WINDOW_MS,
        p99Ms: percentile(sorted, 99) - LATENESS_WINDOW_MS,
        maxMs: sorted.at(-1)! - LATENESS_WINDOW_MS,
      },
      holdMs: LATENESS_WINDOW_MS,
    };
  } finally {
    socket.off('clearance', onClearance);
    await publisher.client.endAsync().catch(() => undefined);
  }
}

/** A fresh agent (its own storage) and a dashboard on the run's broker and database; runs each rate in turn. */
export async function liveLatency(opts: { dir: string; mqttUrl: string; influxUrl: string; rates: readonly number[]; seconds: number; log: (line: string) => void }): Promise<LatencyResult> {
  const dir = join(opts.dir, 'latency');
  mkdirSync(dir, { recursive: true });
  const password = randomBytes(12).toString('base64url');
  writeFileSync(join(dir, 'users.yaml'), stringify({ users: [{ username: OFFICER, displayName: 'Bench officer', role: 'officer', checkpoints: [CHECKPOINT], passwordHash: await hashPassword(password) }] }), { mode: 0o600 });
  const site = benchSite(dir, opts.mqttUrl, opts.influxUrl) as { checkpoint: { id: string; name: object; kind: string }; lanes: { id: string; direction: string }[] };
  const port = await freePort();
  writeFileSync(
    join(dir, 'dashboard.yaml'),
    stringify({
      server: { host: '127.0.0.1', port },
      mqtt: { url: opts.mqttUrl, clientId: `gatewatch-bench-dashboard-${process.pid}` },
      influx: { url: opts.influxUrl, database: 'gatewatch' },
      auth: { usersFile: 'users.yaml' },
      regions: [{ id: 'lao-cai', name: { vi: 'Chi cục Lào Cai', en: 'Lao Cai branch' } }],
      checkpoints: [{ ...site.checkpoint, region: 'lao-cai', lanes: site.lanes.map((l) => ({ id: l.id, direction: l.direction })) }],
      log: { level: 'info' },
    }),
  );
  const agent = new BenchAgent(join(dir, 'site', `${CHECKPOINT}.yaml`), join(dir, 'agent.log'), site);
  const dashboard = new BenchDashboard(join(dir, 'dashboard.yaml'), join(dir, 'dashboard.log'), port);
  let socket: Client | undefined;
  try {
    await dashboard.start();
    await agent.start();
    socket = await officerSocket(dashboard.url, password);
    const runs: LatencyRun[] = [];
    for (const [i, rate] of opts.rates.entries()) {
      opts.log(`bench: live latency, ${rate} events/s for ${opts.seconds} s, event → edge agent → broker → dashboard → socket.io`);
      runs.push(await run({ mqttUrl: opts.mqttUrl, socket, rate, seconds: opts.seconds, tag: `L${i}`, log: opts.log }));
    }
    return { runs, dashboardPeakRssBytes: peakRssBytes(dashboard.pid) };
  } finally {
    socket?.close();
    agent.kill();
    await dashboard.stop();
  }
}
