/** Live records over MQTT for the dashboard: the same JSON as the records written to InfluxDB. */
import { topics } from '@gatewatch/shared';
import type { EventBus } from '../eventBus.js';
import type { MqttLink } from '../mqtt/mqttLink.js';

export class LivePublisher {
  constructor(private readonly deps: { checkpoint: string; bus: EventBus; link: MqttLink }) {}

  start(): void {
    const { bus, link, checkpoint } = this.deps;
    bus.on('clearance', this, (r) => link.publishLive(topics.liveClearance(checkpoint), r));
    bus.on('queue', this, (r) => link.publishLive(topics.liveQueue(checkpoint), r));
    bus.on('device', this, (r) => link.publishLive(topics.liveDevice(checkpoint), r));
  }

  stop(): void {
    this.deps.bus.removeListeners(this);
  }
}
