/**
 * The history backfill's engine replays device traffic on a virtual clock through the same
 * decoding and clearance code as a live agent. Played the scripted morning, it must write
 * exactly the clearances the live agent writes for it (scenario.e2e.test.ts), without any
 * service, pty or wall-clock wait.
 */
import { describe, expect, it } from 'vitest';
import { MemoryOutbox, parseSiteConfig, ReplayAgent, createLog } from '@gatewatch/edge';
import { expectClearances } from './expectations.js';
import type { ClearanceRow } from './fixture.js';
import { BAD_FRAMES, buildScenario, CAM, CHECKPOINT } from './scenario.js';

const silent = createLog({ level: 'silent', destination: { write: () => true } as unknown as NodeJS.WritableStream });

function site() {
  return parseSiteConfig(
    {
      checkpoint: { id: CHECKPOINT, name: { vi: 'Cửa khẩu Kim Thành', en: 'Kim Thanh border gate' }, kind: 'road' },
      lanes: [
        { id: 'IN-1', direction: 'inbound' },
        { id: 'IN-2', direction: 'inbound' },
      ],
      devices: {
        serial: [
          { id: 'gate-ctl', kind: 'gate-controller', path: '/dev/ttyGW0' },
          { id: 'scanner-IN-1', kind: 'scanner', path: '/dev/ttyGW1', lane: 'IN-1' },
          { id: 'weighbridge-IN-1', kind: 'weighbridge', path: '/dev/ttyGW2', lane: 'IN-1' },
        ],
        cameras: Object.values(CAM).map((id) => ({ id })),
      },
      mqtt: { url: 'mqtt://127.0.0.1:1' },
      influx: { url: 'http://127.0.0.1:1' },
      storage: { dir: '/nonexistent' },
      clearance: { latenessWindowMs: 2000, queueIntervalMs: 2000, deviceIntervalMs: 2000 },
    },
    '/',
    {},
  );
}

describe('replaying a crossing on a virtual clock (history backfill)', () => {
  it('writes the same clearances as the live agent for the scripted morning', async () => {
    const start = Date.UTC(2026, 10, 24, 1, 0, 0);
    const scenario = buildScenario(start);
    const outbox = new MemoryOutbox({ maxPoints: 1_000_000, telemetryShare: 0.9 });
    await outbox.open();
    const agent = new ReplayAgent(site(), { outbox, log: silent }, start);
    // Devices talk 1 ms apart; pauses pass on the virtual clock.
    let at = start;
    for (const step of scenario.steps) {
      at += 1;
      if (step.kind === 'pause') at += step.ms;
      else if (step.kind === 'mqtt') agent.mqttMessage(at, step.topic, step.payload);
      else agent.serialBytes(at, step.port, step.bytes);
    }
    agent.advance(at + 10_000);

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
