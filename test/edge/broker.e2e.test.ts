import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@gatewatch/shared';
import { waitFor } from '../harness/agentProcess.js';
import { expectClearances } from './expectations.js';
import { startStack, type Stack } from './fixture.js';
import { buildScenario, CHECKPOINT } from './scenario.js';

/** The retained status of the checkpoint, as a new subscriber gets it. */
async function retainedStatus(url: string): Promise<string> {
  const watcher = await mqtt.connectAsync(url, { clientId: `test-status-watcher-${Date.now()}` });
  const status = await new Promise<string>((resolve) => {
    watcher.on('message', (_t, payload) => resolve(payload.toString()));
    void watcher.subscribeAsync(topics.status(CHECKPOINT), { qos: 1 });
  });
  await watcher.endAsync();
  return status;
}

describe('Mosquitto restarted in the middle of the morning', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ name: 'broker', serial: false });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('the agent reconnects on its own and every clearance is written exactly once', { timeout: 60_000 }, async () => {
    const scenario = buildScenario(Date.now(), { serial: false });
    const third = Math.floor(scenario.steps.length / 3);
    await stack.play(scenario.steps.slice(0, third));
    await stack.broker.service.restart();
    // Devices reconnect too; what they publish now reaches the agent through the new broker.
    await stack.play(scenario.steps.slice(third));
    await waitFor(async () => (await stack.clearances()).length >= scenario.expected.length, 30_000, 'clearances after the broker restart');
    await sleep(1500);
    const rows = await stack.clearances();
    expect(rows).toHaveLength(scenario.expected.length);
    expectClearances(rows, scenario.expected);

    // The retained status says online again (the agent republished it after reconnecting).
    expect(await retainedStatus(stack.broker.url)).toBe('online');
  });

  it('on SIGTERM drains, exits 0 and says offline, retained', async () => {
    expect(await stack.agent.stop()).toBe(0);
    expect(await retainedStatus(stack.broker.url)).toBe('offline');
  });
});
