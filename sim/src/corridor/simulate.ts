/**
 * The corridor model: one crossing's devices and units over a time range, as a stream of what
 * the devices send (byte for byte, docs/interfaces.md) and the ground truth of every unit.
 *
 * Pure and seeded: no timers, no clock, no I/O. A discrete-event simulation on an agenda (a
 * heap ordered by time, then by scheduling order), yielded lazily in time order, so memory is
 * bounded by what is in progress (units in the crossing, frames not yet due), never by the
 * length of the range: 14 days stream like one hour, and `toMs: Infinity` plays for ever.
 *
 * How a unit is played. Each lane is one control point serving its queue first in, first out.
 * With FIFO and service times drawn up front, a unit's gate and exit times follow from the
 * unit ahead of it on its lane (Lindley's recursion: gate = max(own queue time + approach,
 * previous exit + pull-forward), exit = gate + service), so everything about a unit is decided
 * when it arrives: its lane (the open lane of its direction with fewest units, drivers join the
 * shortest queue), channel, times, and every frame and message it causes, which are put on the
 * agenda. Units are decided LEAD_MS ahead of their arrival, so that a customs decision lodged
 * before the truck reaches the crossing can be published at its own time.
 *
 * What is decided when a frame is due instead: the gate controller's sentence number (it
 * numbers what it sends, in sending order), and the faults that do not move a frame in time
 * (missed reads, spoilt frames and messages, devices in a silent spell). Lateness and repeats
 * move messages in time and are decided with the unit. Faults draw from their own random
 * streams, so the traffic of a seed is the same at any fault rates.
 */
import {
  barrierFields,
  cameraPayload,
  decisionPayload,
  GateSequence,
  heartbeatFields,
  isoVietnam,
  loopFields,
  scanLine,
  topics,
  weightLine,
  type CameraEvent,
  type Channel,
  type DecisionEvent,
  type Point,
  type UnitKind,
} from '@gatewatch/shared';
import { Prng } from '../prng.js';
import { crossing as resolveCrossing, DEFAULT_CHANNEL_SHARES, deviceIds, type Crossing, type CrossingId, type Direction, type LaneModel } from './corridor.js';
import { badMessage, corruptFrame, DEFAULT_FAULTS, type BadMessageHow, type CorruptHow, type FaultRates } from './faults.js';
import { Agenda } from './heap.js';
import { arrivalRatePerHour, DAY_MS, HOUR_MS, isLaneOpen, localDay, localDayStart, localMidnight, nextArrival } from './profile.js';
import { containerNumber, declarationNumber, vietnamesePlate, wagonChannels, wagonNumber, weighted, yunnanPlate } from './units.js';

/** Device id of the customs decision feed (as the edge names it in device records). */
export const CUSTOMS_FEED = 'customs-feed';
/** How far ahead of its arrival a unit is decided: the earliest a decision may be lodged. */
export const LEAD_MS = 2 * HOUR_MS;
/** Gate controllers beat every 5 s (contract). */
export const HEARTBEAT_MS = 5000;
/** Weighbridge output: one line a second while the bridge is idle, four around a weighing. */
export const WEIGH_IDLE_MS = 1000;
export const WEIGH_BURST_MS = 250;

// ---------------------------------------------------------------------------------------------
// What comes out

/** A fault carried by the emission it spoilt, moved or repeated (the real devices send no such tag). */
export type Injected =
  | { fault: 'corrupt-frame'; how: CorruptHow }
  | { fault: 'bad-message'; how: BadMessageHow }
  | { fault: 'late'; byMs: number }
  | { fault: 'repeat' };

/**
 * Bytes a serial device sends, to write to its port as they are. A Buffer and not a string:
 * line noise is bytes that are no UTF-8 text, and the scanner's Yunnan plates are UTF-8.
 */
export interface SerialEmission {
  at: number;
  kind: 'serial';
  device: string;
  bytes: Buffer;
  injected?: Injected;
}

/** An MQTT message a camera (device = camera id) or the customs feed publishes (QoS 1). */
export interface MqttEmission {
  at: number;
  kind: 'mqtt';
  device: string;
  topic: string;
  payload: string;
  injected?: Injected;
}

export type Emission = SerialEmission | MqttEmission;

/** What a fault hit: a camera reading at a point, a decision, a scan, the weighing, a loop edge or the barrier. */
export type FaultTarget = Point | 'decision' | 'scan' | 'weight' | `loop-${'Q' | 'G' | 'X'}-${0 | 1}` | `bar-${'O' | 'C'}`;

export interface UnitFault {
  fault: 'missed-read' | 'corrupt-frame' | 'bad-message' | 'late' | 'repeat' | 'silent';
  device: string;
  what: FaultTarget;
  /** When the frame or message was (or would have been) sent, epoch ms. */
  at: number;
  how?: CorruptHow | BadMessageHow;
  byMs?: number;
}

/** The truth about one unit's visit. Times are epoch ms; the edge should measure these. */
export interface UnitTruth {
  type: 'unit';
  checkpoint: string;
  lane: string;
  direction: Direction;
  unit: string;
  kind: UnitKind;
  queueAt: number;
  gateAt: number;
  exitAt: number;
  channel: Channel;
  declaration: string;
  /** Gross weight on the lane's weighbridge, when it has one. */
  weightKg?: number;
  /** Rail: the train and the wagon's place in it (0 behind the locomotive). */
  train?: { id: string; wagons: number; index: number };
  faults: UnitFault[];
  /** False when a run without drain ended before all of the unit's frames were sent. */
  complete: boolean;
}

/** A device's silent spell. */
export interface OutageTruth {
  type: 'outage';
  checkpoint: string;
  device: string;
  fromMs: number;
  toMs: number;
}

export type TruthRecord = UnitTruth | OutageTruth;

/** Truth comes out in the stream too: a unit once its last frame is out, an outage when it ends. */
export interface TruthItem {
  at: number;
  kind: 'truth';
  record: TruthRecord;
}

export type SimItem = Emission | TruthItem;

export interface SimulateOptions {
  crossing: CrossingId | Crossing;
  seed: number;
  /** Units arrive in [fromMs, toMs); toMs may be Infinity (live: "from now on"). */
  fromMs: number;
  toMs: number;
  /**
   * true (default): after toMs, play on until every unit that arrived has left, devices
   * beating meanwhile. false: stop at toMs; units still inside come out with complete: false.
   */
  drain?: boolean;
  /** Channel shares, normalised (default 60/30/10). */
  channelShares?: Partial<Record<Channel, number>>;
  faults?: Partial<FaultRates>;
  /** Multiplies the arrival rates of road and port crossings (default 1). */
  rateScale?: number;
  /** Share of decisions lodged before the unit reaches the crossing (default 0.3); the rest come while it waits. */
  preLodgedShare?: number;
}

/** One crossing over a time range: emissions and truth in time order. */
export function* simulate(opts: SimulateOptions): Generator<SimItem, void, undefined> {
  yield* new CorridorRun(opts).run();
}

/** One local day (Asia/Ho_Chi_Minh, `YYYY-MM-DD`) of a crossing. */
export function simulateDay(opts: Omit<SimulateOptions, 'fromMs' | 'toMs'> & { day: string }): Generator<SimItem, void, undefined> {
  const { day, ...rest } = opts;
  const fromMs = localDayStart(day);
  return simulate({ ...rest, fromMs, toMs: fromMs + DAY_MS });
}

/** An independent seed for one random stream of a run, from the run's seed and the stream's name. */
export function seedFor(seed: number, stream: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193);
  h ^= Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.floor(seed / 2 ** 32);
  // murmur3's finaliser: every input bit moves every output bit.
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

// ---------------------------------------------------------------------------------------------

type Fire = () => SimItem | undefined;

/** A unit between its arrival and its last frame. */
interface Open {
  truth: UnitTruth;
  lastAt: number;
}

/** A truck on a weighbridge: drives on, settles, stands, drives off. */
interface ScaleSpan {
  on: number;
  stableFrom: number;
  offFrom: number;
  clearAt: number;
  kg: number;
  open: Open;
  silentNoted: boolean;
}

interface LaneState {
  model: LaneModel;
  /** When the queue loop is free for the next unit. */
  qFree: number;
  /** When the last unit decided on this lane leaves the control point. */
  lastExit: number;
  /** Exit times of the lane's units not yet gone (for join-the-shortest-queue). */
  exits: number[];
  scale: ScaleSpan[];
}

const ms = (rng: Prng, [min, max]: readonly [number, number]): number => Math.round((min + (max - min) * rng.next()) * 1000);
const round20 = (kg: number): number => Math.round(kg / 20) * 20;

class CorridorRun {
  private readonly c: Crossing;
  private readonly from: number;
  private readonly to: number;
  private readonly drain: boolean;
  private readonly shares: Record<Channel, number>;
  private readonly rates: FaultRates;
  private readonly scale: number;
  private readonly preLodged: number;
  private readonly seed: number;
  private readonly agenda = new Agenda<Fire>();
  private now = -Infinity;
  private readonly traffic: Prng;
  private readonly units: Prng;
  private readonly service: Prng;
  private readonly customs: Prng;
  private readonly devices: Prng;
  private readonly faults: Prng;
  private readonly lanes: LaneState[];
  private readonly pending = new Set<Open>();
  private readonly inside = new Set<string>();
  private readonly silent = new Map<string, { fromMs: number; toMs: number }>();
  private readonly gateSeq = new GateSequence();
  private messages = 0;

  constructor(o: SimulateOptions) {
    this.c = resolveCrossing(o.crossing);
    if (!Number.isFinite(o.fromMs) || !(o.toMs > o.fromMs)) throw new RangeError(`bad time range [${o.fromMs}, ${o.toMs})`);
    this.from = Math.round(o.fromMs);
    this.to = o.toMs === Infinity ? Infinity : Math.round(o.toMs);
    this.drain = o.drain ?? true;
    this.shares = { ...DEFAULT_CHANNEL_SHARES, ...o.channelShares };
    this.rates = { ...DEFAULT_FAULTS, ...o.faults };
    this.scale = o.rateScale ?? 1;
    this.preLodged = o.preLodgedShare ?? 0.3;
    this.seed = o.seed;
    const stream = (name: string): Prng => new Prng(seedFor(o.seed, `${this.c.id}/${name}`));
    this.traffic = stream('traffic');
    this.units = stream('units');
    this.service = stream('service');
    this.customs = stream('customs');
    this.devices = stream('devices');
    this.faults = stream('faults');
    this.lanes = this.c.lanes.map((model) => ({ model, qFree: -Infinity, lastExit: -Infinity, exits: [], scale: [] }));
  }

  *run(): Generator<SimItem, void, undefined> {
    this.start();
    for (;;) {
      const due = this.agenda.pop();
      if (due === undefined) return;
      if (!this.drain && due.at >= this.to) {
        yield* this.cut();
        return;
      }
      this.now = due.at;
      const item = due.value();
      if (item !== undefined && item.at >= this.from) yield item;
    }
  }

  /** Periodic device output goes on while units arrive, and after that until the last has left. */
  private running(): boolean {
    return this.now < this.to || this.pending.size > 0;
  }

  private at(t: number, fire: Fire, open?: Open): void {
    if (t < this.now) throw new Error(`simulator bug: scheduling at ${t} before now ${this.now}`);
    this.agenda.push(t, fire);
    if (open && t > open.lastAt) open.lastAt = t;
  }

  private *cut(): Generator<SimItem, void, undefined> {
    for (const open of this.pending) {
      open.truth.complete = false;
      yield { at: this.to, kind: 'truth', record: ordered(open.truth) };
    }
    for (const [device, s] of this.silent) yield { at: this.to, kind: 'truth', record: this.outage(device, s) };
  }

  private outage(device: string, s: { fromMs: number; toMs: number }): OutageTruth {
    return { type: 'outage', checkpoint: this.c.id, device, fromMs: s.fromMs, toMs: s.toMs };
  }

  // -------------------------------------------------------------------------------------------
  // Processes

  private start(): void {
    const c = this.c;
    if (c.gateController !== undefined) this.startHeartbeats(c.gateController);
    for (const ls of this.lanes) if (ls.model.weighbridge) this.startWeighbridge(ls, ls.model.weighbridge.id);
    for (const d of deviceIds(c)) this.startSilences(d.id);
    const arrivals = c.arrivals;
    if (arrivals.kind === 'poisson') {
      for (const direction of ['inbound', 'outbound'] as const) this.startPoisson(direction, arrivals.peakPerHour[direction] * this.scale);
    } else {
      for (const ls of this.lanes) this.startTimetable(ls, arrivals.trains[ls.model.id] ?? [], arrivals);
    }
  }

  /** `HB,<uptime>` every 5 s; the controller was switched on some time before the range. */
  private startHeartbeats(device: string): void {
    const bootAt = this.from - this.devices.int(3600, 30 * 86_400) * 1000;
    const beat = (t: number): Fire => () => {
      if (this.running()) this.at(t + HEARTBEAT_MS, beat(t + HEARTBEAT_MS));
      return this.gateFrame(t, device, heartbeatFields(Math.floor((t - bootAt) / 1000)));
    };
    const first = this.from + this.devices.int(0, HEARTBEAT_MS - 1);
    this.at(first, beat(first));
  }

  /**
   * A&D indicators stream several lines a second for ever. Played at a reduced rate that keeps
   * what the edge needs: one line a second while the bridge is idle (it must be seen empty
   * between trucks) and four a second from a second before a truck drives on until two seconds
   * after the bridge is clear again (the unstable lines while it settles, then the stable ones
   * that make the weighing). Lines fall on a 250 ms grid of the device's own phase.
   */
  private startWeighbridge(ls: LaneState, device: string): void {
    const phase = this.devices.int(0, 999);
    const tick = (t: number): Fire => () => {
      const span = this.spanAt(ls, t);
      if (this.running()) {
        let next = t + WEIGH_BURST_MS;
        while ((next - phase) % WEIGH_IDLE_MS !== 0 && this.spanAt(ls, next) === undefined) next += WEIGH_BURST_MS;
        this.at(next, tick(next));
      }
      const inWeighing = span !== undefined && t >= span.on && t < span.clearAt ? span : undefined;
      if (this.silent.has(device)) {
        if (inWeighing && t >= inWeighing.stableFrom && t < inWeighing.offFrom && !inWeighing.silentNoted) {
          inWeighing.silentNoted = true;
          this.note(inWeighing.open, { fault: 'silent', device, what: 'weight', at: t });
        }
        return undefined;
      }
      const { status, kg } = reading(inWeighing, t);
      return this.serial(t, device, 'weighbridge', Buffer.from(weightLine(status, 'GS', kg), 'latin1'), inWeighing?.open, 'weight');
    };
    const first = Math.ceil((this.from - phase) / WEIGH_IDLE_MS) * WEIGH_IDLE_MS + phase;
    this.at(first, tick(first));
  }

  /** The span a weighbridge line at `t` belongs to (from a second before it to two after), pruning spans done. */
  private spanAt(ls: LaneState, t: number): ScaleSpan | undefined {
    while (ls.scale.length > 0 && ls.scale[0]!.clearAt + 2000 <= t) ls.scale.shift();
    const s = ls.scale[0];
    return s !== undefined && t >= s.on - 1000 ? s : undefined;
  }

  /** Silent spells of a device: a Poisson process of starts, each spell of random length. */
  private startSilences(device: string): void {
    const rate = this.rates.silencesPerDeviceDay;
    if (!(rate > 0)) return;
    // A stream per device: adding a device does not move the others' spells.
    const rng = new Prng(seedFor(this.seed, `${this.c.id}/silence/${device}`));
    const nextStart = (after: number): number => after + Math.max(1, Math.round(rng.exp(DAY_MS / rate)));
    const begin = (start: number): Fire => () => {
      const spell = { fromMs: start, toMs: start + ms(rng, [this.rates.silenceMs[0] / 1000, this.rates.silenceMs[1] / 1000]) };
      this.silent.set(device, spell);
      this.at(spell.toMs, () => {
        this.silent.delete(device);
        const next = nextStart(spell.toMs);
        if (next < this.to) this.at(next, begin(next));
        return { at: spell.toMs, kind: 'truth', record: this.outage(device, spell) };
      });
      return undefined;
    };
    const first = nextStart(this.from);
    if (first < this.to) this.at(first, begin(first));
  }

  /** Road and port: arrivals per direction, each unit decided LEAD_MS before it arrives. */
  private startPoisson(direction: Direction, peak: number): void {
    const rng = new Prng(seedFor(this.seed, `${this.c.id}/arrivals/${direction}`));
    const rate = (t: number): number => arrivalRatePerHour(this.c, direction, t, this.scale);
    const next = (after: number): number | undefined => nextArrival(rng, after, this.to, rate, peak);
    const arrive = (a: number): Fire => () => {
      const n = next(a);
      if (n !== undefined) this.at(n - LEAD_MS, arrive(n));
      this.vehicle(a, direction);
      return undefined;
    };
    const first = next(this.from - 1);
    if (first !== undefined) this.agenda.push(first - LEAD_MS, arrive(first));
  }

  /** Rail: the track's timetable, day after day, each train late by a few minutes. */
  private startTimetable(ls: LaneState, slots: readonly string[], model: Extract<Crossing['arrivals'], { kind: 'timetable' }>): void {
    if (slots.length === 0) return;
    const rng = new Prng(seedFor(this.seed, `${this.c.id}/timetable/${ls.model.id}`));
    const offsets = slots.map((s) => {
      const m = /^(\d{2}):(\d{2})$/.exec(s);
      if (!m) throw new RangeError(`timetable time '${s}' is not HH:MM`);
      return Number(m[1]) * HOUR_MS + Number(m[2]) * 60_000;
    });
    // From the day before: yesterday's last train may run late into the range.
    let day = localMidnight(this.from) - DAY_MS;
    let slot = 0;
    let last = -Infinity;
    const next = (): { at: number; id: string } | undefined => {
      for (;;) {
        const offset = offsets[slot]!;
        const at = Math.max(last + 60_000, day + offset + Math.round(model.delayMin[0] * 60_000 + (model.delayMin[1] - model.delayMin[0]) * 60_000 * rng.next()));
        const id = `${ls.model.id}-${localDay(day + HOUR_MS).replaceAll('-', '')}-${slots[slot]!.replace(':', '')}`;
        if (++slot === offsets.length) {
          slot = 0;
          day += DAY_MS;
        }
        last = at;
        if (at >= this.to) return undefined;
        if (at >= this.from) return { at, id };
      }
    };
    const arrive = (train: { at: number; id: string }): Fire => () => {
      const n = next();
      if (n !== undefined) this.at(n.at - LEAD_MS, arrive(n));
      this.train(ls, train.at, train.id, model);
      return undefined;
    };
    const first = next();
    if (first !== undefined) this.agenda.push(first.at - LEAD_MS, arrive(first));
  }

  // -------------------------------------------------------------------------------------------
  // Units

  /** A truck (road) or a container on a truck (port) reaches the crossing at `a`. */
  private vehicle(a: number, direction: Direction): void {
    let ls: LaneState | undefined;
    let fewest = Infinity;
    for (const l of this.lanes) {
      if (l.model.direction !== direction || !isLaneOpen(l.model, a)) continue;
      while (l.exits.length > 0 && l.exits[0]! <= a) l.exits.shift();
      if (l.exits.length < fewest) {
        fewest = l.exits.length;
        ls = l;
      }
    }
    if (ls === undefined) return; // no lane open: the rate was 0, so no arrival is drawn here
    const lane = ls.model;
    const t = this.traffic;
    const qOcc = t.int(1500, 3500);
    const queueAt = Math.max(a, ls.qFree);
    ls.qFree = queueAt + qOcc + 500; // the next vehicle drives over the queue loop after this one left it
    const gateAt = Math.max(queueAt + ms(t, this.c.approachS), ls.lastExit + ms(t, this.c.pullForwardS));
    const channel = this.channel();
    const exitAt = gateAt + ms(this.service, this.c.serviceS[channel]);
    ls.lastExit = exitAt;
    ls.exits.push(exitAt);

    const open = this.open(lane, this.uniqueUnit(direction), queueAt, gateAt, exitAt, channel, a);
    const truth = open.truth;

    if (lane.loops && this.c.gateController !== undefined) {
      const d = this.devices;
      const gOcc = d.int(2000, 4000);
      const xOcc = d.int(1500, 3000);
      this.loop(open, lane.id, 'Q', queueAt, queueAt + qOcc);
      this.loop(open, lane.id, 'G', gateAt, gateAt + gOcc);
      // The barrier opens as the officer releases the vehicle and closes behind it.
      this.gate(open, Math.max(gateAt + gOcc + 1, exitAt - d.int(2000, 5000)), barrierFields(lane.id, true), 'bar-O');
      this.loop(open, lane.id, 'X', exitAt, exitAt + xOcc);
      this.gate(open, exitAt + d.int(4000, 8000), barrierFields(lane.id, false), 'bar-C');
    }
    for (const p of ['queue', 'gate', 'exit'] as const) this.reading(open, lane, p, p === 'queue' ? queueAt : p === 'gate' ? gateAt : exitAt);
    if (lane.scanner) this.scan(open, lane, Math.min(gateAt + this.devices.int(5000, 40_000), exitAt - 1000));
    if (lane.weighbridge) {
      // Laden trucks mostly; some come back empty. The indicator's division is 20 kg.
      const kg = round20(this.units.next() < 0.85 ? this.units.int(18_000, 44_000) : this.units.int(7_000, 14_000));
      truth.weightKg = kg;
      const d = this.devices;
      const on = gateAt + d.int(2000, 6000);
      const stableFrom = on + d.int(2000, 4000);
      const clearLimit = exitAt - 1000;
      const offFrom = Math.min(stableFrom + d.int(20_000, 50_000), clearLimit - 1500);
      const clearAt = Math.min(offFrom + d.int(1500, 3000), clearLimit);
      ls.scale.push({ on, stableFrom, offFrom, clearAt, kg, open, silentNoted: false });
      if (clearAt + 2000 > open.lastAt) open.lastAt = clearAt + 2000;
    }
    this.decision(open);
    this.close(open);
  }

  /**
   * A train arrives on its track at `a`: each wagon is read as it passes the queue point; the
   * train waits on the reception track until the control zone is free (trains FIFO), is drawn
   * in (gate readings), stays until its slowest wagon is cleared (a red wagon's inspection
   * holds the whole train), and leaves as one batch (exit readings), wagons in their order.
   * Customs channels the train (the configured shares are per train) and its wagons follow
   * from that (wagonChannels).
   */
  private train(ls: LaneState, a: number, id: string, model: Extract<Crossing['arrivals'], { kind: 'timetable' }>): void {
    const t = this.traffic;
    const lane = ls.model;
    const n = t.int(model.wagons[0], model.wagons[1]);
    const gap = ms(t, model.wagonGapS);
    const q0 = Math.max(a, ls.qFree);
    ls.qFree = q0 + (n - 1) * gap + 5 * 60_000;
    const g0 = Math.max(q0 + ms(t, this.c.approachS), ls.lastExit + ms(t, this.c.pullForwardS));
    const channels = wagonChannels(this.channel(), n, this.customs);
    const service = Math.max(...channels.map((ch) => ms(this.service, this.c.serviceS[ch])));
    const release = g0 + service;
    ls.lastExit = release + (n - 1) * gap;
    for (let i = 0; i < n; i++) {
      const open = this.open(lane, this.uniqueUnit(lane.direction), q0 + i * gap, g0 + i * gap, release + i * gap, channels[i]!, a);
      open.truth.train = { id, wagons: n, index: i };
      this.reading(open, lane, 'queue', open.truth.queueAt);
      this.reading(open, lane, 'gate', open.truth.gateAt);
      this.reading(open, lane, 'exit', open.truth.exitAt);
      this.decision(open);
      this.close(open);
    }
  }

  private open(lane: LaneModel, unit: string, queueAt: number, gateAt: number, exitAt: number, channel: Channel, arrival: number): Open {
    const truth: UnitTruth = {
      type: 'unit',
      checkpoint: this.c.id,
      lane: lane.id,
      direction: lane.direction,
      unit,
      kind: this.c.unitKind,
      queueAt,
      gateAt,
      exitAt,
      channel,
      declaration: declarationNumber(this.customs, lane.declarationPrefix),
      faults: [],
      complete: true,
    };
    const open: Open = { truth, lastAt: arrival };
    this.pending.add(open);
    this.inside.add(unit);
    return open;
  }

  /** The unit's truth comes out after its last frame. */
  private close(open: Open): void {
    this.agenda.push(open.lastAt, () => {
      this.pending.delete(open);
      this.inside.delete(open.truth.unit);
      return { at: open.lastAt, kind: 'truth', record: ordered(open.truth) };
    });
  }

  private channel(): Channel {
    const s = this.shares;
    return weighted(this.customs, [
      ['green', s.green],
      ['yellow', s.yellow],
      ['red', s.red],
    ] as const);
  }

  /** A unit text not in the crossing now: two trucks with one plate would be one unit to the edge. */
  private uniqueUnit(direction: Direction): string {
    const u = this.units;
    const mix = this.c.units;
    for (;;) {
      const s =
        mix.kind === 'containers'
          ? containerNumber(u)
          : mix.kind === 'wagons'
            ? wagonNumber(u)
            : u.next() < mix.yunnanShare[direction]
              ? yunnanPlate(u)
              : vietnamesePlate(u);
      if (!this.inside.has(s)) return s;
    }
  }

  // -------------------------------------------------------------------------------------------
  // Frames and messages

  private note(open: Open | undefined, f: UnitFault): void {
    open?.truth.faults.push(f);
  }

  /** A rising edge at `on` and the fall at `off` of one loop. */
  private loop(open: Open, lane: string, p: 'Q' | 'G' | 'X', on: number, off: number): void {
    this.gate(open, on, loopFields(lane, p, true), `loop-${p}-1`);
    this.gate(open, off, loopFields(lane, p, false), `loop-${p}-0`);
  }

  private gate(open: Open, at: number, fields: string, what: FaultTarget): void {
    const device = this.c.gateController;
    if (device === undefined) return;
    this.at(at, () => this.gateFrame(at, device, fields, open, what), open);
  }

  /**
   * A gate controller sentence, numbered when it is sent. A silent spell is the line's (cable,
   * converter), not the controller's: it goes on numbering, and the edge sees the gap.
   */
  private gateFrame(at: number, device: string, fields: string, open?: Open, what?: FaultTarget): SerialEmission | undefined {
    const sentence = this.gateSeq.next(fields);
    if (this.silent.has(device)) {
      if (open && what) this.note(open, { fault: 'silent', device, what, at });
      return undefined;
    }
    return this.serial(at, device, 'gate-controller', Buffer.from(sentence, 'latin1'), open, what);
  }

  private serial(
    at: number,
    device: string,
    kind: 'gate-controller' | 'scanner' | 'weighbridge',
    bytes: Buffer,
    open?: Open,
    what?: FaultTarget,
  ): SerialEmission {
    if (this.faults.next() < this.rates.corruptFrame) {
      const bad = corruptFrame(kind, bytes, this.faults);
      if (open && what) this.note(open, { fault: 'corrupt-frame', device, what, at, how: bad.how });
      return { at, kind: 'serial', device, bytes: bad.bytes, injected: { fault: 'corrupt-frame', how: bad.how } };
    }
    return { at, kind: 'serial', device, bytes };
  }

  /** The booth scanner: the plate, the declaration's barcode, or the container number. */
  private scan(open: Open, lane: LaneModel, at: number): void {
    const scanner = lane.scanner!;
    const code = scanner.reads === 'plate-or-declaration' && this.devices.next() < 0.6 ? open.truth.declaration : open.truth.unit;
    this.at(
      at,
      () => {
        if (this.silent.has(scanner.id)) {
          this.note(open, { fault: 'silent', device: scanner.id, what: 'scan', at });
          return undefined;
        }
        return this.serial(at, scanner.id, 'scanner', Buffer.from(scanLine(code), 'utf8'), open, 'scan');
      },
      open,
    );
  }

  private messageId(prefix: string, stamp: number): string {
    return `${prefix}-${stamp.toString(36)}-${(++this.messages).toString(36)}`;
  }

  /** A camera reads the unit at a point of its lane, if the lane has a camera there. */
  private reading(open: Open, lane: LaneModel, point: Point, at: number): void {
    const cam = lane.cameras[point];
    if (cam === undefined) return;
    const event: CameraEvent = {
      id: this.messageId(cam, at),
      ts: isoVietnam(at),
      lane: lane.id,
      point,
      unit: open.truth.unit,
      kind: this.c.unitKind,
      confidence: Math.round((0.8 + 0.19 * this.devices.next()) * 100) / 100,
    };
    this.publish(open, cam, topics.camera(this.c.id, cam), event, cameraPayload(event), point, at);
  }

  /**
   * The customs decision on the unit's declaration: lodged before the unit reaches the
   * crossing (preLodgedShare), or while it waits; never after it left.
   */
  private decision(open: Open): void {
    const { queueAt, exitAt } = open.truth;
    const r = this.customs;
    const stamp =
      r.next() < this.preLodged
        ? Math.max(this.from, queueAt - r.int(60_000, LEAD_MS - 60_000))
        : Math.min(queueAt + r.int(30_000, 900_000), exitAt - 1000);
    const event: DecisionEvent = {
      id: this.messageId('dec', stamp),
      ts: isoVietnam(stamp),
      unit: open.truth.unit,
      declaration: open.truth.declaration,
      channel: open.truth.channel,
    };
    this.publish(open, CUSTOMS_FEED, topics.decision(this.c.id), event, decisionPayload(event), 'decision', stamp);
  }

  /**
   * Publishes a message stamped `stamp`: maybe late, maybe twice (the copy is whatever the
   * first delivery was, same id), maybe missed (cameras), maybe spoilt, or lost to a silent spell.
   */
  private publish(open: Open, device: string, topic: string, event: CameraEvent | DecisionEvent, payload: string, what: FaultTarget, stamp: number): void {
    const f = this.faults;
    const r = this.rates;
    const late = f.next() < r.lateMessage ? f.int(r.lateMs[0], r.lateMs[1]) : 0;
    const at = stamp + late;
    const repeatAt = f.next() < r.repeatMessage ? at + f.int(200, 3000) : undefined;
    const camera = device !== CUSTOMS_FEED;
    let sent: MqttEmission | undefined;
    this.at(
      at,
      () => {
        if (this.silent.has(device)) {
          this.note(open, { fault: 'silent', device, what, at });
          return undefined;
        }
        if (camera && f.next() < r.missedRead) {
          this.note(open, { fault: 'missed-read', device, what, at });
          return undefined;
        }
        if (f.next() < r.badMessage) {
          const bad = badMessage(event as unknown as Record<string, unknown>, f);
          this.note(open, { fault: 'bad-message', device, what, at, how: bad.how });
          sent = { at, kind: 'mqtt', device, topic, payload: bad.payload, injected: { fault: 'bad-message', how: bad.how } };
          return sent;
        }
        sent = { at, kind: 'mqtt', device, topic, payload };
        if (late > 0) {
          sent.injected = { fault: 'late', byMs: late };
          this.note(open, { fault: 'late', device, what, at, byMs: late });
        }
        return sent;
      },
      open,
    );
    if (repeatAt !== undefined) {
      this.at(
        repeatAt,
        () => {
          if (sent === undefined) return undefined;
          this.note(open, { fault: 'repeat', device, what, at: repeatAt });
          return { ...sent, at: repeatAt, injected: { fault: 'repeat' } };
        },
        open,
      );
    }
  }
}

/** The record with its keys in one order (weight and train are added after the unit is opened): a stable truth file. */
function ordered(t: UnitTruth): UnitTruth {
  const { faults, complete, weightKg, train, ...rest } = t;
  return { ...rest, ...(weightKg !== undefined ? { weightKg } : {}), ...(train !== undefined ? { train } : {}), faults, complete };
}

/** What the indicator shows at `t`: empty, a truck settling on or driving off (unstable), or its weight. */
function reading(span: ScaleSpan | undefined, t: number): { status: 'ST' | 'US'; kg: number } {
  if (span === undefined || t < span.on || t >= span.clearAt) return { status: 'ST', kg: 0 };
  if (t < span.stableFrom) return { status: 'US', kg: round20((span.kg * (t - span.on)) / (span.stableFrom - span.on)) };
  if (t < span.offFrom) return { status: 'ST', kg: span.kg };
  return { status: 'US', kg: round20((span.kg * (span.clearAt - t)) / (span.clearAt - span.offFrom)) };
}
