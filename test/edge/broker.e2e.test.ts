import { setTimeout as sleep } from 'node:timers/promises';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topics } from '@gatewatch/shared';
import { waitFor } from '../harness/agentProcess.js';
import { expectClearances } from './expectations.js';
import { startStack, type Stack } from './fixture.js';
import { buildScenario, CHECKPOINT } from './scenario.js';

/** Units in time order; units in the same millisecond by name (their nanosecond nudge follows arrival). */
const timeOrder = (points: readonly { unit: string; timeMs: number }[]): string[] =>
  [...points].sort((a, b) => a.timeMs - b.timeMs || (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0)).map((p) => p.unit);

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

  it('restarted while cameras and customs publish: the agent reconnects, no QoS 1 message is lost or doubled, and the status goes offline and back', { timeout: 60_000 }, async () => {
    const scenario = buildScenario(Date.now(), { serial: false });
    const status = topics.status(CHECKPOINT);
    // A watcher as the dashboard's bridge is: fixed client id, persistent session, QoS 1,
    // reconnecting on its own. What it receives is what the dashboard shows.
    const watcher = await mqtt.connectAsync(stack.broker.url, { clientId: 'test-status-dashboard', clean: false, protocolVersion: 4, reconnectPeriod: 500 });
    const seen: string[] = [];
    watcher.on('message', (t, payload) => {
      if (t === status) seen.push(payload.toString());
    });
    // The devices: one client with a persistent session that goes on publishing at QoS 1 while
    // the broker is away (MQTT.js keeps those messages and sends them after reconnecting).
    const devices = await mqtt.connectAsync(stack.broker.url, { clientId: 'test-devices-through-restart', clean: false, protocolVersion: 4, reconnectPeriod: 200 });
    try {
      await watcher.subscribeAsync(status, { qos: 1 });
      await waitFor(() => seen.includes('online'), 10_000, 'the retained online status');

      const total = scenario.steps.filter((s) => s.kind === 'mqtt').length;
      const counts = { sent: 0, acked: 0, sentWhileDown: 0, sentWhenBack: total };
      let brokerDown = false;
      const acks: Promise<unknown>[] = [];
      const stream = (async () => {
        for (const step of scenario.steps) {
          if (step.kind === 'pause') await sleep(step.ms);
          else if (step.kind === 'mqtt') {
            // Not awaited: the next reading does not wait for the broker's acknowledgement.
            acks.push(devices.publishAsync(step.topic, step.payload, { qos: 1 }).then(() => counts.acked++));
            counts.sent++;
            if (brokerDown) counts.sentWhileDown++;
          }
        }
        await Promise.all(acks);
      })();
      const restart = (async () => {
        await waitFor(() => counts.sent >= total / 3, 20_000, 'a third of the stream published');
        await stack.broker.service.stop();
        brokerDown = true;
        // Down until the devices have published a few more readings into the void.
        await waitFor(() => counts.sentWhileDown >= 3 || counts.sent === total, 10_000, 'readings published while the broker is down');
        brokerDown = false;
        await stack.broker.service.start();
        counts.sentWhenBack = counts.sent;
      })();
      await Promise.all([stream, restart]);
      // Mid-stream: readings were published while the broker was down, and more after it came back.
      expect(counts.sentWhileDown).toBeGreaterThanOrEqual(3);
      expect(counts.sent).toBe(total);
      expect(counts.acked).toBe(total);
      expect(counts.sentWhenBack).toBeLessThan(total);

      // The count: every clearance exactly once, at its exit time, in order.
      await waitFor(async () => (await stack.clearances()).length >= scenario.expected.length, 30_000, 'clearances after the broker restart');
      // A doubled point (a redelivered message taken twice) would come with later writes: give them time to show.
      await sleep(1500);
      const rows = await stack.clearances();
      expect(rows).toHaveLength(scenario.expected.length);
      expectClearances(rows, scenario.expected);
      expect(timeOrder(rows.map((r) => ({ unit: r.unit, timeMs: Date.parse(r.time) })))).toEqual(timeOrder(scenario.expected));

      // The status as the dashboard saw it: online, offline (Mosquitto publishes the agent's will
      // when it shuts down, and keeps it as the retained status), online again (the agent says so
      // on reconnecting). A QoS 1 delivery cut by the shutdown comes again: repeats are one change.
      await waitFor(() => seen.at(-1) === 'online' && seen.includes('offline'), 15_000, 'the status offline and back online');
      expect(seen.filter((s, i) => s !== seen[i - 1])).toEqual(['online', 'offline', 'online']);
    } finally {
      await devices.endAsync();
      await watcher.endAsync();
    }

    // A dashboard started now reads online from the retained status.
    expect(await retainedStatus(stack.broker.url)).toBe('online');
  });

  it('on SIGTERM drains, exits 0 and says offline, retained', async () => {
    expect(await stack.agent.stop()).toBe(0);
    expect(await retainedStatus(stack.broker.url)).toBe('offline');
  });
});
