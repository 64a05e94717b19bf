/**
 * The judge of the fast-clock test (clearanceJudge.ts) against the edge's own clearance core,
 * with no transport in between: simulated hours of Kim Thanh road gate at many times the
 * default fault rates, replayed through the edge code on a virtual clock (ReplayAgent, as the
 * history backfill does), every unit judged. Zero unexplained means the judge's model of how
 * faults propagate (which source sets a stage when a reading is lost, how a late message or a
 * lost loop sentence moves things) is the core's; the counts show that every kind of fault
 * was exercised. Seconds, not minutes: the fast-clock test adds the real transport.
 */
import { describe, expect, it } from 'vitest';
import { createLog, MemoryOutbox, parseSiteConfig, ReplayAgent, type SiteConfig } from '@gatewatch/edge';
import { crossing, CROSSING_IDS, localDayStart, siteDescription, type FaultRates } from '@gatewatch/sim';
import { anyOrderLanes, expectedDeviceCounts, FAULT_KINDS, Judge, judgeAll, simulateStretch, summaryLine, verdict, type ClearanceRow, type Stretch } from './clearanceJudge.js';

const KIM = crossing('kim-thanh-road');
const HOUR = 3600_000;
/** Many times the default rates, so that faults meet each other on a lane. */
const HEAVY: Partial<FaultRates> = {
  missedRead: 0.15,
  corruptFrame: 0.02,
  repeatMessage: 0.1,
  badMessage: 0.05,
  lateMessage: 0.2,
  silencesPerDeviceDay: 24,
};

/** The stretch replayed through the crossing's edge code on a virtual clock, and its clearances judged. */
async function replayAndJudge(site: SiteConfig, stretch: Stretch) {
  const outbox = new MemoryOutbox({ maxPoints: 10_000_000, telemetryShare: 0.99 });
  await outbox.open();
  const agent = new ReplayAgent(site, { outbox, log: createLog({ level: 'error' }) }, stretch.fromMs);
  for (const e of stretch.emissions) {
    if (e.kind === 'mqtt') agent.mqttMessage(e.at, e.topic, e.payload);
    else agent.serialBytes(e.at, e.device, e.bytes);
  }
  agent.advance(stretch.toMs + 60_000);
  const points = outbox.peek(10_000_000)?.points ?? [];
  const rows = points.filter((p) => p.measurement === 'clearance').map((p) => ({ ...p.tags, ...p.fields }) as unknown as ClearanceRow);
  const judge = new Judge(stretch, site.clearance.latenessWindowMs, { serialMs: 0, mqttMs: 0, skewMs: 0 }, anyOrderLanes(site.lanes));
  return { agent, points, rows, judge, ...judgeAll(judge, stretch, rows) };
}

describe('the clearance judge against the edge core (replayed, no transport)', () => {
  it('explains every difference between clearances and truth by the faults injected', { timeout: 120_000 }, async () => {
    const site = parseSiteConfig({ ...siteDescription(KIM), mqtt: { url: 'mqtt://127.0.0.1:1' }, influx: { url: 'http://127.0.0.1:1' }, storage: { dir: '/nonexistent' } }, '/', {});
    const all = [];
    const kinds = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0]));
    let explainedBy = 0;
    for (let seed = 1; seed <= 12; seed++) {
      const h = [8, 9, 10, 14, 15, 16][seed % 6]!;
      const fromMs = localDayStart('2026-11-25') + h * HOUR;
      const stretch = simulateStretch({ crossing: KIM, seed, fromMs, toMs: fromMs + HOUR, rateScale: 4, faults: HEAVY });
      const { agent, points, rows, judge, verdicts, strangers, twice } = await replayAndJudge(site, stretch);
      expect(strangers, `seed ${seed}`).toEqual([]);
      expect(twice, `seed ${seed}`).toEqual([]);
      expect(verdicts.filter((v) => v.status === 'unexplained').map((v) => `seed ${seed} ${v.unit.lane} ${v.unit.unit}: ${v.detail}`)).toEqual([]);

      // Devices counted what they were sent; repeats were dropped as duplicates.
      const last = new Map<string, Record<string, unknown>>();
      for (const p of points) if (p.measurement === 'device') last.set(String(p.tags.device), p.fields);
      const { devices, goodRepeats } = expectedDeviceCounts(stretch);
      expect([...devices.keys()].map((d) => ({ d, frames: last.get(d)?.frames, bad_frames: last.get(d)?.bad_frames }))).toEqual([...devices].map(([d, c]) => ({ d, ...c })));
      expect((agent.stats() as { core: { duplicates: number } }).core.duplicates).toBe(goodRepeats);

      // Not lenient: with no transport every stage is a point in time, so any field of any
      // judged clearance moved by a millisecond (or 20 kg), another channel, or the clearance of
      // a unit that must exit left out, is unexplained.
      const byUnit = new Map(rows.map((r) => [r.unit, r]));
      let mutations = 0;
      for (const u of stretch.judged) {
        const x = judge.expectations.get(u)!;
        const row = byUnit.get(u.unit);
        if (!row) continue;
        const wrong: ClearanceRow[] = [{ ...row, channel: ['green', 'yellow', 'red', 'unknown'].find((c) => !x.channel.includes(c) && c !== u.channel)! }];
        for (const f of ['wait_s', 'process_s', 'total_s'] as const) {
          const v = row[f];
          if (typeof v === 'number') wrong.push({ ...row, [f]: Math.round(v * 1000 + 1) / 1000 });
        }
        if (typeof row.weight_kg === 'number') {
          // 20 kg more, or more still where that is a neighbour's weight the judge rightly allows.
          let kg = row.weight_kg + 20;
          while (x.weight.includes(kg)) kg += 20;
          wrong.push({ ...row, weight_kg: kg });
        }
        for (const w of wrong) expect(verdict(x, w).status, `${u.unit} ${JSON.stringify(w)}`).toBe('unexplained');
        if (!x.exit.includes(null)) expect(verdict(x, undefined).status, `${u.unit} left out`).toBe('unexplained');
        mutations += wrong.length;
      }
      expect(mutations).toBeGreaterThan(stretch.judged.length);

      all.push(...verdicts);
      for (const k of FAULT_KINDS) kinds[k]! += stretch.kinds[k];
      explainedBy += verdicts.filter((v) => v.status === 'explained').length;
    }
    console.log(`judge vs core, heavy faults: ${summaryLine(all)}; faults: ${JSON.stringify(kinds)}`);
    expect(explainedBy).toBeGreaterThan(all.length / 5);
    for (const k of FAULT_KINDS) expect(kinds[k], k).toBeGreaterThan(0);
  });
});

describe('every crossing, a working day at the default fault rates (replayed, no transport)', () => {
  it('writes each unit that left as its truth, or as a fault recorded in its truth allows', { timeout: 120_000 }, async () => {
    const lines: string[] = [];
    for (const id of CROSSING_IDS) {
      const c = crossing(id);
      const site = parseSiteConfig({ ...siteDescription(c), mqtt: { url: 'mqtt://127.0.0.1:1' }, influx: { url: 'http://127.0.0.1:1' }, storage: { dir: '/nonexistent' } }, '/', {});
      // From 04:00, before the morning, to 22:00 of a Monday.
      const fromMs = localDayStart('2026-11-23') + 4 * HOUR;
      const stretch = simulateStretch({ crossing: c, seed: 20261125, fromMs, toMs: fromMs + 18 * HOUR });
      const { verdicts, strangers, twice } = await replayAndJudge(site, stretch);
      expect(strangers, id).toEqual([]);
      expect(twice, id).toEqual([]);
      expect(verdicts.filter((v) => v.status === 'unexplained').map((v) => `${id} ${v.unit.lane} ${v.unit.unit}: ${v.detail}`)).toEqual([]);
      expect(verdicts.length, id).toBeGreaterThan(100);
      expect(verdicts.filter((v) => v.status === 'explained').length, id).toBeGreaterThan(0);
      lines.push(`${id}: ${summaryLine(verdicts)}; faults ${JSON.stringify(stretch.kinds)}`);
    }
    console.log(`default faults, 04:00-22:00 on Monday 2026-11-23, seed 20261125:\n  ${lines.join('\n  ')}`);
  });
});
