/**
 * The agent's one MQTT connection: device inputs in (cameras, customs decisions), live records
 * and the retained status out.
 *
 * Durability: the agent keeps a persistent session (fixed client id, clean: false, MQTT 3.1.1,
 * where the broker keeps the session until persistent_client_expiration) and acknowledges a
 * QoS 1 message only once its effect is on disk. MQTT.js sends the PUBACK from the callback of
 * `handleMessage`, so `onMessage` must return only after the message is journaled: it is
 * synchronous (a write(2) to the journal). A message whose handling fails is not acknowledged;
 * the broker delivers it again after the next reconnect.
 */
import mqtt, { type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { topics } from '@gatewatch/shared';
import type { EventBus } from '../eventBus.js';
import type { SiteConfig } from '../config/types.js';
import { RateLimitedLog, type Log } from '../log.js';

export interface MqttLinkDeps {
  config: SiteConfig['mqtt'];
  checkpoint: string;
  log: Log;
  bus: EventBus;
  /** Called once per delivered message; returns once its effect is on disk. May throw: then no ack. */
  onMessage(topic: string, payload: Buffer): void;
  /** The agent's clock (default Date.now): upForMs compares with times on it. */
  now?: () => number;
}

export interface MqttLinkStats {
  connected: boolean;
  connects: number;
  received: number;
  handlerFailures: number;
  /** Live records not sent because the broker was not taking our writes fast enough (QoS 0). */
  liveDropped: number;
}

/**
 * Live records (QoS 0) are dropped while this much is already waiting in the connection's
 * write buffer: when the broker reads slower than the agent writes (a burst of thousands of
 * inputs a second), the records piled up there without bound (10 MB and more in the benchmark),
 * PUBACKs waiting behind them. The same records are in the outbox for InfluxDB.
 */
export const LIVE_WRITE_BUFFER_BYTES = 256 * 1024;

export class MqttLink {
  private client: MqttClient | undefined;
  private upSince: number | undefined;
  private readonly counters = { connects: 0, received: 0, handlerFailures: 0, liveDropped: 0 };

  /** One warning a minute at most while live records are dropped (the count is in stats()). */
  private readonly dropLog: RateLimitedLog;

  constructor(private readonly deps: MqttLinkDeps) {
    this.dropLog = new RateLimitedLog(deps.log, 1);
  }

  /** Connects in the background; the agent runs (and buffers to disk) while the broker is away. */
  start(): void {
    const { config, checkpoint, log, bus } = this.deps;
    const status = topics.status(checkpoint);
    const options: IClientOptions = {
      clientId: config.clientId,
      clean: false,
      protocolVersion: 4,
      keepalive: config.keepaliveS,
      reconnectPeriod: 1000,
      connectTimeout: 10_000,
      // Live records are published at QoS 0; while the broker is away they are dropped rather
      // than queued in memory without bound (the same records are in the outbox for InfluxDB).
      queueQoSZero: false,
      will: { topic: status, payload: Buffer.from('offline'), qos: 1, retain: true },
    };
    if (config.credentials.username !== undefined) options.username = config.credentials.username;
    if (config.credentials.password !== undefined) options.password = config.credentials.password;
    // The crossing's broker CA only: a broker whose certificate it did not sign is refused.
    if (config.ca !== undefined) Object.assign(options, { ca: config.ca, rejectUnauthorized: true });
    // MQTT.js logs through `debug` a dozen times per packet; even switched off, those calls were
    // 2–3 % of the agent's CPU under load. Kept when DEBUG is set, to debug the client.
    if (!process.env.DEBUG) options.log = () => undefined;
    const client = mqtt.connect(config.url, options);
    this.client = client;

    client.handleMessage = (packet: IPublishPacket, callback) => {
      this.counters.received++;
      try {
        this.deps.onMessage(packet.topic, packet.payload as Buffer);
      } catch (error) {
        this.counters.handlerFailures++;
        log.error({ err: error, topic: packet.topic }, 'message not journaled; left unacknowledged for redelivery');
        // Without a callback the PUBACK is never sent; the broker redelivers after reconnect.
        client.stream.destroy();
        return;
      }
      callback();
    };

    client.on('connect', (connack) => {
      this.counters.connects++;
      this.upSince = (this.deps.now ?? Date.now)();
      log.info({ url: config.url, sessionPresent: connack.sessionPresent }, 'broker connected');
      client.subscribe([topics.allCameras(checkpoint), topics.decision(checkpoint)], { qos: 1 }, (err) => {
        if (err) log.error({ err }, 'subscribe failed');
      });
      client.publish(status, 'online', { qos: 1, retain: true });
      bus.emit('link', 'mqtt', 'up');
    });
    client.on('offline', () => bus.emit('link', 'mqtt', 'down', 'offline'));
    client.on('close', () => {
      this.upSince = undefined;
      log.debug('broker connection closed');
    });
    client.on('error', (err) => {
      log.warn({ err: err.message }, 'broker error');
      bus.emit('link', 'mqtt', 'down', err.message);
    });
  }

  get connected(): boolean {
    return this.client?.connected ?? false;
  }

  /** Milliseconds (agent time, as `now`) the current connection has been up; undefined while disconnected. */
  upForMs(now: number): number | undefined {
    return this.connected && this.upSince !== undefined ? now - this.upSince : undefined;
  }

  /** Fire-and-forget live record; dropped while the broker is away or not keeping up. */
  publishLive(topic: string, record: unknown, opts: { retain?: boolean } = {}): void {
    const client = this.client;
    if (!client?.connected) return;
    if ((client.stream?.writableLength ?? 0) > LIVE_WRITE_BUFFER_BYTES) {
      this.counters.liveDropped++;
      this.dropLog.warn('live-dropped', { liveDropped: this.counters.liveDropped, buffered: client.stream.writableLength }, 'the broker is not reading fast enough: live records dropped (InfluxDB still gets them)');
      return;
    }
    client.publish(topic, JSON.stringify(record), { qos: 0, retain: opts.retain === true });
  }

  stats(): MqttLinkStats {
    return { connected: this.connected, ...this.counters };
  }

  /** Says offline (retained) and disconnects; the broker keeps the session for the next start. */
  async stop(): Promise<void> {
    const client = this.client;
    if (!client) return;
    this.client = undefined;
    if (client.connected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        client.publish(topics.status(this.deps.checkpoint), 'offline', { qos: 1, retain: true }, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    await new Promise<void>((resolve) => client.end(false, {}, () => resolve()));
  }
}
