import { createHash } from 'node:crypto';
import {
  GateControllerParser,
  ScannerParser,
  stepWeighing,
  WeighbridgeParser,
  WEIGHING_START,
  type GateFrame,
  type WeighingState,
  type WeightReading,
} from '@gatewatch/edge';
import {
  decodeCameraEvent,
  decodeDecisionEvent,
  isPlate,
  isValidContainerNumber,
  parseTimestamp,
  parseTopic,
  type Channel,
  type Result,
  type ScanCode,
} from '@gatewatch/shared';
import { describe, expect, it } from 'vitest';
import { CROSSING_IDS, CROSSINGS, type CrossingId } from './corridor.js';
import { NO_FAULTS, type FaultRates } from './faults.js';
import { isLaneOpen, localDay, localDayStart, localHour } from './profile.js';
import { LEAD_MS, simulate, simulateDay, type Emission, type MqttEmission, type SerialEmission, type SimItem, type SimulateOptions, type UnitTruth } from './simulate.js';

const DAY = '2026-11-25';
const D0 = localDayStart(DAY);
const H = 3600_000;

/** Faults at rates high enough that an hour shows every kind. */
const MANY_FAULTS: Partial<FaultRates> = {
  missedRead: 0.1,
  corruptFrame: 0.02,
  repeatMessage: 0.1,
  badMessage: 0.05,
  lateMessage: 0.1,
  silencesPerDeviceDay: 12,
  silenceMs: [20_000, 120_000],
};

function collect(items: Iterable<SimItem>): { emissions: Emission[]; units: UnitTruth[]; all: SimItem[] } {
  const all = [...items];
  const emissions = all.filter((i): i is Emission => i.kind !== 'truth');
  const units = all.flatMap((i) => (i.kind === 'truth' && i.record.type === 'unit' ? [i.record] : []));
  return { emissions, units, all };
}

const days = new Map<string, ReturnType<typeof collect>>();
/** One seeded day of a crossing (default faults), computed once per test file. */
function day(id: CrossingId, seed = 1): ReturnType<typeof collect> {
  const key = `${id}/${seed}`;
  let d = days.get(key);
  if (!d) days.set(key, (d = collect(simulateDay({ crossing: id, seed, day: DAY }))));
  return d;
}

function hash(items: Iterable<SimItem>): string {
  const h = createHash('sha256');
  for (const i of items) {
    if (i.kind === 'serial') h.update(`${i.at}|s|${i.device}|${i.bytes.toString('hex')}|${JSON.stringify(i.injected)}\n`);
    else if (i.kind === 'mqtt') h.update(`${i.at}|m|${i.device}|${i.topic}|${i.payload}|${JSON.stringify(i.injected)}\n`);
    else h.update(`${i.at}|t|${JSON.stringify(i.record)}\n`);
  }
  return h.digest('hex');
}

/** What the tests need of the edge's parser streams (FrameParser<T> is invariant in T). */
interface Parser {
  write(chunk: Buffer): boolean;
  read(): unknown;
}

/**
 * Feeds one emission's bytes to a device's parser (one parser per device, kept across its
 * emissions, like the edge's) and returns what came out of it: the Transform decodes in
 * write(), so its readable side holds the results at once.
 */
function decoder(parser: Parser): (bytes: Buffer) => Result<unknown>[] {
  return (bytes) => {
    parser.write(bytes);
    const out: Result<unknown>[] = [];
    for (let r = parser.read() as Result<unknown> | null; r !== null; r = parser.read() as Result<unknown> | null) out.push(r);
    return out;
  };
}

describe('determinism', () => {
  it.each(CROSSING_IDS)('%s: the same seed and day give identical emissions and truth; another seed differs', (id) => {
    const run = (seed: number): string => hash(simulateDay({ crossing: id, seed, day: DAY }));
    const a = run(20261125);
    expect(run(20261125)).toBe(a);
    expect(run(20261126)).not.toBe(a);
  });

  describe('by day: what arrives on a day does not depend on where the run starts', () => {
    const DAYMS = 24 * H;
    /** Truth and each unit's MQTT messages (ids, stamps, payloads) of a run, stopped a day after D ends. */
    const play = (id: CrossingId, fromMs: number, toMs: number): { units: UnitTruth[]; messages: Map<string, string[]>; outages: string[] } => {
      const units: UnitTruth[] = [];
      const messages = new Map<string, string[]>();
      const outages: string[] = [];
      for (const item of simulate({ crossing: id, seed: 77, fromMs, toMs })) {
        if (item.at > D0 + 2 * DAYMS) break;
        if (item.kind === 'truth') {
          if (item.record.type === 'unit') units.push(item.record);
          else if (item.record.fromMs >= D0 && item.record.fromMs < D0 + DAYMS) outages.push(JSON.stringify(item.record));
        } else if (item.kind === 'mqtt' && item.at >= D0 - LEAD_MS) {
          // (A unit with the same text two days before is another unit.) A decision lodged
          // before D is delivered as a run from D starts: the same message.
          const unit = /"unit":"([^"]*)"/.exec(item.payload)?.[1] ?? '?';
          messages.set(unit, [...(messages.get(unit) ?? []), `${Math.max(item.at, D0)} ${item.payload} ${JSON.stringify(item.injected)}`]);
        }
      }
      return { units, messages, outages };
    };
    const ofDay = (units: readonly UnitTruth[]): UnitTruth[] => units.filter((u) => u.queueAt >= D0 && u.queueAt < D0 + DAYMS);
    const identity = (u: UnitTruth): string => `${u.unit} ${u.direction} ${u.channel} ${u.declaration}`;
    /**
     * The run's lanes are empty at `t`: nobody waits or stands at a control point, and the last
     * unit left it long enough ago for the next to have pulled forward (rail: the train's last wagon).
     */
    const emptyAt = (id: CrossingId, units: readonly UnitTruth[], t: number): boolean =>
      units.every((u) => u.queueAt >= t || (u.train ? u.exitAt : u.releaseAt) + CROSSINGS[id].pullForwardS[1] * 1000 <= t);

    it.each(CROSSING_IDS)('%s: the same units, and from the first moment both runs find the crossing empty, the same truth and messages', (id) => {
      const day = play(id, D0, D0 + DAYMS);
      const runs = { 'three days before': play(id, D0 - 3 * DAYMS, D0 + DAYMS), 'live, from the noon before': play(id, D0 - 12 * H, Infinity) };
      const mine = ofDay(day.units);
      expect(mine.length).toBeGreaterThan(200);
      for (const [name, run] of Object.entries(runs)) {
        const theirs = ofDay(run.units);
        // The same units with the same channels and declarations (units of the day before may
        // still be driving over the queue loop at midnight: seconds, and of the other parity).
        const ids = new Set(theirs.map(identity));
        expect(mine.filter((u) => !ids.has(identity(u))), name).toEqual([]);
        const mineIds = new Set(mine.map(identity));
        expect(theirs.filter((u) => !mineIds.has(identity(u))).every((u) => u.queueAt < D0 + 10_000), name).toBe(true);
        // Once both runs find the crossing empty, everything is the same: times, lanes, weights, faults.
        const common = [...mine].sort((a, b) => a.queueAt - b.queueAt).find((u) => emptyAt(id, mine, u.queueAt) && emptyAt(id, run.units, u.queueAt))!;
        expect(common, name).toBeDefined();
        // (Soon: Kim Thanh opens at 07:00.)
        expect(common.queueAt - D0, name).toBeLessThan(id === 'kim-thanh-road' ? 7.5 * H : 6 * H);
        const after = (us: readonly UnitTruth[]): UnitTruth[] => us.filter((u) => u.queueAt >= common.queueAt);
        expect(after(theirs), name).toEqual(after(mine));
        for (const u of after(mine)) expect(run.messages.get(u.unit), `${name} ${u.unit}`).toEqual(day.messages.get(u.unit));
        // Silent spells of the day: the same.
        expect(run.outages, name).toEqual(day.outages);
      }
      // Kim Thanh is closed at night: the crossing is empty when it opens, so the whole day is the same.
      if (id === 'kim-thanh-road') expect(ofDay(runs['three days before'].units)).toEqual(mine);
    });

    it('the day of a run that starts at noon is the same after noon as in a run from midnight', () => {
      const noon = D0 + 12 * H;
      const fromNoon = collect(simulate({ crossing: 'kim-thanh-road', seed: 77, fromMs: noon, toMs: D0 + DAYMS })).units;
      const fromMidnight = play('kim-thanh-road', D0, D0 + DAYMS).units;
      const ids = new Set(fromMidnight.map(identity));
      expect(fromNoon.length).toBeGreaterThan(100);
      expect(fromNoon.filter((u) => !ids.has(identity(u)))).toEqual([]);
    });
  });

  it('fault rates do not change the traffic of a seed', () => {
    const plain = (u: UnitTruth): unknown => ({ ...u, faults: [] });
    const without = collect(simulateDay({ crossing: 'kim-thanh-road', seed: 3, day: DAY, faults: NO_FAULTS })).units;
    const withFaults = day('kim-thanh-road', 3).units;
    expect(withFaults.map(plain)).toEqual(without.map(plain));
    expect(without.every((u) => u.faults.length === 0)).toBe(true);
  });
});

describe('the stream', () => {
  it.each(CROSSING_IDS)('%s: comes in time order, every unit after its last frame', (id) => {
    const { all, units } = day(id);
    for (let i = 1; i < all.length; i++) expect(all[i]!.at).toBeGreaterThanOrEqual(all[i - 1]!.at);
    expect(units.length).toBeGreaterThan(50);
    expect(units.every((u) => u.complete)).toBe(true);
  });

  it('is lazy: an endless live run gives its first items at once', () => {
    const live = simulate({ crossing: 'kim-thanh-road', seed: 1, fromMs: D0 + 8 * H, toMs: Infinity });
    const first: SimItem[] = [];
    for (const item of live) {
      first.push(item);
      if (first.length === 2000) break;
    }
    expect(first[0]!.at).toBeGreaterThanOrEqual(D0 + 8 * H);
    expect(first.some((i) => i.kind === 'mqtt')).toBe(true);
  });

  it('without drain stops at the end of the range; units still inside are marked incomplete', () => {
    const end = D0 + 10 * H;
    const { all, units } = collect(simulate({ crossing: 'dinh-vu-port', seed: 1, fromMs: D0 + 8 * H, toMs: end, drain: false }));
    expect(all.every((i) => i.at < end || i.kind === 'truth')).toBe(true);
    const inside = units.filter((u) => !u.complete);
    expect(inside.length).toBeGreaterThan(0);
    expect(inside.every((u) => u.exitAt >= end - 10_000)).toBe(true);
    // With drain (the default) the same units all leave, with the same times.
    const drained = collect(simulate({ crossing: 'dinh-vu-port', seed: 1, fromMs: D0 + 8 * H, toMs: end })).units;
    const key = (u: UnitTruth): string => `${u.unit}@${u.queueAt}-${u.gateAt}-${u.exitAt}`;
    expect(new Set(drained.map(key))).toEqual(new Set(units.map(key)));
    expect(drained.every((u) => u.complete)).toBe(true);
  });
});

describe('serial frames decode with the edge parsers, and only the injected corrupt ones are refused', () => {
  const parserFor = (device: string): Parser =>
    device.startsWith('gate-ctl')
      ? new GateControllerParser({ device })
      : device.startsWith('scanner')
        ? new ScannerParser({ device })
        : new WeighbridgeParser({ device });

  it.each(['kim-thanh-road', 'dinh-vu-port'] as const)('%s, one simulated hour with many faults', (id) => {
    const opts: SimulateOptions = { crossing: id, seed: 11, fromMs: D0 + 8 * H, toMs: D0 + 9 * H, drain: false, faults: MANY_FAULTS };
    const { emissions, all } = collect(simulate(opts));
    const serial = emissions.filter((e): e is SerialEmission => e.kind === 'serial');
    const decoders = new Map<string, (b: Buffer) => Result<unknown>[]>();
    const units = all.flatMap((i) => (i.kind === 'truth' && i.record.type === 'unit' ? [i.record] : []));
    const corrupt = new Map<string, number>();
    let lastSeq: number | undefined;
    let corruptSinceLast = 0;
    for (const e of serial) {
      let decode = decoders.get(e.device);
      if (!decode) decoders.set(e.device, (decode = decoder(parserFor(e.device))));
      const out = decode(e.bytes);
      if (e.injected?.fault === 'corrupt-frame') {
        corrupt.set(e.injected.how, (corrupt.get(e.injected.how) ?? 0) + 1);
        expect(out.map((r) => r.ok), `${e.device} ${JSON.stringify(e.bytes.toString('latin1'))}`).toEqual([false]);
        if (e.device === 'gate-ctl') corruptSinceLast++;
        continue;
      }
      expect(e.injected).toBeUndefined();
      expect(out.map((r) => (r.ok ? 'ok' : r.error.message)), `${e.device} ${JSON.stringify(e.bytes.toString('latin1'))}`).toEqual(['ok']);
      const value = (out[0] as { ok: true; value: unknown }).value;
      if (e.device === 'gate-ctl') {
        // Sentence numbers run on; a gap is a spoilt sentence (or, in a silent spell, lost ones).
        const seq = (value as GateFrame).seq;
        if (lastSeq !== undefined) expect(seq - lastSeq).toBeGreaterThanOrEqual(1 + corruptSinceLast);
        lastSeq = seq;
        corruptSinceLast = 0;
      } else if (e.device.startsWith('scanner')) {
        const code = value as ScanCode;
        const lane = e.device.slice('scanner-'.length);
        const named = code.type === 'declaration' ? code.declaration : code.unit;
        expect(units.some((u) => u.lane === lane && (u.unit === named || u.declaration === named))).toBe(true);
      }
    }
    // Every kind of spoilt frame was played, and each corrupt frame the truth names on a unit was sent spoilt.
    expect([...corrupt.keys()].sort()).toEqual(id === 'kim-thanh-road' ? ['checksum', 'dropout', 'noise'] : ['checksum', 'noise']);
    const sentCorrupt = new Set(serial.filter((e) => e.injected?.fault === 'corrupt-frame').map((e) => `${e.device}@${e.at}`));
    const truthCorrupt = units.flatMap((u) => u.faults.filter((f) => f.fault === 'corrupt-frame').map((f) => `${f.device}@${f.at}`));
    expect(truthCorrupt.length).toBeGreaterThan(0);
    for (const k of truthCorrupt) expect(sentCorrupt.has(k)).toBe(true);
  });

  it('kim-thanh-road without faults: one weighing per weighed truck, its true weight; one loop edge per unit and point; the barrier opens at the release', () => {
    const { emissions, units } = collect(simulateDay({ crossing: 'kim-thanh-road', seed: 5, day: DAY, faults: NO_FAULTS }));
    const weighings = new Map<string, number[]>();
    const openings = new Map<string, number[]>();
    const edges = new Map<string, number>();
    const state = new Map<string, WeighingState>();
    const loopState = new Map<string, boolean>();
    const decoders = new Map<string, (b: Buffer) => Result<unknown>[]>();
    for (const e of emissions) {
      if (e.kind !== 'serial' || e.device.startsWith('scanner')) continue;
      let decode = decoders.get(e.device);
      if (!decode) decoders.set(e.device, (decode = decoder(e.device === 'gate-ctl' ? new GateControllerParser({ device: e.device }) : new WeighbridgeParser({ device: e.device }))));
      const [r] = decode(e.bytes);
      if (!r?.ok) throw new Error(`refused: ${e.bytes.toString('latin1')}`);
      if (e.device === 'gate-ctl') {
        const f = r.value as GateFrame;
        if (f.type === 'barrier' && f.open) openings.set(f.lane, [...(openings.get(f.lane) ?? []), e.at]);
        if (f.type !== 'loop') continue;
        const key = `${f.lane}/${f.point}`;
        if (f.occupied && !loopState.get(key)) edges.set(key, (edges.get(key) ?? 0) + 1);
        loopState.set(key, f.occupied);
      } else {
        const lane = e.device.slice('weighbridge-'.length);
        const step = stepWeighing(state.get(lane) ?? WEIGHING_START, r.value as WeightReading);
        state.set(lane, step.state);
        if (step.weighingKg !== undefined) weighings.set(lane, [...(weighings.get(lane) ?? []), step.weighingKg]);
      }
    }
    for (const lane of ['IN-1', 'IN-2']) {
      const trucks = units.filter((u) => u.lane === lane).sort((a, b) => a.gateAt - b.gateAt);
      expect(trucks.length).toBeGreaterThan(5);
      expect(weighings.get(lane)).toEqual(trucks.map((u) => u.weightKg));
    }
    for (const lane of ['IN-1', 'IN-2', 'OUT-1']) {
      expect(openings.get(lane)).toEqual(units.filter((u) => u.lane === lane).map((u) => u.releaseAt).sort((a, b) => a - b));
      const n = units.filter((u) => u.lane === lane).length;
      for (const p of ['queue', 'gate', 'exit']) expect(edges.get(`${lane}/${p}`), `${lane}/${p}`).toBe(n);
    }
  });
});

describe('MQTT messages decode with the shared decoders, and only the injected bad ones are refused', () => {
  it.each(CROSSING_IDS)('%s, a simulated day with many faults', (id) => {
    const { emissions, units } = collect(simulateDay({ crossing: id, seed: 12, day: DAY, faults: MANY_FAULTS }));
    const mqtt = emissions.filter((e): e is MqttEmission => e.kind === 'mqtt');
    const seen = new Map<string, string>();
    const bad = new Set<string>();
    const kinds = new Set<string>();
    for (const m of mqtt) {
      const topic = parseTopic(m.topic);
      expect(topic?.checkpoint).toBe(id);
      const r = topic?.kind === 'camera' ? decodeCameraEvent(m.payload, m.topic) : decodeDecisionEvent(m.payload, m.topic);
      expect(topic?.kind === 'camera' ? topic.cameraId : 'customs-feed').toBe(m.device);
      if (m.injected) kinds.add(m.injected.fault);
      if (m.injected?.fault === 'bad-message' || (m.injected?.fault === 'repeat' && bad.has(m.payload))) {
        // Refused; a repeat of a spoilt message is the same spoilt message.
        expect(r.ok, m.payload).toBe(false);
        bad.add(m.payload);
        continue;
      }
      if (!r.ok) throw r.error;
      const ts = parseTimestamp(r.value.ts)!;
      const byMs = m.injected?.fault === 'late' ? m.injected.byMs : 0;
      // Sent at its stamp (plus its lateness); a decision lodged before the day is delivered as it starts.
      if (m.injected?.fault !== 'repeat') expect(m.at).toBe(Math.max(ts + byMs, D0));
      expect(units.some((u) => u.unit === r.value.unit)).toBe(true);
      if (m.injected?.fault === 'repeat') expect(seen.get(`${m.device}/${r.value.id}`)).toBe(m.payload);
      else expect(seen.has(`${m.device}/${r.value.id}`)).toBe(false);
      seen.set(`${m.device}/${r.value.id}`, m.payload);
    }
    expect([...kinds].sort()).toEqual(['bad-message', 'late', 'repeat']);
    // Missed reads and silent spells are in the truth, on the units they hit.
    const faults = new Set(units.flatMap((u) => u.faults.map((f) => f.fault)));
    expect(faults.has('missed-read')).toBe(true);
  });

  it('a camera reading says what the truth says', () => {
    const { emissions, units } = collect(simulateDay({ crossing: 'dinh-vu-port', seed: 2, day: DAY, faults: NO_FAULTS }));
    const byUnit = new Map(units.map((u) => [u.unit, u]));
    for (const m of emissions) {
      if (m.kind !== 'mqtt') continue;
      const cam = decodeCameraEvent(m.payload);
      if (cam.ok) {
        const u = byUnit.get(cam.value.unit)!;
        expect(cam.value.lane).toBe(u.lane);
        expect(cam.value.kind).toBe('container');
        expect(parseTimestamp(cam.value.ts)).toBe(u[`${cam.value.point}At`]);
      } else {
        const dec = decodeDecisionEvent(m.payload);
        if (!dec.ok) throw dec.error;
        const u = byUnit.get(dec.value.unit)!;
        expect(dec.value.channel).toBe(u.channel);
        expect(dec.value.declaration).toBe(u.declaration);
        expect(parseTimestamp(dec.value.ts)).toBeLessThan(u.exitAt);
      }
    }
  });
});

describe('units', () => {
  it('dinh-vu-port: container numbers with valid ISO 6346 check digits, scanned as such', () => {
    const { units, emissions } = day('dinh-vu-port');
    expect(units.every((u) => u.kind === 'container' && isValidContainerNumber(u.unit))).toBe(true);
    const scans = emissions.filter((e): e is SerialEmission => e.kind === 'serial' && e.device.startsWith('scanner') && !e.injected);
    expect(scans.length).toBeGreaterThan(50);
    expect(scans.every((s) => isValidContainerNumber(s.bytes.toString('utf8').trim()))).toBe(true);
  });

  it('kim-thanh-road: Vietnamese and Yunnan plates', () => {
    const { units } = day('kim-thanh-road');
    expect(units.every((u) => u.kind === 'truck' && isPlate(u.unit))).toBe(true);
    const yunnan = units.filter((u) => u.unit.startsWith('云'));
    expect(yunnan.length).toBeGreaterThan(10);
    expect(units.filter((u) => /^24[A-Z]{1,2}-\d{3}\.\d{2}$/.test(u.unit)).length).toBeGreaterThan(10);
    expect(units.filter((u) => u.lane.startsWith('IN')).every((u) => u.weightKg !== undefined && u.weightKg >= 7000)).toBe(true);
    expect(units.filter((u) => u.lane === 'OUT-1').every((u) => u.weightKg === undefined)).toBe(true);
  });

  it('lao-cai-rail: every train of the timetable arrives within its delay window, of 15-40 wagons that queue, enter and leave in order as one batch', () => {
    const { units } = collect(simulate({ crossing: 'lao-cai-rail', seed: 1, fromMs: D0, toMs: D0 + 3 * 24 * H, faults: NO_FAULTS }));
    const timetable = CROSSINGS['lao-cai-rail'].arrivals;
    if (timetable.kind !== 'timetable') throw new Error('rail runs on a timetable');
    const trains = byTrain(units);
    // Every slot of every day is one train, named after its track, day and slot.
    const expected = [0, 1, 2].flatMap((d) =>
      Object.entries(timetable.trains).flatMap(([track, slots]) => slots.map((s) => `${track}-${localDay(D0 + d * 24 * H).replaceAll('-', '')}-${s.replace(':', '')}`)),
    );
    expect([...trains.keys()].sort()).toEqual(expected.sort());
    const lastOut = new Map<string, number>();
    for (const [id, wagons] of [...trains].sort((a, b) => a[1][0]!.queueAt - b[1][0]!.queueAt)) {
      const [, day, hhmm] = /^T\d-(\d{8})-(\d{4})$/.exec(id)!;
      const slot = localDayStart(`${day!.slice(0, 4)}-${day!.slice(4, 6)}-${day!.slice(6)}`) + Number(hhmm!.slice(0, 2)) * H + Number(hhmm!.slice(2)) * 60_000;
      const first = wagons[0]!;
      const last = wagons.at(-1)!;
      // Arrives (its first wagon passes the queue camera) within the delay window of its slot.
      expect(first.queueAt - slot, id).toBeGreaterThanOrEqual(timetable.delayMin[0] * 60_000);
      expect(first.queueAt - slot, id).toBeLessThanOrEqual(timetable.delayMin[1] * 60_000);
      expect(wagons.length).toBeGreaterThanOrEqual(timetable.wagons[0]);
      expect(wagons.length).toBeLessThanOrEqual(timetable.wagons[1]);
      expect(wagons.map((w) => w.train!.index)).toEqual([...wagons.keys()]);
      expect(wagons.every((w) => w.kind === 'wagon' && /^(C70|P70|NX70|G70) \d{7}$/.test(w.unit) && w.lane === first.lane)).toBe(true);
      // One wagon after the other at every point, the same gap as the train runs at one speed.
      for (const p of ['queueAt', 'gateAt', 'exitAt'] as const) {
        const gaps = wagons.slice(1).map((w, i) => w[p] - wagons[i]![p]);
        expect(new Set(gaps).size, `${id} ${p}`).toBeLessThanOrEqual(1);
        expect(gaps.every((g) => g >= timetable.wagonGapS[0] * 1000 && g <= timetable.wagonGapS[1] * 1000), `${id} ${p}`).toBe(true);
      }
      // One batch: the whole train is in the control zone before it leaves, and it is held as
      // long as its slowest wagon needs (every wagon the same time from gate to exit).
      expect(last.gateAt).toBeLessThan(first.exitAt);
      expect(new Set(wagons.map((w) => w.exitAt - w.gateAt)).size).toBe(1);
      // Trains of a track go through the control zone one at a time.
      expect(first.gateAt).toBeGreaterThanOrEqual(lastOut.get(first.lane) ?? -Infinity);
      lastOut.set(first.lane, last.exitAt);
    }
  });
});

/** A run's wagons by train, each in its order behind the locomotive. */
function byTrain(units: readonly UnitTruth[]): Map<string, UnitTruth[]> {
  const trains = new Map<string, UnitTruth[]>();
  for (const u of units) trains.set(u.train!.id, [...(trains.get(u.train!.id) ?? []), u]);
  for (const wagons of trains.values()) wagons.sort((a, b) => a.train!.index - b.train!.index);
  return trains;
}

/** The channel a train was given: its wagons' channels are drawn from it, the worst sets its time. */
function trainChannel(wagons: readonly UnitTruth[]): Channel {
  return wagons.some((w) => w.channel === 'red') ? 'red' : wagons.some((w) => w.channel === 'yellow') ? 'yellow' : 'green';
}

describe('the booth and the inspection yard (road and port)', () => {
  it.each(['kim-thanh-road', 'dinh-vu-port'] as const)('%s: the booth holds a unit for its channel; green and yellow drive out, red through the yard an hour or more', (id) => {
    const c = CROSSINGS[id];
    const { units } = day(id);
    const within = (x: number, [min, max]: readonly [number, number]): boolean => x >= min * 1000 && x <= max * 1000;
    const drive = c.exitDriveS!;
    const yard = c.yard!.inspectionS;
    for (const u of units) {
      expect(within(u.releaseAt - u.gateAt, c.serviceS[u.channel]), `${u.unit} booth`).toBe(true);
      if (u.channel === 'red') {
        expect(within(u.exitAt - u.releaseAt, [yard[0] + drive[0], yard[1] + drive[1]]), `${u.unit} yard`).toBe(true);
        expect(u.exitAt - u.gateAt).toBeGreaterThanOrEqual(3600_000);
      } else {
        expect(within(u.exitAt - u.releaseAt, drive), `${u.unit} drive`).toBe(true);
      }
    }
    // So a lane's exits come out of order: green trucks pass red ones in the yard.
    let passed = 0;
    for (const lane of c.lanes) {
      const inLane = units.filter((u) => u.lane === lane.id).sort((a, b) => a.gateAt - b.gateAt);
      for (let i = 1; i < inLane.length; i++) if (inLane[i]!.exitAt < inLane[i - 1]!.exitAt) passed++;
    }
    expect(passed).toBeGreaterThan(10);
  });
});

describe('volumes', () => {
  const DAYS = 9;
  const FROM = localDayStart('2026-11-22');
  /**
   * A run of nine days from Sunday 2026-11-22: its units, the units per local day, and the
   * longest queue (units between queue and gate) of each lane on each day.
   */
  const nineDays = (id: CrossingId): { units: UnitTruth[]; perDay: number[]; longest: Map<string, number[]> } => {
    const from = FROM;
    const { units } = collect(simulate({ crossing: id, seed: 20261122, fromMs: from, toMs: from + DAYS * 24 * H, faults: NO_FAULTS }));
    const perDay = Array.from({ length: DAYS }, (_, d) => units.filter((u) => Math.floor((u.queueAt - from) / (24 * H)) === d).length);
    const longest = new Map<string, number[]>();
    for (const lane of CROSSINGS[id].lanes) {
      const edges = units.filter((u) => u.lane === lane.id).flatMap((u): [number, number][] => [[u.queueAt, 1], [u.gateAt, -1]]);
      edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      const max = Array.from({ length: DAYS + 1 }, () => 0);
      let n = 0;
      for (const [t, d] of edges) {
        n += d;
        const day = Math.floor((t - from) / (24 * H));
        max[day] = Math.max(max[day]!, n);
      }
      longest.set(lane.id, max.slice(0, DAYS));
    }
    return { units, perDay, longest };
  };
  const SUNDAYS = [0, 7];
  const WEEKDAYS = [1, 2, 3, 4, 5, 8];

  it('kim-thanh-road: 500-900 trucks a weekday, about half on Sundays; queues of tens that clear every night', () => {
    const { units, perDay, longest } = nineDays('kim-thanh-road');
    for (const d of WEEKDAYS) expect(perDay[d], `day ${d}`).toBeGreaterThanOrEqual(500);
    for (const d of WEEKDAYS) expect(perDay[d], `day ${d}`).toBeLessThanOrEqual(900);
    for (const d of SUNDAYS) expect(perDay[d]! / perDay[d + 1]!, `day ${d}`).toBeLessThan(0.7);
    // Every day some lane's queue reaches ten or more (the morning surge); none runs away.
    for (const d of WEEKDAYS) expect(Math.max(...[...longest.values()].map((l) => l[d]!)), `day ${d}`).toBeGreaterThanOrEqual(10);
    expect(Math.max(...[...longest.values()].flat())).toBeLessThan(80);
    // Whoever queued by closing time (22:00) reaches the booth before the gate opens again.
    for (const u of units) expect(u.gateAt, u.unit).toBeLessThan(localDayStart(localDay(u.queueAt)) + (24 + 7) * H);
  });

  it('dinh-vu-port: 1,500-2,500 containers a weekday on four lanes, fewer on Sundays; queues of tens at the peaks, never running away', () => {
    const { perDay, longest } = nineDays('dinh-vu-port');
    for (const d of WEEKDAYS) expect(perDay[d], `day ${d}`).toBeGreaterThanOrEqual(1500);
    for (const d of WEEKDAYS) expect(perDay[d], `day ${d}`).toBeLessThanOrEqual(2500);
    for (const d of SUNDAYS) expect(perDay[d]! / perDay[d + 1]!, `day ${d}`).toBeLessThan(0.75);
    expect(Math.max(...[...longest.values()].flat())).toBeGreaterThanOrEqual(15);
    expect(Math.max(...[...longest.values()].flat())).toBeLessThan(80);
  });
});

describe('traffic', () => {
  it('a seeded day: Kim Thanh takes trucks only while open (07-22), Dinh Vu fewer at night (00-05) than in the morning (07-12)', () => {
    const road = day('kim-thanh-road').units.map((u) => localHour(u.queueAt));
    expect(road.filter((h) => h < 7 || h >= 22)).toEqual([]);
    const port = day('dinh-vu-port').units.map((u) => localHour(u.queueAt));
    expect(port.filter((h) => h < 5).length * 1.5).toBeLessThan(port.filter((h) => h >= 7 && h < 12).length);
  });

  it('channel shares over a busy day of road and port are near 60/30/10 per unit; red takes an hour or more', () => {
    const units = (['kim-thanh-road', 'dinh-vu-port'] as const).flatMap((id) => day(id).units);
    expect(units.length).toBeGreaterThan(200);
    const share = (c: string): number => units.filter((u) => u.channel === c).length / units.length;
    expect(Math.abs(share('green') - 0.6)).toBeLessThan(0.06);
    expect(Math.abs(share('yellow') - 0.3)).toBeLessThan(0.06);
    expect(Math.abs(share('red') - 0.1)).toBeLessThan(0.04);
    for (const u of units.filter((x) => x.channel === 'red')) expect(u.exitAt - u.gateAt).toBeGreaterThanOrEqual(3600_000);
  });

  it('lao-cai-rail: the shares are per train; a red train has 1-3 red wagons, a yellow one 2-8 yellow, a green one only green', () => {
    const trains = [...byTrain(collect(simulate({ crossing: 'lao-cai-rail', seed: 6, fromMs: D0, toMs: D0 + 60 * 24 * H, faults: NO_FAULTS })).units).values()];
    expect(trains.length).toBe(60 * 11);
    const count = (w: readonly UnitTruth[], c: Channel): number => w.filter((x) => x.channel === c).length;
    for (const wagons of trains) {
      const ch = trainChannel(wagons);
      if (ch === 'red') {
        expect(count(wagons, 'red')).toBeGreaterThanOrEqual(1);
        expect(count(wagons, 'red')).toBeLessThanOrEqual(3);
        expect(count(wagons, 'yellow')).toBe(0);
        // Held an hour or more for its inspected wagons.
        expect(wagons[0]!.exitAt - wagons[0]!.gateAt).toBeGreaterThanOrEqual(3600_000);
      } else if (ch === 'yellow') {
        expect(count(wagons, 'yellow')).toBeGreaterThanOrEqual(2);
        expect(count(wagons, 'yellow')).toBeLessThanOrEqual(8);
      }
    }
    const share = (c: Channel): number => trains.filter((w) => trainChannel(w) === c).length / trains.length;
    expect(Math.abs(share('green') - 0.6)).toBeLessThan(0.06);
    expect(Math.abs(share('yellow') - 0.3)).toBeLessThan(0.06);
    expect(Math.abs(share('red') - 0.1)).toBeLessThan(0.04);
    // Most trains are not held for an inspection: the wagons' channels follow the train's.
    expect(trains.filter((w) => w[0]!.exitAt - w[0]!.gateAt >= 3600_000).length / trains.length).toBeLessThan(0.5);
  });

  it('channel shares are configurable', () => {
    const { units } = collect(simulateDay({ crossing: 'lao-cai-rail', seed: 4, day: DAY, channelShares: { green: 1, yellow: 0, red: 0 } }));
    expect(units.every((u) => u.channel === 'green')).toBe(true);
    const red = byTrain(collect(simulateDay({ crossing: 'lao-cai-rail', seed: 4, day: DAY, channelShares: { green: 0, yellow: 0, red: 1 } })).units);
    expect(red.size).toBe(11);
    for (const wagons of red.values()) expect(wagons.filter((w) => w.channel === 'red').length).toBeGreaterThanOrEqual(1);
    for (const wagons of red.values()) expect(wagons.filter((w) => w.channel !== 'red').every((w) => w.channel === 'green')).toBe(true);
  });

  it.each(CROSSING_IDS)('%s: queue ≤ gate < release ≤ exit, one unit at a time at the control point, first in first out, arrivals only on open lanes', (id) => {
    const { units } = day(id);
    const lanes = new Map(CROSSINGS[id].lanes.map((l) => [l.id, l]));
    for (const u of units) {
      expect(u.queueAt).toBeLessThanOrEqual(u.gateAt);
      expect(u.gateAt).toBeLessThan(u.releaseAt);
      expect(u.releaseAt).toBeLessThanOrEqual(u.exitAt);
      // The queue time is the arrival, or a few seconds after it behind the vehicle on the queue loop.
      const lane = lanes.get(u.lane)!;
      expect(isLaneOpen(lane, u.queueAt) || isLaneOpen(lane, u.queueAt - 10_000), `${u.lane} ${new Date(u.queueAt).toISOString()}`).toBe(true);
    }
    for (const lane of lanes.keys()) {
      const inLane = units.filter((u) => u.lane === lane).sort((a, b) => a.queueAt - b.queueAt);
      expect(inLane.length).toBeGreaterThan(0);
      for (let i = 1; i < inLane.length; i++) {
        const [prev, next] = [inLane[i - 1]!, inLane[i]!];
        expect(next.gateAt).toBeGreaterThan(prev.gateAt);
        // One control point per lane: the next unit enters when the previous one was released
        // (road, port: the booth); on rail the unit is the train (its wagons are in the control
        // zone together, and the next train comes in when the last wagon has left).
        if (prev.train === undefined) expect(next.gateAt).toBeGreaterThanOrEqual(prev.releaseAt);
        else if (prev.train.id !== next.train?.id) expect(next.gateAt).toBeGreaterThanOrEqual(prev.exitAt);
        else expect(next.exitAt).toBeGreaterThan(prev.exitAt);
      }
    }
  });

  it('no two units with the same text are inside a crossing at once', () => {
    for (const id of CROSSING_IDS) {
      const units = [...day(id).units].sort((a, b) => a.queueAt - b.queueAt);
      for (let i = 0; i < units.length; i++) {
        for (let j = i + 1; j < units.length && units[j]!.queueAt <= units[i]!.exitAt; j++) expect(units[j]!.unit).not.toBe(units[i]!.unit);
      }
    }
  });

  it('plays several days on without a seam', () => {
    const { units } = collect(simulate({ crossing: 'kim-thanh-road', seed: 9, fromMs: D0, toMs: D0 + 3 * 24 * H, faults: NO_FAULTS }));
    const perDay = [0, 1, 2].map((d) => units.filter((u) => u.queueAt >= D0 + d * 24 * H && u.queueAt < D0 + (d + 1) * 24 * H).length);
    for (const n of perDay) expect(n).toBeGreaterThan(40);
  });
});
