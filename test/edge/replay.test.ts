/**
 * The history backfill's engine replays device traffic on a virtual clock through the same
 * decoding and clearance code as a live agent. Played the scripted morning, it must write
 * exactly the clearances the live agent writes for it (scenario.e2e.test.ts), without any
 * service, pty or wall-clock wait.
 */
import { describe, expect, it } from 'vitest';
import { MemoryOutbox, ReplayAgent, createLog } from '@gatewatch/edge';
import { expectClearances } from './expectations.js';
import type { ClearanceRow } from './fixture.js';
import { BAD_FRAMES, buildScenario, scenarioSite, stepsAt } from './scenario.js';

const silent = createLog({ level: 'silent', destination: { write: () => true } as unknown as NodeJS.WritableStream });

describe('replaying a crossing on a virtual clock (history backfill)', () => {
  it('writes the same clearances as the live agent for the scripted morning', async () => {
    const start = Date.UTC(2026, 10, 24, 1, 0, 0);
    const scenario = buildScenario(start);
    const outbox = new MemoryOutbox({ maxPoints: 1_000_000, telemetryShare: 0.9 });
    await outbox.open();
    const agent = new ReplayAgent(scenarioSite(), { outbox, log: silent }, start);
    const emissions = stepsAt(scenario.steps, start);
    for (const e of emissions) {
      if (e.kind === 'mqtt') agent.mqttMessage(e.at, e.topic, e.payload);
      else agent.serialBytes(e.at, e.device, e.bytes);
    }
    agent.advance(emissions.at(-1)!.at + 10_000);

    const points = outbox.peek(1_000_000)!.points;
    const rows: ClearanceRow[] = points
      .filter((p) => p.measurement === 'clearance')
      .map((p) => ({
        time: new Date(Number(BigInt(p.timeNs) / 1_000_000n)).toISOString(),
        ...(p.tags as Pick<ClearanceRow, 'checkpoint' | 'lane' | 'kind' | 'channel' | 'outcome'>),
        unit: p.fields.unit as string,
        wait_s: (p.fields.wait_s as number | undefined) ?? null,
        process_s: (p.fields.process_s as number | undefined) ?? null,
        total_s: (p.fields.total_s as number | undefined) ?? null,
        weight_kg: (p.fields.weight_kg as number | undefined) ?? null,
      }));
    expect(rows).toHaveLength(scenario.expected.length + 1);
    expectClearances(rows, scenario.expected);
    const so = scenario.serialOnly!;
    expect(rows.find((r) => r.unit === so.unit)).toMatchObject({ kind: 'truck', channel: so.channel, weight_kg: so.weight_kg });

    // Device records as the live agent writes them, bad frames counted where they came.
    const last = new Map<string, Record<string, unknown>>();
    for (const p of points) if (p.measurement === 'device') last.set(p.tags.device!, p.fields);
    for (const [device, bad] of Object.entries(BAD_FRAMES)) expect(last.get(device)?.bad_frames, device).toBe(bad);
    expect(last.get('gate-ctl')?.online).toBe(true);
  });
});
