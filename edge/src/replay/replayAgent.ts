/**
 * The edge agent of one crossing on a virtual clock, for the history backfill: device
 * emissions (MQTT payloads, serial bytes) go through the same decoding (MqttInputs,
 * DeviceDecoder), the same clearance core and the same record-to-point mapping as at a live
 * crossing, into an outbox; the caller drains that to InfluxDB. The records it writes are the
 * ones the live agent would have written for that traffic: nothing is made by a shortcut.
 *
 * What differs from the live agent, on purpose: no journal (a backfill that dies is run again),
 * no serial ports (bytes are fed with their reception time), no broker link (ticks never hold:
 * every message is there in time), and time advances only when the caller says so.
 */
import { coreConfigOf } from '../config/coreConfig.js';
import type { SerialDeviceConfig, SiteConfig } from '../config/types.js';
import { ClearanceCore } from '../core/index.js';
import { DeviceDecoder, deviceStatus, type SerialDeviceStatus } from '../devices/deviceDecoder.js';
import { EventBus } from '../eventBus.js';
import { DeviceHealth } from '../features/deviceHealth.js';
import { MqttInputs } from '../features/mqttInputs.js';
import type { Log } from '../log.js';
import { TICK_MS } from '../agent.js';
import { ClearancePipeline, type InputJournal } from '../pipeline/clearancePipeline.js';
import type { Outbox } from '../storage/outbox.js';

/** Nothing to recover in a backfill: inputs are not journaled. */
const NO_JOURNAL: InputJournal = { append: () => undefined, sync: () => undefined, checkpoint: () => undefined };

/** A serial device known only by the bytes it sent: online while it keeps talking. */
class ReplayedDevice {
  constructor(
    readonly config: SerialDeviceConfig,
    readonly decoder: DeviceDecoder,
  ) {}

  status(nowMs: number): SerialDeviceStatus {
    const c = this.decoder.counters();
    const silent = this.config.silentAfterMs;
    return deviceStatus(c, silent === undefined || (c.lastSeenMs !== undefined && nowMs - c.lastSeenMs <= silent), nowMs);
  }
}

export interface ReplayAgentDeps {
  outbox: Outbox;
  log: Log;
}

export class ReplayAgent {
  readonly bus: EventBus;
  private clock: number;
  private nextTick: number;
  private nextHealth: number;
  private readonly pipeline: ClearancePipeline;
  private readonly core: ClearanceCore;
  private readonly mqtt: MqttInputs;
  private readonly devices = new Map<string, ReplayedDevice>();
  private readonly health: DeviceHealth;
  /** Bytes for serial devices the site config does not know. */
  unknownDevices = 0;

  /** `startMs`: the virtual time the replay starts at. */
  constructor(
    readonly config: SiteConfig,
    deps: ReplayAgentDeps,
    startMs: number,
  ) {
    const checkpoint = config.checkpoint.id;
    this.clock = startMs;
    this.nextTick = startMs + TICK_MS;
    const deviceMs = config.clearance.deviceIntervalMs;
    this.nextHealth = Math.floor(startMs / deviceMs) * deviceMs + deviceMs;
    this.bus = new EventBus(deps.log);
    this.core = new ClearanceCore(coreConfigOf(config));
    this.pipeline = new ClearancePipeline({
      core: this.core,
      journal: NO_JOURNAL,
      outbox: deps.outbox,
      bus: this.bus,
      log: deps.log,
      fsync: 'interval',
      onStorageFailure: () => undefined,
    });
    const submit = this.pipeline.submit.bind(this.pipeline);
    const now = (): number => this.clock;
    this.mqtt = new MqttInputs({ checkpoint, cameraIds: config.devices.cameras.map((c) => c.id), submit, bus: this.bus, log: deps.log, now });
    for (const d of config.devices.serial) {
      const decoder = new DeviceDecoder(d, { onInput: submit, onBadFrame: () => undefined, log: deps.log });
      decoder.connected();
      this.devices.set(d.id, new ReplayedDevice(d, decoder));
    }
    this.health = new DeviceHealth({
      checkpoint,
      serial: { devices: this.devices },
      mqtt: this.mqtt,
      mqttConnected: () => true,
      bus: this.bus,
      write: (points) => this.pipeline.appendTelemetry(points),
      now,
    });
  }

  get now(): number {
    return this.clock;
  }

  /** A message a camera or the customs feed published at `atMs`. */
  mqttMessage(atMs: number, topic: string, payload: string | Buffer): void {
    this.advance(atMs);
    this.mqtt.handle(topic, typeof payload === 'string' ? Buffer.from(payload) : payload);
  }

  /** Bytes a serial device sent at `atMs`. Unknown devices are ignored (and counted). */
  serialBytes(atMs: number, deviceId: string, bytes: string | Uint8Array): void {
    this.advance(atMs);
    const device = this.devices.get(deviceId);
    if (!device) {
      this.unknownDevices++;
      return;
    }
    device.decoder.feed(typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : bytes, atMs);
  }

  /**
   * Moves the virtual clock to `toMs`, with everything the live agent does on the way: a core
   * tick every second (releases, timeouts, queue intervals) and device records on their
   * boundaries. Time never goes back.
   */
  advance(toMs: number): void {
    if (toMs < this.clock) return;
    const deviceMs = this.config.clearance.deviceIntervalMs;
    while (this.nextTick <= toMs || this.nextHealth <= toMs) {
      if (this.nextTick <= this.nextHealth) {
        this.clock = this.nextTick;
        this.pipeline.submit({ type: 'tick', now: this.nextTick });
        this.nextTick += TICK_MS;
      } else {
        this.clock = this.nextHealth;
        this.health.report(this.nextHealth);
        this.nextHealth += deviceMs;
      }
    }
    this.clock = toMs;
  }

  stats(): object {
    return { pipeline: this.pipeline.stats(), core: this.core.counters(), unknownDevices: this.unknownDevices };
  }
}
