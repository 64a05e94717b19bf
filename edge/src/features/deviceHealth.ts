/**
 * One `device` record per device every interval (30 s by default): serial devices from their
 * own counters, MQTT devices (cameras, the customs feed) from what this agent received.
 */
import { msToNs, type DeviceRecord } from '@gatewatch/shared';
import type { EventBus } from '../eventBus.js';
import { devicePoint } from '../pipeline/points.js';
import type { OutboxPoint } from '../storage/outbox.js';
import { lastSeenS, type SerialDeviceStatus } from '../devices/deviceDecoder.js';
import type { MqttInputs } from './mqttInputs.js';

export interface DeviceHealthDeps {
  checkpoint: string;
  /** Serial devices by id: the live SerialDevices, or the backfill's replayed ones. */
  serial: { readonly devices: ReadonlyMap<string, { status(nowMs: number): SerialDeviceStatus }> };
  mqtt: Pick<MqttInputs, 'counters'>;
  mqttConnected: () => boolean;
  bus: EventBus;
  write(points: readonly OutboxPoint[]): void;
  now: () => number;
}

export class DeviceHealth {
  constructor(private readonly deps: DeviceHealthDeps) {}

  /** Records for the interval boundary `atMs`. */
  collect(atMs: number): DeviceRecord[] {
    const { checkpoint, serial, mqtt } = this.deps;
    const time = new Date(atMs).toISOString();
    const timeNs = msToNs(atMs);
    const records: DeviceRecord[] = [];
    for (const [id, device] of serial.devices) {
      records.push({ checkpoint, device: id, ...device.status(atMs), time, timeNs });
    }
    const connected = this.deps.mqttConnected();
    for (const [id, c] of mqtt.counters()) {
      records.push({
        checkpoint,
        device: id,
        online: connected,
        frames: c.frames,
        bad_frames: c.bad_frames,
        lost_frames: 0,
        last_seen_s: lastSeenS(c.lastSeenMs, atMs),
        time,
        timeNs,
      });
    }
    return records;
  }

  report(atMs: number): void {
    const records = this.collect(atMs);
    this.deps.write(records.map(devicePoint));
    for (const r of records) this.deps.bus.emit('device', r);
  }
}
