/**
 * The `clearance` records an edge agent wrote for a simulated stretch of a crossing, judged
 * against the simulator's ground truth: each unit's record is exact (its true lane, channel,
 * wait_s / process_s / total_s to the millisecond, weight), or differs as a fault recorded in
 * its truth allows (tracker.ts rules 1, 3, 4, 5, 9), or is unexplained:
 *
 *  - a camera reading that never reached the agent (missed, refused as a bad message, camera
 *    silent) leaves its stage to another source: the booth scanner for the gate (a declaration
 *    scan only once the decision naming the declaration came), the exit loop for the exit
 *    (FIFO: the unit longest at the lane's gate; none on lanes whose units leave in any
 *    order, where the site config has that setting), or none; the queue has no other source;
 *  - a message late within the lateness window, or repeated, changes nothing; a decision that
 *    comes after its unit was released no longer sets the channel ('unknown');
 *  - a spoilt or silent scanner frame loses that scan, a spoilt or silent loop sentence that
 *    loop edge (a lost `X 0` also the next unit's rising edge: the loop was never seen free),
 *    a spoilt or silent weighbridge may lose the weighing;
 *  - stages stamped on serial reception (loop edges, scans) are late by the transport delay.
 *
 * Also: what the emissions say each device's `device` record must count (frames, bad frames)
 * and how many duplicates the core must have dropped. Pure: no I/O.
 */
import { loopFields, scanLine } from '@gatewatch/shared';
import type { LaneInput } from '@gatewatch/edge';
import {
  CUSTOMS_FEED,
  simulate,
  type Crossing,
  type Emission,
  type FaultRates,
  type LaneModel,
  type OutageTruth,
  type SerialEmission,
  type UnitFault,
  type UnitTruth,
} from '@gatewatch/sim';

export const FAULT_KINDS = ['missed-read', 'corrupt-frame', 'bad-message', 'late', 'repeat', 'silent'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** A simulated stretch of a crossing: what the devices sent and the truth. */
export interface Stretch {
  crossing: Crossing;
  seed: number;
  fromMs: number;
  toMs: number;
  emissions: Emission[];
  units: UnitTruth[];
  outages: OutageTruth[];
  /** Units whose truth is complete and that left in the stretch: the ones judged. */
  judged: UnitTruth[];
  /** How often each kind of fault occurred: in the emissions, missed reads in unit truths, silent spells. */
  kinds: Record<FaultKind, number>;
}

export interface StretchOptions {
  crossing: Crossing;
  seed: number;
  fromMs: number;
  toMs: number;
  rateScale?: number;
  faults?: Partial<FaultRates>;
}

/** Simulates [fromMs, toMs) from an empty crossing, stopping at toMs (units inside then are incomplete). */
export function simulateStretch(o: StretchOptions): Stretch {
  const emissions: Emission[] = [];
  const units: UnitTruth[] = [];
  const outages: OutageTruth[] = [];
  const sim = simulate({ crossing: o.crossing, seed: o.seed, fromMs: o.fromMs, toMs: o.toMs, drain: false, rateScale: o.rateScale ?? 1, ...(o.faults ? { faults: o.faults } : {}) });
  for (const item of sim) {
    if (item.kind !== 'truth') emissions.push(item);
    else if (item.record.type === 'unit') units.push(item.record);
    else outages.push(item.record);
  }
  const judged = units.filter((u) => u.complete && u.exitAt >= o.fromMs && u.exitAt < o.toMs);
  const kinds = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  for (const e of emissions) if (e.injected) kinds[e.injected.fault]++;
  for (const u of units) for (const f of u.faults) if (f.fault === 'missed-read') kinds['missed-read']++;
  kinds.silent = outages.filter((s) => s.toMs > o.fromMs && s.fromMs < o.toMs).length;
  return { crossing: o.crossing, seed: o.seed, fromMs: o.fromMs, toMs: o.toMs, emissions, units, outages, judged, kinds };
}

// ------------------------------------------------------------------------------------------
// Transport delays

/** Reception stamp minus the emission's time, agent ms: of serial frames (loop edges, scans) and of messages. */
export interface Delays {
  serial: number[];
  mqtt: number[];
}

/** The key of a serial frame: gate sentences by their fields (`$PGWG,<seq>,LOOP,IN-1,X,1*CS` → LOOP,IN-1,X,1), scans as read. */
function frameKey(device: string, bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return `${device}\u0000${text.startsWith('$') ? text.replace(/^\$[^,]*,\d+,/, '').replace(/\*[0-9A-F]{2}\r\n$/, '') : text}`;
}

/**
 * An agent's decoded inputs (its trace) against the emissions: how late each loop edge, scan
 * and message was received. Weighings are left out (their frame is one of many alike).
 */
export function transportDelays(stretch: Stretch, inputs: readonly LaneInput[], skewMs = 0): Delays {
  const serialAt = new Map<string, number[]>();
  const mqttAt = new Map<string, number>();
  for (const e of stretch.emissions) {
    if (e.injected?.fault === 'corrupt-frame' || e.injected?.fault === 'bad-message') continue;
    if (e.kind === 'serial') {
      const key = frameKey(e.device, e.bytes);
      serialAt.set(key, [...(serialAt.get(key) ?? []), e.at]);
    } else {
      let id: string;
      try {
        id = `${e.device}/${(JSON.parse(e.payload) as { id: string }).id}`;
      } catch {
        continue; // the repeat of a message cut off on the way
      }
      if (!mqttAt.has(id)) mqttAt.set(id, e.at);
    }
  }
  const delays: Delays = { serial: [], mqtt: [] };
  const seen = new Set<string>();
  const POINT = { queue: 'Q', gate: 'G', exit: 'X' } as const;
  for (const i of inputs) {
    const device = i.id.slice(0, i.id.indexOf(':'));
    let key: string | undefined;
    if (i.type === 'loop') key = `${device}\u0000${loopFields(i.lane, POINT[i.point], true)}`;
    else if (i.type === 'declarationScan') key = `${device}\u0000${scanLine(i.declaration)}`;
    else if (i.type === 'sighting' && i.source === 'scanner') key = `${device}\u0000${scanLine(i.unit)}`;
    if (key !== undefined) {
      // The latest such frame sent at or before its reception.
      const sent = serialAt.get(key)?.filter((at) => at <= i.rx + skewMs) ?? [];
      if (sent.length > 0) delays.serial.push(i.rx - sent[sent.length - 1]!);
      continue;
    }
    if (i.type === 'weight' || seen.has(i.id)) continue;
    seen.add(i.id); // the first delivery of a message id; repeats come later on purpose
    const at = mqttAt.get(i.id);
    if (at !== undefined) delays.mqtt.push(i.rx - at);
  }
  return delays;
}

// ------------------------------------------------------------------------------------------
// What the agent may have made of each unit

/** A stage time the agent may have measured, ms: lo..hi (equal when stamped by the device). */
export interface Span {
  /** When it happened (device stamp, or when the frame was sent). */
  at: number;
  /** When the agent could know it (the message or frame that gives it was sent). */
  knownAt: number;
  lo: number;
  hi: number;
  via: 'queue camera' | 'gate camera' | 'exit camera' | 'booth scan' | 'exit loop';
}
const exact = (t: number, via: Span['via'], knownAt = t): Span => ({ at: t, knownAt, lo: t, hi: t, via });

/** The agent's tick (agent.ts TICK_MS): releases and exit-loop resolutions happen on ticks. */
const TICK_MS = 1000;

/** What the judge allows for transport: the largest delays (agent ms) and the clock skew between agent and player. */
export interface Transport {
  serialMs: number;
  mqttMs: number;
  skewMs: number;
}

export interface Expectation {
  unit: UnitTruth;
  lane: LaneModel;
  /** Alternatives for each stage; null: the agent has no such stage. */
  queue: (Span | null)[];
  gate: (Span | null)[];
  /** null: the unit never gets an exit, so no clearance (its timeout is hours away). */
  exit: (Span | null)[];
  channel: string[];
  weight: (number | undefined)[];
  /** The faults (of this unit or a neighbour on its lane) the alternatives come from. */
  because: string[];
}

type Reading = { ok: false; why?: UnitFault; unsent?: true } | { ok: true; lateMs: number; sentAt: number };

const LOST: ReadonlySet<UnitFault['fault']> = new Set(['missed-read', 'bad-message', 'silent']);

/** A serial frame about `what` that was spoilt or not sent (silent device). */
const frameLost = (u: UnitTruth, what: UnitFault['what']): UnitFault | undefined =>
  u.faults.find((f) => f.what === what && (f.fault === 'corrupt-frame' || f.fault === 'silent'));

const describe = (f: UnitFault): string => `${f.fault}${f.how ? `(${f.how})` : ''}${f.byMs ? `(${f.byMs} ms)` : ''} ${f.device}/${f.what}`;

export class Judge {
  readonly expectations = new Map<UnitTruth, Expectation>();
  private readonly scans = new Map<string, SerialEmission[]>();
  /** When each good camera reading and decision was first sent: device, unit, point (or 'decision'). */
  private readonly sent = new Map<string, number>();
  private readonly c: Crossing;

  constructor(
    private readonly stretch: Stretch,
    /** The agent's lateness window W. */
    private readonly W: number,
    private readonly t: Transport,
    /** Lanes whose unclaimed exit-loop edges go to no unit (lane setting exitOrder 'any', where the site has it). */
    private readonly anyOrder: ReadonlySet<string> = new Set(),
  ) {
    this.c = stretch.crossing;
    for (const e of stretch.emissions) {
      if (e.kind !== 'serial' || !this.c.lanes.some((l) => l.scanner?.id === e.device)) continue;
      const key = `${e.device}\u0000${e.bytes.toString('utf8')}`;
      this.scans.set(key, [...(this.scans.get(key) ?? []), e]);
    }
    for (const e of stretch.emissions) {
      if (e.kind !== 'mqtt' || e.injected?.fault === 'bad-message') continue;
      let m: { unit?: string; point?: string };
      try {
        m = JSON.parse(e.payload) as { unit?: string; point?: string };
      } catch {
        continue;
      }
      const key = `${e.device}\u0000${m.unit}\u0000${e.device === CUSTOMS_FEED ? 'decision' : m.point}`;
      if (!this.sent.has(key)) this.sent.set(key, e.at);
    }
    for (const u of stretch.units) this.expectations.set(u, this.stages(u));
    for (const lane of this.c.lanes) {
      this.walkExits(lane);
      this.shiftWeighings(lane);
    }
  }

  /** Stamped on serial reception: late by the transport delay. */
  private serial(t: number, via: Span['via'], knownAt = t): Span {
    return { at: t, knownAt, lo: t - this.t.skewMs, hi: t + this.t.serialMs + this.t.skewMs, via };
  }

  /**
   * Whether a message (camera at `what`, or the decision) reached the agent, when it was sent
   * and how late. A reading the truth does not call lost may still not have been sent: when
   * the stretch ended first (its unit's truth is then incomplete).
   */
  private reading(u: UnitTruth, device: string | undefined, what: UnitFault['what']): Reading {
    if (device === undefined) return { ok: false };
    const lost = u.faults.find((f) => f.device === device && f.what === what && LOST.has(f.fault));
    if (lost) return { ok: false, why: lost };
    const sentAt = this.sent.get(`${device}\u0000${u.unit}\u0000${what}`);
    if (sentAt === undefined) return { ok: false, unsent: true };
    const late = u.faults.find((f) => f.device === device && f.what === what && f.fault === 'late');
    return { ok: true, lateMs: late?.byMs ?? 0, sentAt };
  }

  /** Queue, gate, channel and weight of one unit (rules 1, 3, 4, 5). */
  private stages(u: UnitTruth): Expectation {
    const lane = this.c.lanes.find((l) => l.id === u.lane)!;
    const because: string[] = [];
    const note = (f: UnitFault | undefined, effect: string): void => {
      if (f) because.push(`${describe(f)} → ${effect}`);
    };
    const q = this.reading(u, lane.cameras.queue, 'queue');
    note(q.ok ? undefined : q.why, 'no queue stage');
    const queue = q.ok ? [exact(u.queueAt, 'queue camera')] : [null];

    const decision = this.reading(u, CUSTOMS_FEED, 'decision');
    const late = decision.ok ? u.faults.find((f) => f.device === CUSTOMS_FEED && f.what === 'decision' && f.fault === 'late') : undefined;
    // Surely applied when received before exit + W (the unit's release); else it may come after it (rule 5).
    const maybeAfterRelease = late !== undefined && late.at + this.t.mqttMs + this.t.skewMs >= u.exitAt + this.W;
    note(decision.ok ? undefined : decision.why, "channel 'unknown'");
    if (maybeAfterRelease) note(late, "channel may be 'unknown' (received about the unit's release)");
    const channel = !decision.ok ? ['unknown'] : maybeAfterRelease ? [u.channel, 'unknown'] : [u.channel];

    const g = this.reading(u, lane.cameras.gate, 'gate');
    let gate: (Span | null)[] = [exact(u.gateAt, 'gate camera', g.ok ? g.sentAt : u.gateAt)];
    if (!g.ok) {
      note(g.why, 'gate from the booth scan, or none');
      gate = [null];
      const scan = lane.scanner ? this.scanOf(lane.scanner.id, u) : undefined;
      const lost = frameLost(u, 'scan');
      note(lost, 'no scan');
      // A declaration scan becomes a gate sighting once the decision naming it came (rule 3).
      if (scan && !lost && (!scan.declaration || decision.ok)) {
        // Known when scanned, or for a declaration when the decision naming it came.
        gate = [this.serial(scan.at, 'booth scan', scan.declaration && decision.ok ? Math.max(scan.at, decision.sentAt) : scan.at)];
        if (scan.declaration && maybeAfterRelease) gate.push(null);
      }
    }

    let weight: (number | undefined)[] = [u.weightKg];
    if (u.weightKg !== undefined) {
      const lost = frameLost(u, 'weight');
      if (lost || gate.includes(null)) {
        note(lost, 'weighing may be lost');
        weight = [u.weightKg, undefined];
      }
    }
    return { unit: u, lane, queue, gate, exit: [], channel, weight, because };
  }

  /**
   * Rule 4 matches a weighing to the unit most recently at the lane's gate, or keeps it for the
   * next one: when a weighing is lost (spoilt or silent frames, or the bridge never seen empty
   * before it), or a gate time comes from the scan (after the weighing), a weighing may go to a
   * neighbour on the lane. Allowed then, for the units up to two places either side: no weight,
   * or the true weight of one of them.
   */
  private shiftWeighings(lane: LaneModel): void {
    if (!lane.weighbridge) return;
    const xs = this.stretch.units
      .filter((u) => u.lane === lane.id)
      .sort((a, b) => a.gateAt - b.gateAt)
      .map((u) => this.expectations.get(u)!);
    const upset = xs.map((x) => frameLost(x.unit, 'weight') !== undefined || x.gate[0]?.via !== 'gate camera');
    xs.forEach((x, i) => {
      const near = xs.slice(Math.max(0, i - 2), i + 3);
      const cause = near.find((_, k) => upset[Math.max(0, i - 2) + k]);
      if (!cause) return;
      for (const n of near) if (!x.weight.includes(n.unit.weightKg)) x.weight.push(n.unit.weightKg);
      if (!x.weight.includes(undefined)) x.weight.push(undefined);
      if (cause !== x) x.because.push(`weighing of ${cause.unit.unit} lost or matched late → weights may shift on ${lane.id}`);
    });
  }

  private scanOf(scanner: string, u: UnitTruth): { at: number; declaration: boolean } | undefined {
    for (const [code, declaration] of [
      [u.unit, false],
      [u.declaration, true],
    ] as const) {
      const e = this.scans.get(`${scanner}\u0000${scanLine(code)}`)?.find((s) => s.at >= u.gateAt && s.at <= u.exitAt);
      if (e) return { at: e.at, declaration };
    }
    return undefined;
  }

  /**
   * Exits on one lane, in exit order (rule 9): a camera reading gives the true exit and claims
   * the unit's exit-loop edge (received less than W apart); an edge no reading claims becomes,
   * W after its reception, the exit of the unit longest at the lane's gate without an exit.
   * An edge is an `X 1` after the loop was last reported free (the gate controller's tracker),
   * so a lost `X 0` also costs the next unit its edge.
   */
  private walkExits(lane: LaneModel): void {
    const { W, t } = this;
    const onLane = this.stretch.units.filter((u) => u.lane === lane.id && u.exitAt < this.stretch.toMs).sort((a, b) => a.exitAt - b.exitAt);
    let occupied: boolean | undefined;
    const atGate: Expectation[] = [];
    const give = (x: Expectation, s: Span, why?: string): void => {
      x.exit.push(s);
      if (why) x.because.push(why);
      const i = atGate.indexOf(x);
      if (i >= 0) atGate.splice(i, 1);
    };
    // The edge is resolved on the first tick at least W after its reception: the units whose
    // gate stage the agent knew by then are the candidates (surely, when received before).
    const fifo = (edge: Span, of: UnitTruth): Expectation | undefined => {
      if (this.anyOrder.has(lane.id)) return undefined;
      const due = edge.at + W;
      let best: Expectation | undefined;
      for (const x of atGate) {
        const g = x.gate[0]!;
        if (g.lo > edge.hi || g.knownAt > due + t.serialMs + t.skewMs + TICK_MS) continue;
        if (!best || g.lo < best.gate[0]!.lo) best = x;
      }
      if (!best) return undefined;
      give(best, edge, best.unit === of ? undefined : `exit from the loop edge of ${of.unit} (the unit longest at the gate)`);
      const g = best.gate[0]!;
      if (g.knownAt + t.mqttMs + t.skewMs >= due) {
        // Its gate stage may have come after the edge was resolved: then no exit from it.
        best.exit.push(null);
        best.because.push(`gate stage known about the exit-loop resolution → exit from the loop, or none`);
      }
      return best;
    };
    for (const u of onLane) {
      const x = this.expectations.get(u)!;
      if (x.gate[0]) atGate.push(x);
      const x1 = frameLost(u, 'loop-X-1');
      const x0 = frameLost(u, 'loop-X-0');
      // Only where the gate controller watches the lane's loops (not on a railway track).
      const edge = lane.loops && !x1 && occupied !== true ? this.serial(u.exitAt, 'exit loop') : undefined;
      if (!x1) occupied = true;
      if (!x0) occupied = false;
      const cam = this.reading(u, lane.cameras.exit, 'exit');
      const edgeNote = (): void => {
        if (x1) x.because.push(`${describe(x1)} → no exit-loop edge`);
        else if (!edge) x.because.push('no exit-loop edge: the loop was not seen free after the unit before');
      };
      if (cam.ok && cam.lateMs + t.mqttMs + t.skewMs < W - t.serialMs) {
        give(x, exact(u.exitAt, 'exit camera'));
      } else if (cam.ok) {
        // Late about the window: the reading may claim the edge (true exit) or come after the
        // edge went to the unit longest at the gate, too late for it if that was this unit.
        x.because.push(`late(${cam.lateMs} ms) ${lane.cameras.exit}/exit → exit from the reading or the loop`);
        // Received after any tick that could resolve the edge: the edge is the exit.
        const beyond = cam.lateMs - t.serialMs - t.skewMs >= W + t.mqttMs + TICK_MS;
        const picked = edge ? fifo(edge, u) : undefined;
        if (picked !== x) give(x, exact(u.exitAt, 'exit camera'));
        else if (!beyond) x.exit.push(exact(u.exitAt, 'exit camera'));
      } else {
        x.because.push(`${cam.why ? describe(cam.why) : cam.unsent ? 'exit reading not sent before the end' : 'no exit camera'} → exit from the loop, or none`);
        edgeNote();
        if (edge) fifo(edge, u);
      }
    }
    for (const u of this.stretch.units.filter((v) => v.lane === lane.id)) {
      const x = this.expectations.get(u)!;
      if (x.exit.length === 0) x.exit.push(null);
    }
  }
}

/** The lanes of a site config whose units may leave out of order (exitOrder 'any', on sites that have the setting). */
export function anyOrderLanes(lanes: readonly { id: string }[]): Set<string> {
  return new Set(lanes.filter((l) => (l as { exitOrder?: string }).exitOrder === 'any').map((l) => l.id));
}

// ------------------------------------------------------------------------------------------
// Verdicts

/** A clearance point as InfluxDB returns it (or as the outbox holds it). */
export interface ClearanceRow {
  unit: string;
  lane: string;
  kind: string;
  channel: string;
  outcome: string;
  wait_s?: number | null;
  process_s?: number | null;
  total_s?: number | null;
  weight_kg?: number | null;
}

export interface Verdict {
  unit: UnitTruth;
  status: 'exact' | 'explained' | 'unexplained';
  detail: string;
  /** How late a serial-stamped stage was, when the record shows it (agent ms). */
  serialOffsetMs?: number;
}

const toMs = (s: number | null | undefined): number | null => (s === null || s === undefined ? null : Math.round(s * 1000));
const within = (v: number | null, a: Span | null, b: Span | null): boolean =>
  a === null || b === null ? v === null : v !== null && v >= b.lo - a.hi && v <= b.hi - a.lo;

export function verdict(x: Expectation, row: ClearanceRow | undefined): Verdict {
  const u = x.unit;
  const why = x.because.length > 0 ? x.because.join('; ') : 'no fault';
  if (!row) {
    return x.exit.includes(null)
      ? { unit: u, status: 'explained', detail: `no clearance: ${why}` }
      : { unit: u, status: 'unexplained', detail: `no clearance, yet it exits (${why})` };
  }
  const ideal = { queue: x.lane.cameras.queue ? u.queueAt : null, gate: u.gateAt, exit: u.exitAt };
  const diff = (a: number | null, b: number | null): number | null => (a === null || b === null ? null : b - a);
  const got = { wait: toMs(row.wait_s), process: toMs(row.process_s), total: toMs(row.total_s) };
  if (row.outcome === 'timeout') {
    // No exit ever reached the agent (rule 7): written when the unit timed out, with what it saw.
    const fits =
      x.exit.includes(null) &&
      row.lane === u.lane &&
      row.kind === u.kind &&
      x.channel.includes(row.channel) &&
      x.weight.includes(row.weight_kg ?? undefined) &&
      got.process === null &&
      got.total === null &&
      x.queue.some((q) => x.gate.some((g) => within(got.wait, q, g)));
    const detail = `timed out: got ${row.lane} ${row.channel} wait ${got.wait} ms (${why})`;
    return { unit: u, status: fits && x.because.length > 0 ? 'explained' : 'unexplained', detail };
  }
  const want = { wait: diff(ideal.queue, ideal.gate), process: diff(ideal.gate, ideal.exit), total: diff(ideal.queue, ideal.exit) };
  const weight = row.weight_kg ?? undefined;
  const same = row.lane === u.lane && row.kind === u.kind && row.outcome === 'released';
  if (same && row.channel === u.channel && got.wait === want.wait && got.process === want.process && got.total === want.total && weight === u.weightKg) {
    return { unit: u, status: 'exact', detail: '' };
  }
  const shown = `got ${row.lane} ${row.kind} ${row.outcome} ${row.channel} ${JSON.stringify(got)} ${weight ?? '-'} kg, truth ${u.lane} ${u.kind} ${u.channel} ${JSON.stringify(want)} ${u.weightKg ?? '-'} kg`;
  const fits =
    same &&
    x.channel.includes(row.channel) &&
    x.weight.includes(weight) &&
    x.queue.some((q) => x.gate.some((g) => x.exit.some((e) => e !== null && within(got.wait, q, g) && within(got.process, g, e) && within(got.total, q, e))));
  if (!fits || x.because.length === 0) return { unit: u, status: 'unexplained', detail: `${shown} (${why})` };
  // How late the serial stamp was, where the record shows it: exit from the unit's own loop edge
  // after an exact gate, or gate from the scan after an exact queue.
  let serialOffsetMs: number | undefined;
  const g = x.gate[0];
  const q = x.queue[0];
  if (g?.via === 'gate camera' && got.process !== null && got.process !== want.process && x.exit.some((e) => e?.via === 'exit loop' && e.at === u.exitAt)) {
    serialOffsetMs = g.at + got.process - u.exitAt;
  } else if (g?.via === 'booth scan' && q && got.wait !== null) {
    serialOffsetMs = q.at + got.wait - g.at;
  }
  return { unit: u, status: 'explained', detail: `${shown} (${why})`, ...(serialOffsetMs !== undefined ? { serialOffsetMs } : {}) };
}

/** The verdict on every judged unit, and the clearances that match no unit of the truth or one too often. */
export function judgeAll(judge: Judge, stretch: Stretch, rows: readonly ClearanceRow[]): { verdicts: Verdict[]; strangers: ClearanceRow[]; twice: string[] } {
  const truthUnits = new Map<string, number>();
  for (const u of stretch.units) truthUnits.set(u.unit, (truthUnits.get(u.unit) ?? 0) + 1);
  const byUnit = new Map<string, ClearanceRow[]>();
  for (const r of rows) byUnit.set(r.unit, [...(byUnit.get(r.unit) ?? []), r]);
  const strangers = rows.filter((r) => !truthUnits.has(r.unit));
  const twice = [...byUnit].filter(([unit, list]) => list.length > (truthUnits.get(unit) ?? 0)).map(([unit]) => unit);
  const verdicts = stretch.judged.map((u) => verdict(judge.expectations.get(u)!, byUnit.get(u.unit)?.[0]));
  return { verdicts, strangers, twice };
}

// ------------------------------------------------------------------------------------------
// Devices and duplicates

/** What each device's record must count at the end: good frames (messages) and bad ones. */
export function expectedDeviceCounts(stretch: Stretch): { devices: Map<string, { frames: number; bad_frames: number }>; goodRepeats: number } {
  const devices = new Map<string, { frames: number; bad_frames: number }>();
  const badPayloads = new Set<string>();
  let goodRepeats = 0;
  for (const e of stretch.emissions) {
    let bad: boolean;
    if (e.kind === 'serial') bad = e.injected?.fault === 'corrupt-frame';
    else {
      const key = `${e.device}\u0000${e.payload}`;
      if (e.injected?.fault === 'bad-message') badPayloads.add(key);
      // A repeat is the first delivery again, refused again when that was refused.
      bad = badPayloads.has(key);
      if (e.injected?.fault === 'repeat' && !bad) goodRepeats++;
    }
    const d = devices.get(e.device) ?? { frames: 0, bad_frames: 0 };
    if (bad) d.bad_frames++;
    else d.frames++;
    devices.set(e.device, d);
  }
  return { devices, goodRepeats };
}

/** One line for the README. */
export function summaryLine(verdicts: readonly Verdict[]): string {
  const n = (s: Verdict['status']): number => verdicts.filter((v) => v.status === s).length;
  return `${verdicts.length} units, ${n('exact')} exact, ${n('explained')} explained by faults, ${n('unexplained')} unexplained`;
}
