/**
 * A small live simulator of one road crossing's devices, for the run command: trucks arrive at
 * each inbound lane, wait in the queue, are scanned and weighed at the gate, get a customs
 * decision and leave. It speaks the device contract byte for byte: gate controller, scanner
 * and weighbridge sentences into serial ports (socat ptys), cameras and decisions over MQTT.
 * The corridor simulator of issue 3 replaces it.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import mqtt, { type MqttClient } from 'mqtt';
import {
  iso6346CheckDigit,
  topics,
  type Channel,
  barrierFields,
  cameraPayload,
  decisionPayload,
  GateSequence,
  heartbeatFields,
  isoVietnam,
  loopFields,
  scanLine,
  weightLine,
} from '@gatewatch/shared';
import { Prng } from './prng.js';

export interface SmallSimOptions {
  checkpoint: string;
  mqttUrl: string;
  lanes: readonly string[];
  /** Where the simulator writes: the far ends of the ptys the agent reads. */
  gateControllerPath: string;
  scannerPaths: Readonly<Record<string, string>>;
  weighbridgePaths: Readonly<Record<string, string>>;
  cameras: { queue: string; gate: string; exit: string };
  seed: number;
  /** Mean seconds between arrivals per lane. */
  meanArrivalS: number;
  /** Service time at the gate per channel, seconds. */
  serviceS: Record<Channel, number>;
}

interface Truck {
  unit: string;
  lane: string;
  channel: Channel;
  kg: number;
}

export class SmallSimulator {
  private client: MqttClient | undefined;
  private readonly ports = new Map<string, WriteStream>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly rng: Prng;
  private readonly gateSeq = new GateSequence();
  private readonly queues = new Map<string, Truck[]>();
  private readonly busy = new Set<string>();
  private readonly onScale = new Map<string, number>();
  private msgSeq = 0;
  private readonly startedAt = Date.now();
  trucks = 0;

  constructor(private readonly opts: SmallSimOptions) {
    this.rng = new Prng(opts.seed);
  }

  start(): void {
    const o = this.opts;
    this.client = mqtt.connect(o.mqttUrl, { clientId: `gatewatch-sim-${o.checkpoint}`, reconnectPeriod: 1000 });
    this.ports.set('gate', createWriteStream(o.gateControllerPath));
    for (const [lane, path] of Object.entries(o.scannerPaths)) this.ports.set(`scan:${lane}`, createWriteStream(path));
    for (const [lane, path] of Object.entries(o.weighbridgePaths)) this.ports.set(`weigh:${lane}`, createWriteStream(path));
    for (const p of this.ports.values()) p.on('error', () => undefined);
    for (const lane of o.lanes) {
      this.queues.set(lane, []);
      this.scheduleArrival(lane);
    }
    this.every(5000, () => this.serial('gate', this.gateSeq.next(heartbeatFields(Math.round((Date.now() - this.startedAt) / 1000)))));
    // Weighbridge indicators stream their reading continuously.
    this.every(500, () => {
      for (const lane of Object.keys(o.weighbridgePaths)) {
        const kg = this.onScale.get(lane) ?? 0;
        this.serial(`weigh:${lane}`, weightLine('ST', 'GS', kg));
      }
    });
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const p of this.ports.values()) p.destroy();
    await this.client?.endAsync();
  }

  private scheduleArrival(lane: string): void {
    this.after(this.rng.exp(this.opts.meanArrivalS) * 1000, () => {
      this.arrive(lane);
      this.scheduleArrival(lane);
    });
  }

  private arrive(lane: string): void {
    const truck: Truck = { unit: this.unitNumber(), lane, channel: this.channel(), kg: this.rng.int(12_000, 42_000) };
    this.trucks++;
    this.loopPulse(lane, 'Q');
    this.camera(this.opts.cameras.queue, lane, 'queue', truck.unit);
    this.queues.get(lane)!.push(truck);
    this.serveNext(lane);
  }

  private serveNext(lane: string): void {
    if (this.busy.has(lane)) return;
    const truck = this.queues.get(lane)!.shift();
    if (!truck) return;
    this.busy.add(lane);
    // The truck pulls forward from the queue to the booth.
    this.after(3000, () => {
      this.loopPulse(lane, 'G');
      this.camera(this.opts.cameras.gate, lane, 'gate', truck.unit);
      this.serial(`scan:${lane}`, scanLine(truck.unit));
      this.onScale.set(lane, truck.kg);
      this.decision(truck);
      const serviceMs = this.opts.serviceS[truck.channel] * 1000 * (0.7 + 0.6 * this.rng.next());
      this.after(serviceMs, () => {
        this.onScale.set(lane, 0);
        this.serial('gate', this.gateSeq.next(barrierFields(lane, true)));
        this.loopPulse(lane, 'X');
        this.camera(this.opts.cameras.exit, lane, 'exit', truck.unit);
        this.after(1500, () => this.serial('gate', this.gateSeq.next(barrierFields(lane, false))));
        this.busy.delete(lane);
        this.serveNext(lane);
      });
    });
  }

  private loopPulse(lane: string, at: 'Q' | 'G' | 'X'): void {
    this.serial('gate', this.gateSeq.next(loopFields(lane, at, true)));
    this.after(800, () => this.serial('gate', this.gateSeq.next(loopFields(lane, at, false))));
  }

  private camera(cameraId: string, lane: string, point: 'queue' | 'gate' | 'exit', unit: string): void {
    const kind = /^[A-Z]{4}\d{7}$/.test(unit) ? 'container' : 'truck';
    this.client?.publish(
      topics.camera(this.opts.checkpoint, cameraId),
      cameraPayload({ id: `${cameraId}-${++this.msgSeq}`, ts: isoVietnam(Date.now()), lane, point, unit, kind, confidence: 0.95 }),
      { qos: 1 },
    );
  }

  private decision(t: Truck): void {
    const declaration = `10${String(this.rng.int(0, 9_999_999_999)).padStart(10, '0')}`;
    this.client?.publish(
      topics.decision(this.opts.checkpoint),
      decisionPayload({ id: `dec-${++this.msgSeq}`, ts: isoVietnam(Date.now()), unit: t.unit, declaration, channel: t.channel }),
      { qos: 1 },
    );
  }

  private serial(port: string, bytes: string): void {
    this.ports.get(port)?.write(bytes);
  }

  private channel(): Channel {
    const r = this.rng.next();
    return r < 0.6 ? 'green' : r < 0.9 ? 'yellow' : 'red';
  }

  /** Vietnamese plates (Lao Cai is 24) and Yunnan plates (云A…). */
  private unitNumber(): string {
    const r = this.rng.next();
    if (r < 0.15) {
      const prefix = `${this.rng.pick(['MSK', 'CMA', 'OOL', 'EGH'])}U${String(this.rng.int(0, 999_999)).padStart(6, '0')}`;
      return `${prefix}${iso6346CheckDigit(prefix)}`;
    }
    const digits = String(this.rng.int(0, 99_999)).padStart(5, '0');
    if (r < 0.55) return `云${this.rng.pick(['A', 'D', 'H'])}${digits}`;
    return `24${this.rng.pick(['C', 'H', 'LD'])}-${digits.slice(0, 3)}.${digits.slice(3)}`;
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private every(ms: number, fn: () => void): void {
    const t = setInterval(fn, ms);
    this.timers.add(t);
  }
}
