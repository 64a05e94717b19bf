/**
 * Behind an inspection yard, trucks leave their lane out of order. The edge must not take a
 * green truck's exit-loop edge, its exit reading missed, for the exit of a red truck still in
 * the yard: a morning of Kim Thanh with exit readings missed, replayed through the edge's own
 * code, configured as siteDescription says (exitOrder 'any') and, for contrast, with FIFO exits.
 */
import { createLog, MemoryOutbox, parseSiteConfig, ReplayAgent, type SiteConfig } from '@gatewatch/edge';
import type { ClearanceRecord } from '@gatewatch/shared';
import { describe, expect, it } from 'vitest';
import { KIM_THANH_ROAD, siteDescription } from './corridor.js';
import { NO_FAULTS } from './faults.js';
import { HOUR_MS, localDayStart } from './profile.js';
import { simulate, type SimItem, type UnitTruth } from './simulate.js';

const FROM = localDayStart('2026-11-25');
const TO = FROM + 12 * HOUR_MS;
const silent = createLog({ level: 'silent', destination: { write: () => true } as unknown as NodeJS.WritableStream });

/** Every fifth camera reading missed, nothing else wrong. */
const items: SimItem[] = [...simulate({ crossing: KIM_THANH_ROAD, seed: 31, fromMs: FROM, toMs: TO, faults: { ...NO_FAULTS, missedRead: 0.2 } })];
const truth = new Map<string, UnitTruth>();
for (const i of items) if (i.kind === 'truth' && i.record.type === 'unit') truth.set(i.record.unit, i.record);

function replay(exitOrder: 'fifo' | 'any' | undefined): ClearanceRecord[] {
  const description = siteDescription(KIM_THANH_ROAD);
  const lanes = exitOrder === undefined ? description.lanes : description.lanes.map((l) => ({ ...l, exitOrder }));
  const site: SiteConfig = parseSiteConfig(
    { ...description, lanes, mqtt: { url: 'mqtt://127.0.0.1:1' }, influx: { url: 'http://127.0.0.1:1' }, storage: { dir: '/nonexistent' } },
    '/',
    {},
  );
  const outbox = new MemoryOutbox({ maxPoints: 1_000_000, telemetryShare: 0.99 });
  void outbox.open();
  const agent = new ReplayAgent(site, { outbox, log: silent }, FROM);
  const out: ClearanceRecord[] = [];
  agent.bus.on('clearance', out, (r) => out.push(r));
  for (const i of items) {
    if (i.kind === 'mqtt') agent.mqttMessage(i.at, i.topic, i.payload);
    else if (i.kind === 'serial') agent.serialBytes(i.at, i.device, i.bytes);
  }
  // Past the unit timeout (6 h): the trucks never seen leaving are written too.
  agent.advance(items.at(-1)!.at + 7 * HOUR_MS);
  return out;
}

/** Released clearances whose exit is not the truck's own. */
const wrongExits = (records: readonly ClearanceRecord[]): ClearanceRecord[] =>
  records.filter((r) => r.outcome === 'released' && Date.parse(r.time) !== truth.get(r.unit)!.exitAt);

describe('exits out of order behind the inspection yard', () => {
  it("with the lanes' exitOrder 'any', no truck is given another truck's exit; one whose exit nobody saw times out", () => {
    const records = replay(undefined);
    // One clearance per truck the edge saw at all (a truck on a lane without a scanner whose
    // every camera reading was missed passes unseen).
    const unseen = [...truth.values()].filter((u) => !records.some((r) => r.unit === u.unit));
    expect(records.length + unseen.length).toBe(truth.size);
    for (const u of unseen) {
      const lane = KIM_THANH_ROAD.lanes.find((l) => l.id === u.lane)!;
      expect(lane.scanner).toBeUndefined();
      expect(u.faults.filter((f) => f.fault === 'missed-read').length).toBe(Object.keys(lane.cameras).length);
    }
    expect(wrongExits(records)).toEqual([]);
    const timedOut = records.filter((r) => r.outcome === 'timeout');
    expect(timedOut.length).toBeGreaterThan(5);
    // ...exactly the trucks whose exit camera reading was missed.
    const missedExit = [...truth.values()].filter((u) => !unseen.includes(u) && u.faults.some((f) => f.fault === 'missed-read' && f.what === 'exit'));
    expect(timedOut.map((r) => r.unit).sort()).toEqual(missedExit.map((u) => u.unit).sort());
  });

  it('with FIFO exits, red trucks in the yard take green trucks\u2019 exits', () => {
    const wrong = wrongExits(replay('fifo'));
    expect(wrong.length).toBeGreaterThan(0);
    expect(wrong.some((r) => truth.get(r.unit)!.channel === 'red' && r.channel === 'red')).toBe(true);
  });
});
