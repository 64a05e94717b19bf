/**
 * Plays simulated device emissions live: serial bytes into the far ends of the ptys the agents
 * read, camera and customs messages to the broker at QoS 1, each at its time on the wall clock.
 * The same emissions the backfill replays on a virtual clock, so live and history agree.
 *
 * By default an emission's `at` is its wall-clock time. With `clock`, simulated time runs
 * `rate` times as fast as the wall clock: an emission at `at` is sent at
 * wall = wallStartMs + (at − simStartMs) / rate, for an edge agent started with the same
 * clock (gatewatch-edge --clock-start simStartMs --clock-rate rate --clock-anchor wallStartMs).
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import type { DeviceEmission } from './backfill.js';

export interface LiveDriverOptions {
  mqttUrl: string;
  clientId: string;
  /** Device id → the path the simulator writes to (the sim end of its pty). */
  serialPaths: Readonly<Record<string, string>>;
  /** Emissions in time order, from now on. */
  emissions: Iterator<DeviceEmission>;
  /** Wall clock, ms since the epoch (default Date.now). */
  now?: () => number;
  /** Plays simulated time at a rate (default: `at` is wall time). */
  clock?: LiveClock;
}

export interface LiveClock {
  /** Simulated time that is played at wallStartMs. */
  simStartMs: number;
  /** Simulated ms per wall ms, > 0. */
  rate: number;
  /** Wall-clock instant of simStartMs (default: when start() is called). */
  wallStartMs?: number;
}

export class LiveDriver {
  private client: MqttClient | undefined;
  private readonly ports = new Map<string, WriteStream>();
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private pending: DeviceEmission | undefined;
  private readonly now: () => number;
  private wallOf: (at: number) => number = (at) => at;
  sent = { mqtt: 0, serial: 0, unknownDevices: 0 };
  /** Every emission has been sent (handed to the broker client or the pty). */
  finished = false;

  constructor(private readonly opts: LiveDriverOptions) {
    this.now = opts.now ?? Date.now;
    const c = opts.clock;
    if (c !== undefined && !(Number.isFinite(c.rate) && c.rate > 0)) throw new RangeError(`live driver: clock rate must be a number > 0 (is ${c.rate})`);
    if (c !== undefined && !Number.isFinite(c.simStartMs)) throw new RangeError(`live driver: clock simStartMs must be ms since the epoch (is ${c.simStartMs})`);
    if (c?.wallStartMs !== undefined) this.anchor(c.wallStartMs);
  }

  private anchor(wall0: number): void {
    const c = this.opts.clock!;
    this.wallOf = (at) => wall0 + (at - c.simStartMs) / c.rate;
  }

  /** When an emission at simulated time `at` is (or was) due on the wall clock (known once anchored). */
  wallTimeOf(at: number): number {
    return this.wallOf(at);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    const c = this.opts.clock;
    if (c !== undefined && c.wallStartMs === undefined) this.anchor(this.now());
    this.client = mqtt.connect(this.opts.mqttUrl, { clientId: this.opts.clientId, reconnectPeriod: 1000 });
    this.pump();
  }

  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    for (const p of this.ports.values()) p.destroy();
    this.ports.clear();
    await this.client?.endAsync();
  }

  /** Sends everything due, then sleeps until the next emission. */
  private pump(): void {
    if (!this.running) return;
    for (;;) {
      const next = this.pending ?? this.opts.emissions.next().value;
      this.pending = undefined;
      if (next === undefined) {
        this.finished = true;
        return;
      }
      const wait = this.wallOf(next.at) - this.now();
      if (wait > 0) {
        this.pending = next;
        this.timer = setTimeout(() => this.pump(), Math.min(wait, 60_000));
        return;
      }
      this.send(next);
    }
  }

  private send(e: DeviceEmission): void {
    if (e.kind === 'mqtt') {
      // MQTT.js queues QoS 1 messages while the broker is away and sends them on reconnect.
      this.client?.publish(e.topic, e.payload, { qos: 1 });
      this.sent.mqtt++;
      return;
    }
    const path = this.opts.serialPaths[e.device];
    if (path === undefined) {
      this.sent.unknownDevices++;
      return;
    }
    let port = this.ports.get(e.device);
    if (!port) {
      port = createWriteStream(path, { flags: 'a' });
      // The pty went away (unplugged): drop this writer; the next write opens the path again.
      port.on('error', () => this.ports.delete(e.device));
      this.ports.set(e.device, port);
    }
    port.write(e.bytes);
    this.sent.serial++;
  }
}
