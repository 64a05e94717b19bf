/**
 * The edges' live topics → LiveState → events. One MQTT client with a fixed client id and a
 * persistent session (clean: false) subscribed at QoS 1 to every live and status topic: while
 * the dashboard restarts, the broker keeps its QoS 1 messages. A payload that cannot be read is
 * counted and logged with its topic (rate-limited), never thrown.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { parseTopic, topics } from '@gatewatch/shared';
import type { DashboardConfig } from '../config/types.js';
import type { Guard } from '../guard.js';
import type { Log } from '../log.js';
import { decodePayload } from './decode.js';
import type { LiveEvent, LiveState } from './state.js';

export interface BridgeStats {
  connected: boolean;
  received: number;
  /** Payloads that could not be read. */
  bad: number;
  /** Records of checkpoints this dashboard is not configured for. */
  ignored: number;
}

const KINDS = { liveQueue: 'queue', liveClearance: 'clearance', liveDevice: 'device', liveUnits: 'units', status: 'status' } as const;

export class MqttBridge {
  private client: MqttClient | undefined;
  private subscribed = false;
  private readonly counters = { received: 0, bad: 0, ignored: 0 };
  private readonly warned = new Map<string, number>();

  constructor(
    private readonly deps: { config: DashboardConfig['mqtt']; state: LiveState; log: Log; onEvents: (events: LiveEvent[]) => void; guard: Guard },
  ) {}

  /** Connects in the background: the dashboard serves (and says `broker: down`) while the broker is away. */
  start(): void {
    const { config, log } = this.deps;
    const options: IClientOptions = { clientId: config.clientId, clean: false, protocolVersion: 4, reconnectPeriod: 1000, connectTimeout: 10_000, keepalive: 30 };
    if (config.credentials?.username !== undefined) options.username = config.credentials.username;
    if (config.credentials?.password !== undefined) options.password = config.credentials.password;
    if (config.ca !== undefined) Object.assign(options, { ca: config.ca, rejectUnauthorized: true });
    const client = mqtt.connect(config.url, options);
    this.client = client;
    client.on('connect', () => {
      client.subscribe([topics.allLive(), topics.allStatus()], { qos: 1 }, (error, granted) => {
        if (error || granted?.some((g) => g.qos > 2)) {
          log.error({ err: error, granted }, 'the broker refused the subscription to the live topics');
          return;
        }
        this.subscribed = true;
        this.deps.state.setLink(true);
        log.info({ url: config.url }, 'receiving the edges\' live topics');
      });
    });
    client.on('close', () => {
      if (this.subscribed) log.warn({ url: config.url }, 'lost the broker; reconnecting');
      this.subscribed = false;
      // Every figure held is stale from now on, with its age, until the live topics come again.
      this.deps.state.setLink(false);
    });
    client.on('error', (error) => log.warn({ err: error.message }, 'MQTT error'));
    // A throw here would go up through MQTT.js's stream and end the process: guarded, counted.
    client.on('message', this.deps.guard.callback('live message', (topic: string, payload: Buffer) => this.receive(topic, payload)));
  }

  get up(): boolean {
    return this.subscribed && this.client?.connected === true;
  }

  stats(): BridgeStats {
    return { connected: this.up, ...this.counters };
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.subscribed = false;
    if (client) await client.endAsync();
  }

  /** Public for tests: one message as it comes from the broker. */
  receive(topic: string, payload: Buffer): void {
    this.counters.received++;
    const parsed = parseTopic(topic);
    const kind = parsed && parsed.kind in KINDS ? KINDS[parsed.kind as keyof typeof KINDS] : undefined;
    if (!parsed || !kind) return this.bad(topic, 'not a live or status topic');
    const { state } = this.deps;
    if (!state.has(parsed.checkpoint)) {
      this.counters.ignored++;
      this.warnOnce(`ignored ${parsed.checkpoint}`, { checkpoint: parsed.checkpoint, topic }, 'records of a checkpoint that is not in the configuration are ignored');
      return;
    }
    let events: LiveEvent[];
    try {
      const decoded = decodePayload(kind, parsed.checkpoint, payload);
      if (!decoded.ok) return this.bad(topic, decoded.reason);
      const v = decoded.value;
      events =
        v.kind === 'queue' ? state.applyQueue(v.record)
        : v.kind === 'clearance' ? state.applyClearance(v.record)
        : v.kind === 'device' ? state.applyDevice(v.record)
        : v.kind === 'units' ? state.applyUnits(v.record)
        : state.applyStatus(parsed.checkpoint, v.status);
    } catch (error) {
      // A bug of ours must not stop the bridge either.
      return this.bad(topic, `could not be applied: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (events.length > 0) this.deps.onEvents(events);
  }

  private bad(topic: string, reason: string): void {
    this.counters.bad++;
    this.warnOnce(`bad ${topic}`, { topic, reason, bad: this.counters.bad }, 'unreadable payload skipped');
  }

  /** At most one line per key a minute: a broken edge must not flood the log. */
  private warnOnce(key: string, obj: object, msg: string): void {
    const t = Date.now();
    if (t - (this.warned.get(key) ?? -Infinity) < 60_000) return;
    if (this.warned.size > 1000) this.warned.clear();
    this.warned.set(key, t);
    this.deps.log.warn(obj, msg);
  }
}
