import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../harness/agentProcess.js';
import { expectClearances } from './expectations.js';
import { startStack, type Stack } from './fixture.js';
import { buildScenario } from './scenario.js';

describe('InfluxDB down in the middle of the morning', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ name: 'outage', serial: false });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('loses nothing and doubles nothing once InfluxDB is back', async () => {
    const scenario = buildScenario(Date.now(), { serial: false });
    const half = Math.floor(scenario.steps.length / 2);
    await stack.play(scenario.steps.slice(0, half));
    await stack.influxd.service.stop();
    await stack.play(scenario.steps.slice(half));
    // The agent keeps following units and releasing them into its outbox meanwhile.
    await sleep(4000);
    await stack.influxd.service.start();
    await waitFor(async () => (await stack.clearances()).length >= scenario.expected.length, 30_000, 'clearances after the outage');
    await sleep(1500); // anything doubled would have arrived by now
    const rows = await stack.clearances();
    expect(rows).toHaveLength(scenario.expected.length);
    expectClearances(rows, scenario.expected);
  });
});
