/** The serial devices of the site: one SerialDevice each, feeding the pipeline. */
import type { InputError } from '@gatewatch/shared';
import type { SerialDeviceConfig } from '../config/types.js';
import type { CoreInput, LaneInput } from '../core/inputs.js';
import { SerialDevice } from '../devices/serialDevice.js';
import type { EventBus } from '../eventBus.js';
import type { Log } from '../log.js';
import { RateLimitedLog } from '../log.js';

export interface SerialInputsDeps {
  devices: readonly SerialDeviceConfig[];
  submit(input: CoreInput): void;
  bus: EventBus;
  log: Log;
  now: () => number;
}

export class SerialInputs {
  readonly devices = new Map<string, SerialDevice>();

  constructor(private readonly deps: SerialInputsDeps) {}

  start(): void {
    const { log, bus, submit, now } = this.deps;
    const warnLog = new RateLimitedLog(log);
    for (const config of this.deps.devices) {
      const device = new SerialDevice(config, {
        onInput: (input: LaneInput) => {
          bus.emit('input', input);
          submit(input);
        },
        onBadFrame: (error: InputError) => {
          bus.emit('badInput', config.id, error);
          warnLog.warn(`bad:${config.id}`, { device: config.id, code: error.code, error: error.message }, 'bad frame skipped');
        },
        log: log.child({ device: config.id }),
        now,
      });
      this.devices.set(config.id, device);
      device.start();
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...this.devices.values()].map((d) => d.stop()));
  }
}
