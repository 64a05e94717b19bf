/**
 * What the bytes of one serial device mean: frames (through the Framer of its kind), then
 * LaneInputs (loop edges, scans, weighings) and the counters of its `device` record.
 * Synchronous and port-less: the serial port adapter feeds it what the port reads, stamped with
 * the reception time, and the history backfill feeds it the simulator's bytes on a virtual
 * clock, so both decode a device exactly the same way.
 */
import type { InputError, Result, ScanCode } from '@gatewatch/shared';
import type { SerialDeviceConfig } from '../config/types.js';
import type { LaneInput } from '../core/inputs.js';
import { Framer, type FramingOptions } from './framing.js';
import { gateControllerFraming } from './gate-controller/parser.js';
import type { GateFrame } from './gate-controller/sentence.js';
import { GateControllerTracker } from './gate-controller/tracker.js';
import { scannerFraming } from './scanner/parser.js';
import { weighbridgeFraming } from './weighbridge/parser.js';
import type { WeightReading } from './weighbridge/reading.js';
import { stepWeighing, WEIGHING_START, type WeighingState } from './weighbridge/weighing.js';

/** The part of a pino logger this uses. */
export interface DeviceLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DeviceDecoderDeps {
  onInput(input: LaneInput): void;
  onBadFrame(err: InputError): void;
  log: DeviceLog;
}

export interface DeviceCounters {
  frames: number;
  bad_frames: number;
  lost_frames: number;
  /** When the last good frame arrived (ms), undefined when never. */
  lastSeenMs: number | undefined;
}

/** The counters of a `device` record (docs/interfaces.md, "device"). */
export interface SerialDeviceStatus {
  online: boolean;
  frames: number;
  bad_frames: number;
  lost_frames: number;
  /** Seconds since the last good frame, -1 when never. */
  last_seen_s: number;
}

/** Whole seconds since `lastSeenMs`, -1 when never seen: the `last_seen_s` of every device record. */
export const lastSeenS = (lastSeenMs: number | undefined, nowMs: number): number =>
  lastSeenMs === undefined ? -1 : Math.max(0, Math.round((nowMs - lastSeenMs) / 1000));

/** A device's record from its counters; whether it is online is the caller's to say. */
export function deviceStatus(c: DeviceCounters, online: boolean, nowMs: number): SerialDeviceStatus {
  return { online, frames: c.frames, bad_frames: c.bad_frames, lost_frames: c.lost_frames, last_seen_s: lastSeenS(c.lastSeenMs, nowMs) };
}

interface Channel {
  feed(bytes: Uint8Array, rx: number): void;
  end(rx: number): void;
}

export class DeviceDecoder {
  private channel: Channel;
  private inputSeq = 0;
  private frames = 0;
  private badFrames = 0;
  private lostFrames = 0;
  private lastSeen: number | undefined;

  // Meaning over time outlives a connection: a vehicle on a loop or on the bridge through an
  // outage is the same vehicle after it.
  private readonly gate = new GateControllerTracker();
  private weighing: WeighingState = WEIGHING_START;

  constructor(
    readonly config: SerialDeviceConfig,
    private readonly deps: DeviceDecoderDeps,
  ) {
    this.channel = this.newChannel();
  }

  /** Bytes as read, received at `rxMs`. */
  feed(bytes: Uint8Array, rxMs: number): void {
    this.channel.feed(bytes, rxMs);
  }

  /**
   * The connection ended: a frame cut off by it is a bad frame, and the next connection starts
   * clean (half a frame from before an unplug is never glued to bytes after it).
   */
  disconnected(rxMs: number): void {
    this.channel.end(rxMs);
    this.channel = this.newChannel();
  }

  /** A new connection: sequence numbering starts afresh (a gap across an unplug says nothing). */
  connected(): void {
    this.gate.resync();
  }

  counters(): DeviceCounters {
    return { frames: this.frames, bad_frames: this.badFrames, lost_frames: this.lostFrames, lastSeenMs: this.lastSeen };
  }

  private newChannel(): Channel {
    const device = this.config.id;
    const kind = this.config.kind;
    switch (kind) {
      case 'gate-controller':
        return this.wire(gateControllerFraming(device), (f, rx) => this.gateFrame(f, rx));
      case 'scanner':
        return this.wire(scannerFraming(device), (f, rx) => this.scan(f, rx));
      case 'weighbridge':
        return this.wire(weighbridgeFraming(device), (f, rx) => this.reading(f, rx));
      default: {
        const never: never = kind;
        throw new Error(`unknown serial device kind ${String(never)}`);
      }
    }
  }

  private wire<T>(framing: FramingOptions<T>, onFrame: (frame: T, rxMs: number) => void): Channel {
    const framer = new Framer(framing);
    let rx = 0;
    const emit = (r: Result<T>): void => {
      if (r.ok) {
        this.frames++;
        this.lastSeen = rx;
        onFrame(r.value, rx);
      } else {
        this.badFrames++;
        this.guard(() => this.deps.onBadFrame(r.error));
      }
    };
    return {
      feed: (bytes, at) => {
        rx = at;
        framer.feed(bytes, emit);
      },
      end: (at) => {
        rx = at;
        framer.end(emit);
      },
    };
  }

  private gateFrame(frame: GateFrame, rx: number): void {
    const step = this.gate.accept(frame);
    this.lostFrames += step.lost;
    if (step.passing) this.emit({ id: this.id(rx), type: 'loop', ts: rx, rx, lane: step.passing.lane, point: step.passing.point });
  }

  private scan(code: ScanCode, rx: number): void {
    const lane = this.config.lane;
    if (lane === undefined) return;
    if (code.type === 'declaration') {
      this.emit({ id: this.id(rx), type: 'declarationScan', ts: rx, rx, lane, declaration: code.declaration });
    } else {
      this.emit({ id: this.id(rx), type: 'sighting', ts: rx, rx, lane, point: 'gate', unit: code.unit, source: 'scanner' });
    }
  }

  private reading(reading: WeightReading, rx: number): void {
    const step = stepWeighing(this.weighing, reading);
    this.weighing = step.state;
    const lane = this.config.lane;
    if (step.weighingKg !== undefined && lane !== undefined) this.emit({ id: this.id(rx), type: 'weight', ts: rx, rx, lane, kg: step.weighingKg });
  }

  /** Unique per process and across restarts: the device, the reception ms and a counter. */
  private id(rx: number): string {
    return `${this.config.id}:${rx}:${this.inputSeq++}`;
  }

  private emit(input: LaneInput): void {
    this.guard(() => this.deps.onInput(input));
  }

  /** A failing consumer must not stop this device's bytes from being read. */
  private guard(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.deps.log.error({ device: this.config.id, error: (e as Error).message }, 'serial input consumer failed');
    }
  }
}
