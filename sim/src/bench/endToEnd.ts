/**
 * End to end: camera and customs decision events published at QoS 1 as fast as the broker
 * takes them, through a real edge agent process, until every clearance they make is in
 * InfluxDB. Each unit is four events (queue camera, decision, gate camera, exit camera) and one
 * `clearance` point; a run that does not get every point within the stall timeout fails.
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import { cameraPayload, decisionPayload, isoVietnam, topics, type Channel, type Point } from '@gatewatch/shared';
import { BenchAgent, cpuSeconds, peakRssBytes, rssBytes, type StoppedLine } from './agent.js';
import { nowMs } from './clock.js';
import { BenchFailure, connectPublisher, publishWindowed, STALL_MS, type Message } from './mqtt.js';

export const CHECKPOINT = 'kim-thanh-road';
const LANES = ['IN-1', 'IN-2', 'OUT-1', 'OUT-2'] as const;
const CAMERAS: Record<Point, string> = { queue: 'cam-q', gate: 'cam-g', exit: 'cam-x' };
const CHANNELS: readonly Channel[] = ['green', 'green', 'green', 'yellow', 'green', 'red', 'green', 'yellow'];
export const EVENTS_PER_UNIT = 4;

/**
 * The events of `units` trucks, oldest first, stamped in the recent past before `now` (the
 * agent releases a unit a lateness window after it received its exit, whatever its stamps).
 * Exits are 10 ms apart and strictly increasing, so that every clearance is its own point.
 */
export function unitEvents(units: number, now: number, topicOf: (point: Point | 'decision') => string): Message[] {
  const base = now - units * 10 - 200_000;
  const out: Message[] = [];
  const msg = (topic: string, payload: string): void => void out.push({ topic, payload: Buffer.from(payload) });
  for (let i = 0; i < units; i++) {
    const lane = LANES[i % LANES.length]!;
    const unit = `29C-${String(i).padStart(6, '0')}`;
    const q = base + i * 10;
    const g = q + 45_000 + (i % 11) * 1000;
    const x = base + 120_000 + i * 10 + 5;
    const sighting = (point: Point, ts: number): void =>
      msg(topicOf(point), cameraPayload({ id: `b${i}-${point[0]}`, ts: isoVietnam(ts), lane, point, unit, kind: 'truck', confidence: 0.97 }));
    sighting('queue', q);
    msg(topicOf('decision'), decisionPayload({ id: `d${i}`, ts: isoVietnam(g - 5000), unit, declaration: `1051${String(i).padStart(8, '0')}`, channel: CHANNELS[i % CHANNELS.length]! }));
    sighting('gate', g);
    sighting('exit', x);
  }
  return out;
}

/** The agent's own topics: its cameras and the customs feed of the crossing. */
export const agentTopic = (point: Point | 'decision'): string => (point === 'decision' ? topics.decision(CHECKPOINT) : topics.camera(CHECKPOINT, CAMERAS[point]));

/**
 * Lateness window of the benchmark's agent. The agent holds a unit this long after receiving
 * its exit; at the end of the run that hold is latency, not throughput, and the production
 * default (5 s) would be a fixed part of every run's duration. Everything else is the default.
 */
export const LATENESS_WINDOW_MS = 1000;

export function benchSite(dir: string, mqttUrl: string, influxUrl: string): object {
  return {
    checkpoint: { id: CHECKPOINT, name: { vi: 'Cửa khẩu Kim Thành', en: 'Kim Thanh border gate' }, kind: 'road' },
    lanes: LANES.map((id) => ({ id, direction: id.startsWith('IN') ? 'inbound' : 'outbound', exitOrder: 'any' })),
    devices: { serial: [], cameras: Object.values(CAMERAS).map((id) => ({ id })) },
    mqtt: { url: mqttUrl },
    influx: { url: influxUrl },
    storage: { dir: join(dir, 'edge') },
    clearance: { latenessWindowMs: LATENESS_WINDOW_MS },
    log: { level: 'info' },
  };
}

export interface EndToEndResult {
  events: number;
  units: number;
  window: number;
  /** Events sent over the seconds from the first publish to every clearance in InfluxDB. */
  eventsPerS: number;
  seconds: number;
  /** Seconds from the first publish to the broker's last acknowledgement (informative). */
  publishSeconds: number;
  /** Seconds from the broker's last acknowledgement to the last clearance in InfluxDB. */
  tailSeconds: number;
  clearancePoints: number;
  /** What the agent counted on its way out ('agent stopped'). */
  agentInputs: number;
  agentDuplicates: number;
  agentReleased: number;
  /** The agent's RSS once running and subscribed, before the first event. */
  rssAtStartBytes: number;
  peakRssBytes: number;
  cpuSeconds: number;
  cpuSecondsPer10kEvents: number;
  reconnects: number;
  /** Samples while waiting, from the first publish: clearances in InfluxDB, the agent's CPU seconds and RSS. */
  timeline: { s: number; clearances: number; agentCpuS: number; agentRssMB: number }[];
}

async function clearanceCount(influxUrl: string): Promise<number> {
  const params = new URLSearchParams({ q: 'SELECT count(unit) FROM clearance', db: 'gatewatch' });
  const res = await fetch(`${influxUrl}/query?${params}`);
  if (!res.ok) throw new BenchFailure(`counting clearances in InfluxDB at ${influxUrl}: HTTP ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { results: { series?: { values: unknown[][] }[]; error?: string }[] };
  const r = body.results[0];
  if (r?.error) throw new BenchFailure(`counting clearances in InfluxDB at ${influxUrl}: ${r.error}`);
  const v = r?.series?.[0]?.values[0]?.[1];
  return typeof v === 'number' ? v : 0;
}

/** Waits until the agent's retained status says online: its subscription is in place then (below). */
async function agentSubscribed(mqttUrl: string, logPath: string): Promise<void> {
  // The agent subscribes, then publishes 'online', on the same connection: once the broker has
  // that status, it has processed the subscription before it, and no event published from now
  // on can be missed (a message published before it would be, with no session to queue it).
  const watcher = await mqtt.connectAsync(mqttUrl, { clientId: `gatewatch-bench-status-${process.pid}` });
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new BenchFailure(`the edge agent did not say 'online' on ${topics.status(CHECKPOINT)} within 30 s; see ${logPath}`)), 30_000);
      watcher.on('message', (_topic, payload) => {
        if (payload.toString() === 'online') {
          clearTimeout(timer);
          resolve();
        }
      });
      watcher.subscribe(topics.status(CHECKPOINT), { qos: 1 });
    });
  } finally {
    await watcher.endAsync();
  }
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));

export async function endToEnd(opts: { dir: string; mqttUrl: string; influxUrl: string; units: number; window: number; log: (line: string) => void }): Promise<EndToEndResult> {
  const { dir, mqttUrl, influxUrl, units, window, log } = opts;
  const messages = unitEvents(units, Date.now(), agentTopic);
  const agent = new BenchAgent(join(dir, 'site', `${CHECKPOINT}.yaml`), join(dir, 'agent.log'), benchSite(dir, mqttUrl, influxUrl));
  let publisher: Awaited<ReturnType<typeof connectPublisher>> | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let stopWaiting = false;
  try {
    await agent.start();
    await agentSubscribed(mqttUrl, agent.logPath);
    publisher = await connectPublisher(mqttUrl, `gatewatch-bench-devices-${process.pid}`);
    const pid = agent.pid;
    const rssAtStart = rssBytes(pid);
    const cpuBefore = cpuSeconds(pid);
    const timeline: EndToEndResult['timeline'] = [];
    // Sampled while publishing too: the agent takes events from the first one on.
    const sample = (clearances: number): void => {
      if (!agent.running) return;
      timeline.push({
        s: round((nowMs() - published0) / 1000, 2),
        clearances,
        agentCpuS: round(cpuSeconds(pid) - cpuBefore, 2),
        agentRssMB: round(rssBytes(pid) / 1e6, 1),
      });
    };
    let lastCount = 0;
    /** Resolves when every clearance is in InfluxDB; fails once none new came for STALL_MS. */
    const allClearances = async (): Promise<number> => {
      let progressAt = Date.now();
      while (!stopWaiting) {
        agent.checkAlive();
        const n = await clearanceCount(influxUrl);
        if (n > units) throw new BenchFailure(`end to end: ${n} clearances in InfluxDB for ${units} units sent`);
        if (n === units) {
          const at = nowMs();
          clearInterval(sampler);
          lastCount = n;
          sample(n);
          return at;
        }
        if (n > lastCount) {
          lastCount = n;
          progressAt = Date.now();
        } else if (Date.now() - progressAt > STALL_MS) {
          throw new BenchFailure(`end to end: ${units - n} of ${units} clearances missing in InfluxDB, none new for ${STALL_MS / 1000} s; see ${agent.logPath}`);
        }
        await sleep(100);
      }
      throw new BenchFailure('end to end: stopped waiting for the clearances');
    };
    const published0 = nowMs();
    sampler = setInterval(() => {
      try {
        sample(lastCount);
      } catch {
        // The agent exited between the check and the read of /proc: checkAlive() reports it.
      }
    }, 250);
    // Counted from the first publish on: the first units are released while the rest are sent.
    const arrival = allClearances();
    arrival.catch(() => undefined); // awaited below; a failed publish must not leave it unhandled
    const published = await publishWindowed(publisher.client, messages, window, 'end to end');
    log(`  end to end: ${messages.length} events acknowledged by the broker in ${((published.ackedAtMs - published.startedAtMs) / 1000).toFixed(1)} s; waiting for ${units} clearances in InfluxDB`);
    const doneAtMs = await arrival;
    const cpu = cpuSeconds(pid) - cpuBefore;
    const rss = peakRssBytes(pid);
    const reconnects = publisher.connects() - 1;
    await publisher.client.endAsync();
    publisher = undefined;
    const stopped: StoppedLine = await agent.stop();
    // Nothing more after the drain: each clearance exactly once.
    const after = await clearanceCount(influxUrl);
    if (after !== units) throw new BenchFailure(`end to end: ${after} clearances in InfluxDB after the agent stopped, ${units} expected`);
    if (stopped.core.inputs + stopped.core.duplicates !== messages.length) {
      throw new BenchFailure(`end to end: the agent took ${stopped.core.inputs} inputs and ${stopped.core.duplicates} repeats of the ${messages.length} events sent; see ${agent.logPath}`);
    }
    const seconds = (doneAtMs - published.startedAtMs) / 1000;
    return {
      events: messages.length,
      units,
      window,
      eventsPerS: messages.length / seconds,
      seconds,
      publishSeconds: (published.ackedAtMs - published.startedAtMs) / 1000,
      tailSeconds: (doneAtMs - published.ackedAtMs) / 1000,
      clearancePoints: after,
      agentInputs: stopped.core.inputs,
      agentDuplicates: stopped.core.duplicates,
      agentReleased: stopped.core.released,
      rssAtStartBytes: rssAtStart,
      peakRssBytes: rss,
      cpuSeconds: cpu,
      cpuSecondsPer10kEvents: (cpu / messages.length) * 10_000,
      reconnects,
      timeline,
    };
  } finally {
    stopWaiting = true;
    clearInterval(sampler);
    await publisher?.client.endAsync().catch(() => undefined);
    agent.kill();
  }
}
