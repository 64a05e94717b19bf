#!/usr/bin/env node
/**
 * gatewatch-edge --config <site.yaml>
 * Runs the edge agent of one crossing until SIGTERM or SIGINT, then drains and exits 0.
 * Exit codes: 0 clean stop, 1 crash, 2 invalid configuration or usage.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '@gatewatch/shared';
import { Agent } from './agent.js';
import { loadSiteConfig } from './config/load.js';
import { createLog } from './log.js';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' } } });
  if (!values.config) {
    process.stderr.write('usage: gatewatch-edge --config <site.yaml>\n');
    return 2;
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
  const agent = new Agent(config, {
    log,
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

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`gatewatch-edge: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
