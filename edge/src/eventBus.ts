/**
 * Features talk through this typed event map (zigbee2mqtt lib/eventBus.ts). A listener that
 * throws is logged and counted; it never stops the other listeners nor the agent.
 */
import { EventEmitter } from 'node:events';
import type { ClearanceRecord, DeviceRecord, InputError, QueueRecord } from '@gatewatch/shared';
import type { LaneInput } from './core/inputs.js';
import type { Log } from './log.js';

export interface EventMap {
  /** A decoded input from a serial device or MQTT, before it is journaled. */
  input: [input: LaneInput];
  /** A frame or payload that was refused; `source` names the device or topic. */
  badInput: [source: string, error: InputError];
  clearance: [record: ClearanceRecord];
  queue: [record: QueueRecord];
  device: [record: DeviceRecord];
  /** State of a link: the broker or InfluxDB. */
  link: [link: 'mqtt' | 'influx', state: 'up' | 'down', detail?: string];
}

type Listener<K extends keyof EventMap> = (...args: EventMap[K]) => void;

export class EventBus {
  private readonly emitter = new EventEmitter();
  private readonly wrapped = new Map<object, Map<string, (...args: unknown[]) => void>>();
  listenerErrors = 0;

  constructor(private readonly log: Log) {
    this.emitter.setMaxListeners(100);
  }

  emit<K extends keyof EventMap>(event: K, ...args: EventMap[K]): void {
    this.emitter.emit(event, ...args);
  }

  /** `owner` lets a feature remove all its listeners at stop(). */
  on<K extends keyof EventMap>(event: K, owner: object, listener: Listener<K>): void {
    const safe = (...args: unknown[]): void => {
      try {
        listener(...(args as EventMap[K]));
      } catch (error) {
        this.listenerErrors++;
        this.log.error({ err: error, event, owner: owner.constructor.name }, 'event listener failed');
      }
    };
    let byEvent = this.wrapped.get(owner);
    if (!byEvent) this.wrapped.set(owner, (byEvent = new Map()));
    byEvent.set(`${event}:${byEvent.size}`, safe);
    this.emitter.on(event, safe);
  }

  removeListeners(owner: object): void {
    const byEvent = this.wrapped.get(owner);
    if (!byEvent) return;
    for (const [key, fn] of byEvent) this.emitter.off(key.slice(0, key.lastIndexOf(':')), fn);
    this.wrapped.delete(owner);
  }
}
