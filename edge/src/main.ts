#!/usr/bin/env node
/**
 * gatewatch-edge --config <site.yaml> [--clock-start <time>] [--clock-rate <n>] [--clock-anchor <time>]
 * Runs the edge agent of one crossing until SIGTERM or SIGINT, then drains and exits 0.
 * Exit codes: 0 clean stop, 1 crash, 2 invalid configuration or usage.
 */
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { ConfigError } from '@gatewatch/shared';
import { Agent } from './agent.js';
import { ClockOptionError, clockFromOptions, MAX_RATE, type ClockOptionValues, type ScaledClock } from './clock.js';
import { loadSiteConfig } from './config/load.js';
import { createLog } from './log.js';

const USAGE = `usage: gatewatch-edge --config <site.yaml> [clock options]

Runs the edge agent of one crossing until SIGTERM or SIGINT, then drains and exits.

  -c, --config <file>      the site file (YAML)
  -h, --help               this text

Clock options, for tests and demos only (a crossing runs on real time; leave them out):
  --clock-start <time>     the agent's time when its clock starts: an ISO 8601 time with an
                           offset (2026-11-25T08:00:00+07:00) or whole ms since the epoch.
                           Default: now.                       [env GATEWATCH_CLOCK_START]
  --clock-rate <n>         how many times as fast as the wall clock the agent's time runs,
                           0 < n <= ${MAX_RATE} (20: an hour in 3 minutes). Default: 1.
                                                               [env GATEWATCH_CLOCK_RATE]
  --clock-anchor <time>    the wall-clock instant at which the agent's time reads
                           --clock-start (same formats). Default: when the agent starts.
                           Give it to line the agent up with a simulator played at the same
                           rate from the same start.           [env GATEWATCH_CLOCK_ANCHOR]

  Agent time = start + (wall time - anchor) x rate. Serial frames are stamped with it, ticks,
  releases, timeouts, queue intervals, device records and snapshots follow it; MQTT keepalive,
  InfluxDB retries, fsync and serial reopen delays stay on the wall clock. Options override
  the environment. Do not point a clock-shifted agent at the storage folder of a real one.

Exit codes: 0 clean stop, 1 crash, 2 invalid configuration or usage.
`;

const CLOCK_OPTIONS = [
  ['start', 'clock-start', 'GATEWATCH_CLOCK_START'],
  ['rate', 'clock-rate', 'GATEWATCH_CLOCK_RATE'],
  ['anchor', 'clock-anchor', 'GATEWATCH_CLOCK_ANCHOR'],
] as const;

function usageError(message: string): number {
  process.stderr.write(`gatewatch-edge: ${message}\n(gatewatch-edge --help lists the options)\n`);
  return 2;
}

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        config: { type: 'string', short: 'c' },
        help: { type: 'boolean', short: 'h' },
        'clock-start': { type: 'string' },
        'clock-rate': { type: 'string' },
        'clock-anchor': { type: 'string' },
      },
    }));
  } catch (error) {
    // Unknown option, missing value, stray argument.
    return usageError(error instanceof Error ? error.message : String(error));
  }
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!values.config) {
    process.stderr.write(USAGE);
    return 2;
  }
  let clock: ScaledClock | undefined;
  try {
    const given: ClockOptionValues = {};
    for (const [key, flag, env] of CLOCK_OPTIONS) {
      const flagValue = values[flag];
      const envValue = process.env[env];
      if (flagValue !== undefined) given[key] = { name: `--${flag}`, value: flagValue };
      else if (envValue !== undefined && envValue !== '') given[key] = { name: env, value: envValue };
    }
    clock = clockFromOptions(given);
  } catch (error) {
    if (error instanceof ClockOptionError) return usageError(error.message);
    throw error;
  }
  let config;
  try {
    config = loadSiteConfig(values.config);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${values.config}: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const log = createLog({ level: config.log.level, checkpoint: config.checkpoint.id });
  process.on('uncaughtException', (err) => {
    // The journal makes a restart safe; a supervisor (systemd) restarts the agent.
    log.fatal({ err }, 'uncaught exception');
    process.exit(1);
  });
  if (clock) {
    log.warn(
      { rate: clock.rate, start: new Date(clock.startMs).toISOString(), anchor: new Date(clock.anchorMs).toISOString() },
      'agent clock is simulated (tests and demos only): agent time = start + (wall time - anchor) x rate',
    );
  }
  const agent = new Agent(config, {
    log,
    ...(clock ? { clock } : {}),
    // Storage failed: exit so that the supervisor restarts the agent; the journal replay
    // rebuilds what was not stored. Nothing unstored was acknowledged.
    onFatal: () => process.exit(1),
  });
  await agent.start();
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await agent.stop();
  return 0;
}

/**
 * Old-generation growth of 20 % between full collections instead of V8's dynamic factor (up to
 * 4x when collections are cheap). Under a burst the core's short-lived state (visits held for
 * the lateness window, the outbox read window, batches for InfluxDB) is promoted and dies soon
 * after; with the dynamic factor the heap grew to three times what was alive before V8 looked
 * again (peak RSS 270 MB for 100 000 events, 100 MB alive). The flag is read at every
 * collection, so setting it here, before the agent allocates, takes effect; the CPU cost of the
 * extra collections was within the noise of the benchmark. Flags a launcher passes (e.g.
 * NODE_OPTIONS=--max-semi-space-size=8) are not affected.
 */
setFlagsFromString('--heap-growing-percent=20');

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`gatewatch-edge: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
