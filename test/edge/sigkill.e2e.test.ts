import { existsSync, readFileSync, statSync } from 'node:fs';
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

  it('killed at five moments, after each restart every clearance is in InfluxDB exactly once', { timeout: 90_000 }, async () => {
    const scenario = buildScenario(Date.now(), { serial: false });
    const n = scenario.steps.length;
    const cut = [0, 0.2, 0.4, 0.6, 0.8, 1].map((f) => Math.floor(n * f));

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

    // 4. Killed while it drains its outbox: InfluxDB was away, clearances piled up, and the
    //    kill comes as the first batches go out.
    const before = (await stack.clearances()).length;
    await stack.influxd.service.stop();
    await stack.play(scenario.steps.slice(cut[4], cut[5]));
    await sleep(3000); // past the lateness window: the clearances are in the outbox
    await stack.influxd.service.start();
    await waitFor(async () => (await stack.clearances().catch(() => [])).length > before, 15_000, 'the drain to begin');
    await stack.agent.kill();

    // 5. Killed during its own recovery, as soon as it has read its journal back.
    const logFrom = existsSync(stack.agent.logPath) ? statSync(stack.agent.logPath).size : 0;
    const starting = stack.agent.start().then(
      () => 'running',
      (error: unknown) => String(error),
    );
    // A tight poll: replaying the journal takes milliseconds.
    const deadline = Date.now() + 15_000;
    while (!readFileSync(stack.agent.logPath).subarray(logFrom).includes('"msg":"journal recovered"')) {
      if (Date.now() > deadline) throw new Error('the agent did not read its journal back within 15 s');
      await sleep(2);
    }
    await stack.agent.kill();
    // Killed before it said it runs (measured: every time here), or at worst just after.
    expect(await starting).toMatch(/^running$|agent exited with 137/);
    await stack.agent.start();

    await waitFor(async () => (await stack.clearances()).length >= scenario.expected.length, 30_000, 'clearances after the kills');
    await sleep(1500);
    const rows = await stack.clearances();
    expect(rows).toHaveLength(scenario.expected.length);
    expectClearances(rows, scenario.expected);
  });
});
