import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../harness/agentProcess.js';
import { expectClearances } from './expectations.js';
import { startStack, type Stack } from './fixture.js';
import { buildScenario } from './scenario.js';

describe('edge agent killed with SIGKILL', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ name: 'sigkill', serial: false });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('after each restart every clearance is in InfluxDB exactly once', async () => {
    const scenario = buildScenario(Date.now(), { serial: false });
    const n = scenario.steps.length;
    const cut = [0, Math.floor(n * 0.3), Math.floor(n * 0.55), Math.floor(n * 0.8), n];

    // 1. Killed while idle after a first stretch of traffic; devices go on while it is down
    //    and the broker keeps their messages for the agent's persistent session.
    await stack.play(scenario.steps.slice(cut[0], cut[1]));
    await stack.agent.kill();
    await stack.play(scenario.steps.slice(cut[1], cut[2]));
    await stack.agent.start();

    // 2. Killed right in the middle of a burst, with messages in flight.
    const burst = stack.play(scenario.steps.slice(cut[2], cut[3]));
    await sleep(150);
    await stack.agent.kill();
    await burst;
    await stack.agent.start();

    // 3. Killed while units wait out their lateness window, before they were written.
    await stack.play(scenario.steps.slice(cut[3], cut[4]));
    await stack.agent.kill();
    await stack.agent.start();

    await waitFor(async () => (await stack.clearances()).length >= scenario.expected.length, 30_000, 'clearances after the kills');
    await sleep(1500);
    const rows = await stack.clearances();
    expect(rows).toHaveLength(scenario.expected.length);
    expectClearances(rows, scenario.expected);
  });
});
