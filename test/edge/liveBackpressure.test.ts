/**
 * A broker that stops reading (overloaded, or its host swapping) while the agent publishes live
 * records: the records that do not fit in the connection's write buffer are dropped and counted,
 * the agent's memory does not grow with them, and once the broker reads again the next live
 * record arrives. A real mosquitto, frozen with SIGSTOP and thawed with SIGCONT.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLog, EventBus, LIVE_WRITE_BUFFER_BYTES, MqttLink } from '@gatewatch/edge';
import { startMosquitto, type Mosquitto } from '@gatewatch/infra';
import { topics } from '@gatewatch/shared';
import { waitFor } from '../harness/agentProcess.js';

const CHECKPOINT = 'kim-thanh-road';

describe('live records while the broker stops reading', () => {
  let dir: string;
  let broker: Mosquitto;
  let link: MqttLink;
  let watcher: MqttClient;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gw-backpressure-'));
    broker = await startMosquitto({ dataDir: join(dir, 'mosquitto') });
  });
  afterAll(async () => {
    const pid = broker?.service.pid;
    if (pid) process.kill(pid, 'SIGCONT');
    await watcher?.endAsync().catch(() => undefined);
    await link?.stop().catch(() => undefined);
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('drops and counts what does not fit, keeps its write buffer bounded, and publishes again once the broker reads', { timeout: 60_000 }, async () => {
    const warnings: { msg: string; liveDropped?: number }[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _enc, done) {
        for (const line of chunk.toString().split('\n')) if (line) warnings.push(JSON.parse(line) as { msg: string });
        done();
      },
    });
    const log = createLog({ level: 'warn', destination });
    link = new MqttLink({
      config: { url: broker.url, clientId: 'edge-backpressure-test', credentials: {}, keepaliveS: 60 },
      checkpoint: CHECKPOINT,
      log,
      bus: new EventBus(log),
      onMessage: () => undefined,
    });
    link.start();
    await waitFor(() => link.connected, 10_000, 'the link to connect');
    watcher = await mqtt.connectAsync(broker.url, { clientId: 'test-live-watcher' });
    const seen: string[] = [];
    watcher.on('message', (_t, payload) => seen.push((JSON.parse(payload.toString()) as { n: string }).n));
    await watcher.subscribeAsync(topics.liveClearance(CHECKPOINT), { qos: 0 });

    const pid = broker.service.pid!;
    process.kill(pid, 'SIGSTOP');
    // Records of a few kB, as fast as the agent makes them: the kernel's socket buffers fill
    // first, then the connection's own write buffer.
    const pad = 'x'.repeat(4096);
    const client = (link as unknown as { client: MqttClient }).client;
    let maxBuffered = 0;
    for (let i = 0; i < 20_000 && link.stats().liveDropped < 100; i++) {
      link.publishLive(topics.liveClearance(CHECKPOINT), { n: `frozen-${i}`, pad });
      maxBuffered = Math.max(maxBuffered, client.stream.writableLength);
      if (i % 200 === 0) await new Promise((r) => setImmediate(r));
    }
    expect(link.stats().liveDropped).toBeGreaterThanOrEqual(100);
    // Bounded: at most the limit and the one record that crossed it.
    expect(maxBuffered).toBeLessThanOrEqual(LIVE_WRITE_BUFFER_BYTES + 8192);
    // Said once to whoever reads the log, not a hundred times.
    await waitFor(() => warnings.some((w) => w.msg.includes('live records dropped')), 5000, 'the warning');
    expect(warnings.filter((w) => w.msg.includes('live records dropped'))).toHaveLength(1);

    process.kill(pid, 'SIGCONT');
    await waitFor(() => client.stream.writableLength === 0, 20_000, 'the broker to read what was buffered');
    link.publishLive(topics.liveClearance(CHECKPOINT), { n: 'after' });
    await waitFor(() => seen.includes('after'), 10_000, 'the record published after the broker read again');
    expect(link.connected).toBe(true);
  });
});
