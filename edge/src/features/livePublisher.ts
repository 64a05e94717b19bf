/**
 * Live records over MQTT for the dashboard: the same JSON as the records written to InfluxDB,
 * and the units now inside the control area (retained, so that a dashboard that starts or
 * reconnects has the list at once rather than after the next interval).
 */
import { topics, type UnitInside, type UnitsInsideRecord } from '@gatewatch/shared';
import type { OpenUnitView } from '../core/index.js';
import type { EventBus } from '../eventBus.js';
import type { MqttLink } from '../mqtt/mqttLink.js';

/**
 * At most this many units in one `live/units` message; the oldest are kept, being the likeliest
 * overdue, and the rest only counted. Dinh Vu holds a few hundred at its peak; a flooded core
 * must not make a message of megabytes.
 */
export const MAX_UNITS_LISTED = 500;

const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());

/** The `live/units` record of the core's open units (oldest visit first), capped in length. */
export function unitsInsideRecord(checkpoint: string, atMs: number, open: readonly OpenUnitView[], max = MAX_UNITS_LISTED): UnitsInsideRecord {
  const units = open.slice(0, max).map((v) => {
    const u: UnitInside = { unit: v.unit, lane: v.lane, kind: v.kind, channel: v.channel };
    const queueAt = iso(v.queueMs);
    const gateAt = iso(v.gateMs);
    const exitAt = iso(v.exitMs);
    if (queueAt) u.queueAt = queueAt;
    if (gateAt) u.gateAt = gateAt;
    if (exitAt) u.exitAt = exitAt;
    return u;
  });
  return { checkpoint, time: new Date(atMs).toISOString(), units, more: Math.max(0, open.length - units.length) };
}

export class LivePublisher {
  constructor(private readonly deps: { checkpoint: string; bus: EventBus; link: MqttLink; openUnits: () => OpenUnitView[] }) {}

  start(): void {
    const { bus, link, checkpoint } = this.deps;
    bus.on('clearance', this, (r) => link.publishLive(topics.liveClearance(checkpoint), r));
    bus.on('queue', this, (r) => link.publishLive(topics.liveQueue(checkpoint), r));
    bus.on('device', this, (r) => link.publishLive(topics.liveDevice(checkpoint), r));
  }

  /** Every queue interval (the agent's boundary timer). */
  publishUnits(atMs: number): void {
    const { link, checkpoint, openUnits } = this.deps;
    link.publishLive(topics.liveUnits(checkpoint), unitsInsideRecord(checkpoint, atMs, openUnits()), { retain: true });
  }

  stop(): void {
    this.deps.bus.removeListeners(this);
  }
}
