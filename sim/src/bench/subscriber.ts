/**
 * The raw limit's subscriber, forked by the benchmark: a plain MQTT.js client in its own
 * process, as the edge agent is, so that the raw figure and the end-to-end one both have the
 * publisher in the benchmark's process and the consumer in another (one process for both would
 * put the publisher and the subscriber on one event loop and understate the broker).
 *
 *   node subscriber.js <broker url> <topic filter> <messages expected>
 *
 * It counts and acknowledges (MQTT.js sends the PUBACK once 'message' has run), nothing more.
 * Messages to the parent (IPC): ready, progress every 500 ms, done at the expected count with
 * the times of the first and last message, and on 'stop' the final count (repeats would show).
 */
import mqtt from 'mqtt';
import { nowMs, type SubscriberMessage } from './clock.js';

function send(m: SubscriberMessage): void {
  process.send?.(m);
}

async function main(): Promise<void> {
  const [url, filter, expectedText] = process.argv.slice(2);
  const expected = Number(expectedText);
  if (!url || !filter || !Number.isSafeInteger(expected) || expected <= 0) {
    throw new Error(`usage: subscriber.js <broker url> <topic filter> <messages expected> (got ${process.argv.slice(2).join(' ')})`);
  }
  if (!process.send) throw new Error('subscriber.js runs as a child of the benchmark (forked with an IPC channel)');
  // The parent gone (crashed, killed): nothing to report to.
  process.on('disconnect', () => process.exit(0));

  const client = await mqtt.connectAsync(url, { clientId: `gatewatch-bench-sub-${process.pid}`, clean: true, reconnectPeriod: 1000 });
  let connects = 1;
  client.on('connect', () => connects++);
  let count = 0;
  let firstAtMs = 0;
  client.on('message', () => {
    if (count === 0) firstAtMs = nowMs();
    if (++count === expected) send({ type: 'done', count, firstAtMs, lastAtMs: nowMs(), connects });
  });
  await client.subscribeAsync(filter, { qos: 1 });
  const progress = setInterval(() => send({ type: 'progress', count, connects }), 500);
  process.on('message', (m) => {
    if (m !== 'stop') return;
    clearInterval(progress);
    send({ type: 'stopped', count, connects });
    void client.endAsync().finally(() => process.exit(0));
  });
  send({ type: 'ready' });
}

main().catch((error: unknown) => {
  process.stderr.write(`bench subscriber: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
