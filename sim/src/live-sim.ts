#!/usr/bin/env node
/**
 * The live simulator of one crossing, a process of the run command (run-local.ts), which starts
 * it again when it exits by itself: every simulated device of the crossing, playing live. Serial
 * devices write into the simulator's ends of the ptys the edge agent reads; cameras and the
 * customs decision feed publish to the broker. The ground truth of each unit is appended to
 * the truth file. SIGTERM or SIGINT stops it.
 *
 * The broker's credentials come from GATEWATCH_MQTT_USERNAME and GATEWATCH_MQTT_PASSWORD, never
 * from the command line (ps shows it to every user of the machine).
 */
import { appendFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { simulatorMqttUrl } from './credentialEnv.js';
import { CROSSING_IDS, truthLine, type CrossingId } from './corridor/index.js';
import { LiveDriver } from './liveDriver.js';
import { liveEmissions } from './liveSimulation.js';

const USAGE = `usage: node sim/dist/live-sim.js --crossing ID --seed N --mqtt-url URL --truth FILE
                                [--serial DEVICE=PATH ...] [--from TIME]

Plays every simulated device of a crossing live, from TIME on (default: now), until SIGTERM.
  --crossing ID        ${CROSSING_IDS.join(', ')}
  --seed N             the simulator's seed (the same seed gives the same traffic on the same local day)
  --mqtt-url URL       the broker of the cameras and the customs feed (credentials: GATEWATCH_MQTT_USERNAME, GATEWATCH_MQTT_PASSWORD)
  --serial DEVICE=PATH where a serial device writes (the simulator's end of its pty), once per device
  --truth FILE         the ground truth of every unit is appended here
  --from TIME          ms since the epoch or an ISO time: the run's hand-over from the history
`;

function usageError(message: string): never {
  process.stderr.write(`live-sim: ${message}\n\n${USAGE}`);
  process.exit(2);
}

function options(): { crossing: CrossingId; seed: number; mqttUrl: string; truth: string; serialPaths: Record<string, string>; fromMs: number } {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        crossing: { type: 'string' },
        seed: { type: 'string' },
        'mqtt-url': { type: 'string' },
        serial: { type: 'string', multiple: true },
        truth: { type: 'string' },
        from: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    usageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  const crossing = values.crossing as CrossingId | undefined;
  if (!crossing || !CROSSING_IDS.includes(crossing)) usageError(`--crossing: one of ${CROSSING_IDS.join(', ')} (is '${values.crossing ?? ''}')`);
  const seed = Number(values.seed);
  if (values.seed === undefined || !Number.isSafeInteger(seed)) usageError(`--seed: a whole number (is '${values.seed ?? ''}')`);
  if (!values['mqtt-url']) usageError('--mqtt-url is missing');
  if (!values.truth) usageError('--truth is missing');
  const serialPaths: Record<string, string> = {};
  for (const s of values.serial ?? []) {
    const eq = s.indexOf('=');
    if (eq <= 0 || eq === s.length - 1) usageError(`--serial: DEVICE=PATH (is '${s}')`);
    serialPaths[s.slice(0, eq)] = s.slice(eq + 1);
  }
  const fromMs = values.from === undefined ? Date.now() : /^\d+$/.test(values.from) ? Number(values.from) : Date.parse(values.from);
  if (!Number.isFinite(fromMs)) usageError(`--from: ms since the epoch or an ISO time (is '${values.from}')`);
  return { crossing, seed, mqttUrl: values['mqtt-url'], truth: values.truth, serialPaths, fromMs };
}

const opts = options();
const driver = new LiveDriver({
  mqttUrl: simulatorMqttUrl(opts.mqttUrl),
  clientId: `gatewatch-sim-${opts.crossing}`,
  serialPaths: opts.serialPaths,
  emissions: liveEmissions({ crossing: opts.crossing, seed: opts.seed, fromMs: opts.fromMs, onTruth: (t) => appendFileSync(opts.truth, truthLine(t.record)) })[Symbol.iterator](),
});
console.log(`${new Date().toISOString()} live simulator of ${opts.crossing}: seed ${opts.seed}, playing from ${new Date(opts.fromMs).toISOString()}; ground truth to ${opts.truth}`);
// Catches up synchronously: the day before its start, unseen, then what fell due since --from.
driver.start();
console.log(`${new Date().toISOString()} live simulator of ${opts.crossing}: caught up, playing live`);

let stopping = false;
const stop = (): void => {
  if (stopping) return;
  stopping = true;
  // Messages not yet handed to a broker that has gone away are lost anyway (devices down):
  // never hold up the run command's Ctrl-C for them.
  setTimeout(() => process.exit(0), 5000).unref();
  driver.stop().then(
    () => {
      console.log(`${new Date().toISOString()} live simulator of ${opts.crossing}: stopped (sent ${driver.sent.serial} serial frames, ${driver.sent.mqtt} messages)`);
      process.exit(0);
    },
    (error: unknown) => {
      console.error(`${new Date().toISOString()} live simulator of ${opts.crossing}: stopped, not cleanly: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(0);
    },
  );
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
