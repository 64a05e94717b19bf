/**
 * MQTT side of the benchmark: a QoS 1 publisher that keeps a window of messages in flight (the
 * raw limit and the end-to-end run publish through it alike), and the raw limit itself:
 * publish → subscribe through the broker to a plain MQTT.js subscriber in its own process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import mqtt, { type MqttClient } from 'mqtt';
import { nowMs, type SubscriberMessage } from './clock.js';

export interface Message {
  topic: string;
  payload: Buffer;
}

export class BenchFailure extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BenchFailure';
  }
}

/** No acknowledgement nor delivery for this long: the broker or the consumer is stuck. */
export const STALL_MS = 30_000;

export interface Published {
  /** When the first message was handed to the client. */
  startedAtMs: number;
  /** When the broker acknowledged the last one. */
  ackedAtMs: number;
}

/**
 * Publishes every message at QoS 1, in order, with at most `window` unacknowledged: as fast
 * as the broker takes them. Rejects on a publish error or when no PUBACK came for STALL_MS.
 */
export function publishWindowed(client: MqttClient, messages: readonly Message[], window: number, what: string): Promise<Published> {
  return new Promise((resolve, reject) => {
    let next = 0;
    let inflight = 0;
    let acked = 0;
    let lastAckAt = Date.now();
    let settled = false;
    const startedAtMs = nowMs();
    const finish = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      if (error) reject(error);
      else resolve({ startedAtMs, ackedAtMs: nowMs() });
    };
    const watchdog = setInterval(() => {
      if (Date.now() - lastAckAt > STALL_MS) {
        finish(new BenchFailure(`${what}: the broker acknowledged ${acked} of ${messages.length} messages, then none for ${STALL_MS / 1000} s`));
      }
    }, 1000);
    const pump = (): void => {
      while (!settled && next < messages.length && inflight < window) {
        const index = next++;
        const m = messages[index]!;
        inflight++;
        client.publish(m.topic, m.payload, { qos: 1 }, (error) => {
          inflight--;
          if (error) return finish(new BenchFailure(`${what}: publishing message ${index} on ${m.topic} failed: ${error.message}`));
          lastAckAt = Date.now();
          if (++acked === messages.length) finish();
          else pump();
        });
      }
    };
    if (messages.length === 0) finish(new BenchFailure(`${what}: nothing to publish`));
    else pump();
  });
}

/** Connects a publisher; `connects` counts connections (more than 1: the broker dropped it). */
export async function connectPublisher(url: string, clientId: string): Promise<{ client: MqttClient; connects: () => number }> {
  const client = await mqtt.connectAsync(url, { clientId, clean: true, reconnectPeriod: 1000 });
  let connects = 1;
  client.on('connect', () => connects++);
  return { client, connects: () => connects };
}

const SUBSCRIBER = fileURLToPath(new URL('./subscriber.js', import.meta.url));

/** The subscriber process (subscriber.ts), driven over its IPC channel. */
class SubscriberProcess {
  /** The latest message of each type (a progress report must not hide the 'done' before it). */
  private readonly latest = new Map<SubscriberMessage['type'], SubscriberMessage>();
  private count = 0;
  private progressAt = Date.now();
  private exited: string | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(private readonly child: ChildProcess) {
    child.on('message', (m: SubscriberMessage) => {
      if ('count' in m && m.count > this.count) {
        this.count = m.count;
        this.progressAt = Date.now();
      }
      this.latest.set(m.type, m);
      for (const w of this.waiters) w();
    });
    child.once('exit', (code, signal) => {
      this.exited = `exited (${code ?? signal})`;
      for (const w of this.waiters) w();
    });
  }

  static async start(url: string, filter: string, expected: number): Promise<SubscriberProcess> {
    const child = fork(SUBSCRIBER, [url, filter, String(expected)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    live.add(child);
    child.once('exit', () => live.delete(child));
    const p = new SubscriberProcess(child);
    await p.until('ready', 15_000, 'the raw subscriber to subscribe');
    return p;
  }

  /** Waits for a message of `type`; fails when the process exits, or after stallMs (from now) without a new message counted. */
  until<T extends SubscriberMessage['type']>(type: T, stallMs: number, what: string): Promise<Extract<SubscriberMessage, { type: T }>> {
    const since = Date.now();
    return new Promise((resolve, reject) => {
      const check = (): void => {
        const m = this.latest.get(type);
        if (m) return done(() => resolve(m as Extract<SubscriberMessage, { type: T }>));
        if (this.exited) return done(() => reject(new BenchFailure(`waiting for ${what}: the subscriber process ${this.exited}`)));
        if (Date.now() - Math.max(this.progressAt, since) > stallMs) {
          done(() => reject(new BenchFailure(`waiting for ${what}: the subscriber got ${this.count} messages, then none for ${stallMs / 1000} s`)));
        }
      };
      const timer = setInterval(check, 250);
      const done = (f: () => void): void => {
        clearInterval(timer);
        this.waiters.delete(check);
        f();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Ends the subscriber; resolves with the messages it got in all (repeats included). */
  async stop(): Promise<{ count: number; connects: number }> {
    if (this.exited) throw new BenchFailure(`the raw subscriber ${this.exited} before it was stopped`);
    this.child.send('stop');
    const m = await this.until('stopped', 10_000, 'the raw subscriber to stop');
    return { count: m.count, connects: m.connects };
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL');
  }
}

/** Child processes of the benchmark die with it, also when it fails. */
export const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface RawMqttResult {
  messages: number;
  window: number;
  payloadBytes: number;
  /** Publish → subscribe, messages/s: first publish to the subscriber's last message. */
  messagesPerS: number;
  seconds: number;
  /** Publish → broker acknowledgement only, messages/s (informative). */
  ackedPerS: number;
  /** Messages the subscriber got in all: exactly those sent, or the run fails. */
  received: number;
  reconnects: number;
}

/**
 * The broker's raw QoS 1 limit: `messages` (the end-to-end run's own payloads, on other topics)
 * from one publisher to one subscriber in another process. Fails when any message is lost.
 */
export async function rawMqttLimit(url: string, messages: readonly Message[], window: number): Promise<RawMqttResult> {
  const subscriber = await SubscriberProcess.start(url, 'bench/raw/#', messages.length);
  const publisher = await connectPublisher(url, `gatewatch-bench-pub-raw-${process.pid}`);
  try {
    const published = await publishWindowed(publisher.client, messages, window, 'raw MQTT limit');
    const done = await subscriber.until('done', STALL_MS, `all ${messages.length} raw messages at the subscriber`);
    const stopped = await subscriber.stop();
    // More than sent: QoS 1 repeated some (only across a reconnect); the figure would be off.
    if (stopped.count !== messages.length) throw new BenchFailure(`raw MQTT limit: the subscriber got ${stopped.count} messages of ${messages.length} sent`);
    const seconds = (done.lastAtMs - published.startedAtMs) / 1000;
    return {
      messages: messages.length,
      window,
      payloadBytes: Math.round(messages.reduce((a, m) => a + m.payload.length, 0) / messages.length),
      messagesPerS: messages.length / seconds,
      seconds,
      ackedPerS: messages.length / ((published.ackedAtMs - published.startedAtMs) / 1000),
      received: stopped.count,
      reconnects: stopped.connects - 1 + publisher.connects() - 1,
    };
  } finally {
    subscriber.kill();
    await publisher.client.endAsync().catch(() => undefined);
  }
}
