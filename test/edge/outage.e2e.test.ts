import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../harness/agentProcess.js';
import { expectClearances } from './expectations.js';
import { startStack, type Stack } from './fixture.js';
import { buildScenario } from './scenario.js';

const OUTAGE_MS = 120_000;

describe('InfluxDB down in the middle of the morning', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ name: 'outage', serial: false });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('loses nothing and doubles nothing once InfluxDB is back after two minutes', { timeout: 240_000 }, async () => {
    const scenario = buildScenario(Date.now(), { serial: false });
    const half = Math.floor(scenario.steps.length / 2);
    await stack.play(scenario.steps.slice(0, half));
    const downAt = Date.now();
    await stack.influxd.service.stop();
    await stack.play(scenario.steps.slice(half));
    // The agent keeps following units and releasing them into its outbox meanwhile, and its
    // retries back off to their longest interval (30 s).
    await sleep(OUTAGE_MS);
    await stack.influxd.service.start();
    const upAt = Date.now();
    await waitFor(async () => (await stack.clearances()).length >= scenario.expected.length, 60_000, 'clearances after the outage');
    await sleep(1500); // anything doubled would have arrived by now
    const rows = await stack.clearances();
    expect(rows).toHaveLength(scenario.expected.length);
    expectClearances(rows, scenario.expected);
    // The queue record of every 2 s interval boundary of the outage arrived too.
    const first = Math.ceil(downAt / 2000) * 2000;
    const boundaries = Math.floor((upAt - 1 - first) / 2000) + 1;
    const q = await stack.influxd.query(`SELECT count(length) FROM queue WHERE lane = 'IN-1' AND time >= ${first}ms AND time < ${upAt}ms`, 'gatewatch');
    expect(q.results[0]?.series?.[0]?.values[0]?.[1]).toBe(boundaries);
  });
});
