/**
 * The corridor model: one crossing's devices and units over a time range, as a stream of what
 * the devices send (byte for byte, docs/interfaces.md) and the ground truth of every unit.
 *
 * Pure and seeded: no timers, no clock, no I/O. A discrete-event simulation on an agenda (a
 * heap ordered by time, then by scheduling order), yielded lazily in time order, so memory is
 * bounded by what is in progress (units in the crossing, frames not yet due, the arrivals of
 * the day being played), never by the length of the range: 14 days stream like one hour, and
 * `toMs: Infinity` plays for ever.
 *
 * How a unit is played. Each lane is one control point (a booth, or the rail control zone)
 * serving its queue first in, first out. With FIFO and times drawn up front, a unit's gate time
 * follows from the unit ahead of it on its lane (Lindley's recursion: gate = max(own queue time
 * + approach, previous release + pull-forward)), its release from its time at the control
 * point, and its exit from the release: a minute's drive, or, for a red unit where there is an
 * inspection yard, the yard first (so exits come out of order). Everything about a unit is
 * decided when it arrives: its lane (the open lane of its direction with fewest units waiting or
 * at the booth, drivers join the shortest queue), its times, and every frame and message it
 * causes, which are put on the agenda. Units are decided LEAD_MS ahead of their arrival, so that
 * a customs decision lodged before the truck reaches the crossing can be published at its own time.
 *
 * Determinism by day. Traffic is a function of (seed, crossing, local day), not of where the
 * run starts: a day's arrivals come from streams seeded by (seed, crossing, direction or track,
 * day) and are drawn whole when the day is planned, and each unit draws everything about itself
 * (its text, channel, declaration, times, device jitter, its faults) from streams of its own,
 * seeded by its key (day, direction, arrival index; rail: train and wagon). Unit texts are
 * unique within a day, and a day takes only texts whose hash has the day's parity, so that no
 * unit shares its text with one of the day before, which may still be inside. Device output
 * not tied to a unit (heartbeats, idle weighbridge lines, silent spells) is a function of the
 * device and the time or day. So a unit arriving at t comes out the same (text, channel,
 * declaration, and its times when its lane is free) from any run whose range holds t, and
 * once two runs have the crossing in the same state (e.g. empty), their truth is the same.
 * Only queueing (who is ahead) depends on history, and the gate controller's sentence numbers,
 * which count what it sent since the run started.
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
import { arrivalRatePerHour, DAY_MS, HOUR_MS, isLaneOpen, localDay, localDayStart, localMidnight, maxArrivalRatePerHour, poissonArrivals, VIETNAM_OFFSET_MS } from './profile.js';
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
/** Gate controllers are restarted (maintenance, power cuts) about once a month: their uptime starts again. */
const RESTART_PERIOD_MS = 30 * DAY_MS;

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
  /**
   * When the control point let it go (the booth's barrier opens; rail: the train is released):
   * the next unit of the lane moves up after it. Green and yellow units reach the exit about a
   * minute later; red ones at a crossing with an inspection yard an hour or more later.
   */
  releaseAt: number;
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
  /**
   * Units arrive in [fromMs, toMs); toMs may be Infinity (live: "from now on"). The crossing is
   * empty at fromMs; what arrives from then on does not depend on fromMs (see the header).
   * Decisions lodged before fromMs for units arriving after it are delivered at fromMs.
   */
  fromMs: number;
  toMs: number;
  /**
   * true (default): after toMs, play on until every unit that arrived has left, devices
   * beating meanwhile. false: stop at toMs; units still inside come out with complete: false.
   */
  drain?: boolean;
  /** Channel shares, normalised (default 60/30/10); per train on rail. */
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
  return fmix(h);
}

/** murmur3's finaliser: every input bit moves every output bit. */
function fmix(x: number): number {
  let h = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A seed for what happens at instant `t` (whole ms) in the stream seeded `base`: a stream without state. */
const seedAt = (base: number, t: number): number => fmix(base ^ fmix(Math.imul(t >>> 0, 0x9e3779b1) ^ Math.floor(t / 2 ** 32)));

/** The local day number (days since 1970-01-01 local) of a local midnight. */
const dayNumber = (midnight: number): number => Math.round((midnight + VIETNAM_OFFSET_MS) / DAY_MS);

// ---------------------------------------------------------------------------------------------

type Fire = () => SimItem | undefined;

/** What a unit is and its own random streams, drawn when its day is planned. */
interface UnitDraws {
  /** The unit's key: its day, direction and arrival index (rail: its train and place). Names its messages. */
  key: string;
  unit: string;
  channel: Channel;
  declaration: string;
  /** Everything else about the unit's visit. */
  rng: Prng;
  /** The faults on its frames and messages. */
  faults: Prng;
}

/** A truck (road) or a container on a truck (port) reaching the crossing. */
interface VehicleArrival extends UnitDraws {
  at: number;
  direction: Direction;
}

/** A train reaching its track: its own draws (its size, speed and channel), then its wagons'. */
interface TrainArrival {
  at: number;
  id: string;
  lane: LaneState;
  rng: Prng;
  gapMs: number;
  wagons: UnitDraws[];
}

/** A unit between its decision and its last frame. */
interface Open {
  truth: UnitTruth;
  lastAt: number;
  key: string;
  rng: Prng;
  faults: Prng;
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
  /** When the control point releases the last unit decided on this lane. */
  lastRelease: number;
  /** Release times of the lane's units still waiting or at the control point (for join-the-shortest-queue). */
  releases: number[];
  scale: ScaleSpan[];
}

/** A device's silent spell. */
interface Spell {
  fromMs: number;
  toMs: number;
}

const DIRECTIONS = ['inbound', 'outbound'] as const;
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
  private readonly lanes: LaneState[];
  private readonly pending = new Set<Open>();
  private readonly inside = new Set<string>();
  /** Spells in progress per device (spells of two days may overlap at midnight). */
  private readonly silent = new Map<string, Set<Spell>>();
  private readonly gateSeq = new GateSequence();
  /** Per device: the seed of the faults on its own frames, a stream without state (seedAt). */
  private readonly frameSeeds = new Map<string, number>();
  private readonly restarts = new Map<string, number>();

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
    this.lanes = this.c.lanes.map((model) => ({ model, qFree: -Infinity, lastRelease: -Infinity, releases: [], scale: [] }));
  }

  /** A random stream of this crossing, named (the name says what it is for: its draws are its own). */
  private stream(name: string): Prng {
    return new Prng(seedFor(this.seed, `${this.c.id}/${name}`));
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
      if (item === undefined) continue;
      if (item.at >= this.from) yield item;
      // A decision lodged before the range, for a unit arriving in it: the feed delivers it as
      // the range starts (its stamp stays). Serial bytes and truth before the range are not part of it.
      else if (item.kind === 'mqtt') yield { ...item, at: this.from };
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

  private isSilent(device: string): boolean {
    return (this.silent.get(device)?.size ?? 0) > 0;
  }

  private *cut(): Generator<SimItem, void, undefined> {
    for (const open of this.pending) {
      open.truth.complete = false;
      yield { at: this.to, kind: 'truth', record: ordered(open.truth) };
    }
    for (const [device, spells] of this.silent) for (const s of spells) yield { at: this.to, kind: 'truth', record: this.outage(device, s) };
  }

  private outage(device: string, s: Spell): OutageTruth {
    return { type: 'outage', checkpoint: this.c.id, device, fromMs: s.fromMs, toMs: s.toMs };
  }

  // -------------------------------------------------------------------------------------------
  // Processes

  private start(): void {
    const c = this.c;
    if (c.gateController !== undefined) this.startHeartbeats(c.gateController);
    for (const ls of this.lanes) if (ls.model.weighbridge) this.startWeighbridge(ls, ls.model.weighbridge.id);
    const first = localMidnight(this.from);
    // Yesterday's spells may last into the range; yesterday's trains may run late into it.
    for (const d of deviceIds(c)) this.planSilences(d.id, first - DAY_MS);
    this.planDay(c.arrivals.kind === 'timetable' ? first - DAY_MS : first);
  }

  /**
   * Plans a local day (its midnight `day`) LEAD_MS ahead of it (rail: an hour earlier still,
   * for trains ahead of time): draws its arrivals whole, decides each LEAD_MS before it arrives,
   * and plans the next day while arrivals may still come.
   */
  private planDay(day: number): void {
    const lead = LEAD_MS + (this.c.arrivals.kind === 'timetable' ? HOUR_MS : 0);
    this.at(Math.max(this.now, day - lead), () => {
      if (day + DAY_MS < this.to) this.planDay(day + DAY_MS);
      if (this.c.arrivals.kind === 'poisson') {
        this.chain(this.vehiclesOf(day), (v) => this.vehicle(v));
      } else {
        this.chain(this.trainsOf(day, this.c.arrivals), (t) => this.train(t));
      }
      return undefined;
    });
  }

  /** Decides the arrivals in the range one after the other, each LEAD_MS before it arrives. */
  private chain<T extends { at: number }>(arrivals: readonly T[], decide: (a: T) => void): void {
    const inRange = arrivals.filter((a) => a.at >= this.from && a.at < this.to);
    const step = (i: number): Fire => () => {
      const a = inRange[i]!;
      if (i + 1 < inRange.length) this.at(Math.max(this.now, inRange[i + 1]!.at - LEAD_MS), step(i + 1));
      decide(a);
      return undefined;
    };
    if (inRange.length > 0) this.at(Math.max(this.now, inRange[0]!.at - LEAD_MS), step(0));
  }

  /** Uptime of a gate controller at `t`: since its last restart, one a month at a random time of a day. */
  private uptimeS(device: string, t: number): number {
    const restart = (period: number): number => {
      const key = `${device}/${period}`;
      let at = this.restarts.get(key);
      if (at === undefined) {
        at = period * RESTART_PERIOD_MS + (seedFor(this.seed, `${this.c.id}/restart/${key}`) % DAY_MS);
        // Only this period's restart and the one before are asked for again.
        if (this.restarts.size >= 4) this.restarts.clear();
        this.restarts.set(key, at);
      }
      return at;
    };
    let period = Math.floor(t / RESTART_PERIOD_MS);
    if (t < restart(period)) period--;
    return Math.floor((t - restart(period)) / 1000);
  }

  /** `HB,<uptime>` every 5 s, on the device's own phase (the same instants in any run). */
  private startHeartbeats(device: string): void {
    const phase = seedFor(this.seed, `${this.c.id}/phase/${device}`) % HEARTBEAT_MS;
    const beat = (t: number): Fire => () => {
      if (this.running()) this.at(t + HEARTBEAT_MS, beat(t + HEARTBEAT_MS));
      return this.gateFrame(t, device, heartbeatFields(this.uptimeS(device, t)));
    };
    const first = Math.ceil((this.from - phase) / HEARTBEAT_MS) * HEARTBEAT_MS + phase;
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
    const phase = seedFor(this.seed, `${this.c.id}/phase/${device}`) % WEIGH_IDLE_MS;
    const tick = (t: number): Fire => () => {
      const span = this.spanAt(ls, t);
      if (this.running()) {
        let next = t + WEIGH_BURST_MS;
        while ((next - phase) % WEIGH_IDLE_MS !== 0 && this.spanAt(ls, next) === undefined) next += WEIGH_BURST_MS;
        this.at(next, tick(next));
      }
      const inWeighing = span !== undefined && t >= span.on && t < span.clearAt ? span : undefined;
      if (this.isSilent(device)) {
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

  /**
   * Silent spells of a device starting on a local day: a Poisson process of starts from the
   * day's midnight, each spell of random length (it may last past the next midnight), from a
   * stream of the device and the day. Spells of the range's days only; the next day is planned
   * at this one's end.
   */
  private planSilences(device: string, day: number): void {
    const rate = this.rates.silencesPerDeviceDay;
    if (!(rate > 0) || day >= this.to) return;
    this.at(Math.max(this.now, day), () => {
      if (day + DAY_MS < this.to) this.planSilences(device, day + DAY_MS);
      const rng = this.stream(`silence/${device}/${localDay(day)}`);
      const [min, max] = this.rates.silenceMs;
      for (let t = day + Math.max(1, Math.round(rng.exp(DAY_MS / rate))); t < day + DAY_MS && t < this.to; ) {
        const spell: Spell = { fromMs: t, toMs: t + Math.round(min + (max - min) * rng.next()) };
        if (spell.toMs > this.from) this.spell(device, spell);
        t = spell.toMs + Math.max(1, Math.round(rng.exp(DAY_MS / rate)));
      }
      return undefined;
    });
  }

  private spell(device: string, spell: Spell): void {
    this.at(Math.max(this.now, spell.fromMs), () => {
      let spells = this.silent.get(device);
      if (!spells) this.silent.set(device, (spells = new Set()));
      spells.add(spell);
      this.at(spell.toMs, () => {
        spells.delete(spell);
        return { at: spell.toMs, kind: 'truth', record: this.outage(device, spell) };
      });
      return undefined;
    });
  }

  // -------------------------------------------------------------------------------------------
  // A day's arrivals

  /**
   * Road and port: the day's arrivals of both directions (each from its own stream of the day),
   * in time order, each unit with its text, channel and declaration drawn from its own stream.
   */
  private vehiclesOf(day: number): VehicleArrival[] {
    const name = localDay(day);
    const times: { at: number; direction: Direction; index: number }[] = [];
    for (const direction of DIRECTIONS) {
      const rng = this.stream(`arrivals/${direction}/${name}`);
      const rate = (t: number): number => arrivalRatePerHour(this.c, direction, t, this.scale);
      let index = 0;
      for (const at of poissonArrivals(rng, day, day + DAY_MS, rate, maxArrivalRatePerHour(this.c, direction, this.scale))) {
        times.push({ at, direction, index: index++ });
      }
    }
    times.sort((a, b) => a.at - b.at || (a.direction === b.direction ? a.index - b.index : a.direction === 'inbound' ? -1 : 1));
    const texts = new Set<string>();
    const parity = dayNumber(day) & 1;
    return times.map(({ at, direction, index }) => {
      const key = `${name}/${direction}/${index}`;
      const draws = this.unitDraws(key, direction, texts, parity);
      return { ...draws, at, direction, key: `${name.replaceAll('-', '')}${direction === 'inbound' ? 'i' : 'o'}${index}` };
    });
  }

  /**
   * Rail: the day's trains of every track, on its timetable, each late by a few minutes (one
   * stream per track and day), then each train's size, speed and channel (its own stream) and
   * its wagons (their own), in the order the trains arrive.
   */
  private trainsOf(day: number, model: Extract<Crossing['arrivals'], { kind: 'timetable' }>): TrainArrival[] {
    const name = localDay(day);
    const trains: Omit<TrainArrival, 'wagons' | 'gapMs'>[] = [];
    for (const ls of this.lanes) {
      const slots = model.trains[ls.model.id] ?? [];
      const rng = this.stream(`timetable/${ls.model.id}/${name}`);
      let last = -Infinity;
      for (const slot of slots) {
        const m = /^(\d{2}):(\d{2})$/.exec(slot);
        if (!m) throw new RangeError(`timetable time '${slot}' is not HH:MM`);
        const delay = Math.round(model.delayMin[0] * 60_000 + (model.delayMin[1] - model.delayMin[0]) * 60_000 * rng.next());
        const at = Math.max(last + 60_000, day + Number(m[1]) * HOUR_MS + Number(m[2]) * 60_000 + delay);
        last = at;
        const id = `${ls.model.id}-${name.replaceAll('-', '')}-${slot.replace(':', '')}`;
        trains.push({ at, id, lane: ls, rng: this.stream(`train/${id}`) });
      }
    }
    trains.sort((a, b) => a.at - b.at || this.lanes.indexOf(a.lane) - this.lanes.indexOf(b.lane));
    const texts = new Set<string>();
    const parity = dayNumber(day) & 1;
    return trains.map((t) => {
      const n = t.rng.int(model.wagons[0], model.wagons[1]);
      const gapMs = ms(t.rng, model.wagonGapS);
      const channels = wagonChannels(this.channel(t.rng), n, t.rng);
      const wagons = channels.map((channel, i) => ({ ...this.unitDraws(`${t.id}/${i}`, t.lane.model.direction, texts, parity), channel, key: `${t.id}-${i}` }));
      return { ...t, gapMs, wagons };
    });
  }

  /**
   * A unit's own draws: its text (unique in its day, of the day's parity), channel and
   * declaration from its stream, and its streams for the rest.
   */
  private unitDraws(key: string, direction: Direction, texts: Set<string>, parity: number): UnitDraws {
    const rng = this.stream(`unit/${key}`);
    let unit: string;
    do unit = this.unitText(rng, direction);
    while ((seedFor(0, unit) & 1) !== parity || texts.has(unit));
    texts.add(unit);
    const channel = this.channel(rng);
    const declaration = declarationNumber(rng, this.c.declarations[direction]);
    return { key, unit, channel, declaration, rng, faults: this.stream(`unit-faults/${key}`) };
  }

  private unitText(rng: Prng, direction: Direction): string {
    const mix = this.c.units;
    return mix.kind === 'containers'
      ? containerNumber(rng)
      : mix.kind === 'wagons'
        ? wagonNumber(rng)
        : rng.next() < mix.yunnanShare[direction]
          ? yunnanPlate(rng)
          : vietnamesePlate(rng);
  }

  private channel(rng: Prng): Channel {
    const s = this.shares;
    return weighted(rng, [
      ['green', s.green],
      ['yellow', s.yellow],
      ['red', s.red],
    ] as const);
  }

  // -------------------------------------------------------------------------------------------
  // Units

  /** A truck (road) or a container on a truck (port) reaches the crossing at `v.at`. */
  private vehicle(v: VehicleArrival): void {
    const a = v.at;
    let ls: LaneState | undefined;
    let fewest = Infinity;
    for (const l of this.lanes) {
      if (l.model.direction !== v.direction || !isLaneOpen(l.model, a)) continue;
      while (l.releases.length > 0 && l.releases[0]! <= a) l.releases.shift();
      if (l.releases.length < fewest) {
        fewest = l.releases.length;
        ls = l;
      }
    }
    if (ls === undefined) return; // no lane open: the rate was 0, so no arrival is drawn here
    const lane = ls.model;
    const c = this.c;
    // Every draw, in one order whatever the lane: the unit's stream is its own.
    const r = v.rng;
    const qOcc = r.int(1500, 3500);
    const approach = ms(r, c.approachS);
    const pullForward = ms(r, c.pullForwardS);
    const booth = ms(r, c.serviceS[v.channel]);
    const drive = c.exitDriveS ? ms(r, c.exitDriveS) : 0;
    const inspection = c.yard ? ms(r, c.yard.inspectionS) : 0;
    // Laden trucks mostly; some come back empty. The indicator's division is 20 kg.
    const kg = round20(r.next() < 0.85 ? r.int(18_000, 44_000) : r.int(7_000, 14_000));
    const gOcc = r.int(2000, 4000);
    const xOcc = r.int(1500, 3000);
    const barrierClose = r.int(4000, 8000);
    const scanAfter = r.int(5000, 40_000);
    const scansDeclaration = r.next() < 0.6;
    const weigh = { on: r.int(2000, 6000), settle: r.int(2000, 4000), stand: r.int(20_000, 50_000), off: r.int(1500, 3000) };

    const queueAt = Math.max(a, ls.qFree);
    ls.qFree = queueAt + qOcc + 500; // the next vehicle drives over the queue loop after this one left it
    const gateAt = Math.max(queueAt + approach, ls.lastRelease + pullForward);
    const releaseAt = gateAt + booth;
    // Red goes through the inspection yard (where there is one) before the exit.
    const exitAt = releaseAt + (v.channel === 'red' ? inspection : 0) + drive;
    ls.lastRelease = releaseAt;
    ls.releases.push(releaseAt);

    const open = this.open(v, lane, queueAt, gateAt, releaseAt, exitAt, a);
    const truth = open.truth;

    if (lane.loops && c.gateController !== undefined) {
      this.loop(open, lane.id, 'Q', queueAt, queueAt + qOcc);
      this.loop(open, lane.id, 'G', gateAt, gateAt + gOcc);
      // The barrier opens as the officer releases the vehicle and closes behind it.
      this.gate(open, releaseAt, barrierFields(lane.id, true), 'bar-O');
      this.gate(open, releaseAt + barrierClose, barrierFields(lane.id, false), 'bar-C');
      this.loop(open, lane.id, 'X', exitAt, exitAt + xOcc);
    }
    for (const p of ['queue', 'gate', 'exit'] as const) this.reading(open, lane, p, p === 'queue' ? queueAt : p === 'gate' ? gateAt : exitAt);
    if (lane.scanner) this.scan(open, lane, Math.min(gateAt + scanAfter, releaseAt - 1000), scansDeclaration);
    if (lane.weighbridge) {
      truth.weightKg = kg;
      // Weighed as it pulls up to the booth window; off the bridge before the release.
      const on = gateAt + weigh.on;
      const stableFrom = on + weigh.settle;
      const clearLimit = releaseAt - 1000;
      const offFrom = Math.min(stableFrom + weigh.stand, clearLimit - 1500);
      const clearAt = Math.min(offFrom + weigh.off, clearLimit);
      ls.scale.push({ on, stableFrom, offFrom, clearAt, kg, open, silentNoted: false });
      if (clearAt + 2000 > open.lastAt) open.lastAt = clearAt + 2000;
    }
    this.decision(open);
    this.close(open);
  }

  /**
   * A train arrives on its track: each wagon is read as it passes the queue point; the train
   * waits on the reception track until the control zone is free (trains FIFO), is drawn in
   * (gate readings), stays until its slowest wagon is cleared (a red wagon's inspection holds
   * the whole train), and leaves as one batch (exit readings), wagons in their order. Customs
   * channels the train (the configured shares are per train) and its wagons follow from that
   * (wagonChannels).
   */
  private train(t: TrainArrival): void {
    const ls = t.lane;
    const lane = ls.model;
    const n = t.wagons.length;
    const gap = t.gapMs;
    const approach = ms(t.rng, this.c.approachS);
    const pullForward = ms(t.rng, this.c.pullForwardS);
    const services = t.wagons.map((w) => ms(w.rng, this.c.serviceS[w.channel]));
    const q0 = Math.max(t.at, ls.qFree);
    ls.qFree = q0 + (n - 1) * gap + 5 * 60_000;
    const g0 = Math.max(q0 + approach, ls.lastRelease + pullForward);
    const release = g0 + Math.max(...services);
    ls.lastRelease = release + (n - 1) * gap;
    t.wagons.forEach((w, i) => {
      const open = this.open(w, lane, q0 + i * gap, g0 + i * gap, release, release + i * gap, t.at);
      open.truth.train = { id: t.id, wagons: n, index: i };
      this.reading(open, lane, 'queue', open.truth.queueAt);
      this.reading(open, lane, 'gate', open.truth.gateAt);
      this.reading(open, lane, 'exit', open.truth.exitAt);
      this.decision(open);
      this.close(open);
    });
  }

  private open(d: UnitDraws, lane: LaneModel, queueAt: number, gateAt: number, releaseAt: number, exitAt: number, arrival: number): Open {
    let unit = d.unit;
    // Only when a unit of two days before is still inside (a queue longer than a day): not
    // the same text twice inside, at the cost of this unit's determinism by day.
    while (this.inside.has(unit)) unit = this.unitText(d.rng, lane.direction);
    const truth: UnitTruth = {
      type: 'unit',
      checkpoint: this.c.id,
      lane: lane.id,
      direction: lane.direction,
      unit,
      kind: this.c.unitKind,
      queueAt,
      gateAt,
      releaseAt,
      exitAt,
      channel: d.channel,
      declaration: d.declaration,
      faults: [],
      complete: true,
    };
    const open: Open = { truth, lastAt: arrival, key: d.key, rng: d.rng, faults: d.faults };
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
    if (this.isSilent(device)) {
      if (open && what) this.note(open, { fault: 'silent', device, what, at });
      return undefined;
    }
    return this.serial(at, device, 'gate-controller', Buffer.from(sentence, 'latin1'), open, what);
  }

  /**
   * A serial frame, maybe spoilt: a unit's frame by the unit's fault stream, a device's own
   * (heartbeat, idle weighbridge line) by a stream of the device and the instant.
   */
  private serial(
    at: number,
    device: string,
    kind: 'gate-controller' | 'scanner' | 'weighbridge',
    bytes: Buffer,
    open?: Open,
    what?: FaultTarget,
  ): SerialEmission {
    // (A device's own frame draws from a stream of its instant, made only when it is spoilt.)
    const own = open === undefined ? seedAt(this.frameSeed(device), at) : 0;
    if ((open ? open.faults.next() : own / 2 ** 32) < this.rates.corruptFrame) {
      const bad = corruptFrame(kind, bytes, open?.faults ?? new Prng(own ^ 0x5bd1e995));
      if (open && what) this.note(open, { fault: 'corrupt-frame', device, what, at, how: bad.how });
      return { at, kind: 'serial', device, bytes: bad.bytes, injected: { fault: 'corrupt-frame', how: bad.how } };
    }
    return { at, kind: 'serial', device, bytes };
  }

  private frameSeed(device: string): number {
    let s = this.frameSeeds.get(device);
    if (s === undefined) this.frameSeeds.set(device, (s = seedFor(this.seed, `${this.c.id}/frames/${device}`)));
    return s;
  }

  /** The booth scanner: the plate, the declaration's barcode (when the driver hands that over), or the container number. */
  private scan(open: Open, lane: LaneModel, at: number, declaration: boolean): void {
    const scanner = lane.scanner!;
    const code = scanner.reads === 'plate-or-declaration' && declaration ? open.truth.declaration : open.truth.unit;
    this.at(
      at,
      () => {
        if (this.isSilent(scanner.id)) {
          this.note(open, { fault: 'silent', device: scanner.id, what: 'scan', at });
          return undefined;
        }
        return this.serial(at, scanner.id, 'scanner', Buffer.from(scanLine(code), 'utf8'), open, 'scan');
      },
      open,
    );
  }

  /** A message id unique per device: the stamp and the unit's key (one message per unit, point and stamp). */
  private messageId(prefix: string, stamp: number, open: Open): string {
    return `${prefix}-${stamp.toString(36)}-${open.key}`;
  }

  /** A camera reads the unit at a point of its lane, if the lane has a camera there. */
  private reading(open: Open, lane: LaneModel, point: Point, at: number): void {
    const confidence = Math.round((0.8 + 0.19 * open.rng.next()) * 100) / 100;
    const cam = lane.cameras[point];
    if (cam === undefined) return;
    const event: CameraEvent = {
      id: this.messageId(cam, at, open),
      ts: isoVietnam(at),
      lane: lane.id,
      point,
      unit: open.truth.unit,
      kind: this.c.unitKind,
      confidence,
    };
    this.publish(open, cam, topics.camera(this.c.id, cam), event, cameraPayload(event), point, at);
  }

  /**
   * The customs decision on the unit's declaration: lodged before the unit reaches the
   * crossing (preLodgedShare), or while it waits; before the control point releases it.
   */
  private decision(open: Open): void {
    const { queueAt, releaseAt } = open.truth;
    const r = open.rng;
    const early = r.next() < this.preLodged;
    const before = r.int(60_000, LEAD_MS - 60_000);
    const after = r.int(30_000, 900_000);
    const stamp = early ? queueAt - before : Math.min(queueAt + after, releaseAt - 1000);
    const event: DecisionEvent = {
      id: this.messageId('dec', stamp, open),
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
    const f = open.faults;
    const r = this.rates;
    const late = f.next() < r.lateMessage ? f.int(r.lateMs[0], r.lateMs[1]) : 0;
    const at = stamp + late;
    const repeatAt = f.next() < r.repeatMessage ? at + f.int(200, 3000) : undefined;
    const camera = device !== CUSTOMS_FEED;
    let sent: MqttEmission | undefined;
    this.at(
      at,
      () => {
        if (this.isSilent(device)) {
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
