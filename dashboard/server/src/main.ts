#!/usr/bin/env node
/**
 * node dist/main.js --config dashboard.yaml [--static dir]   serves until SIGINT/SIGTERM
 * node dist/main.js hash-password                           reads a password line from stdin, prints its hash
 * Exit codes: 0 clean stop, 1 crash, 2 invalid configuration or usage.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError } from '@gatewatch/shared';
import { hashPassword } from './auth/passwords.js';
import { loadDashboardConfig } from './config/load.js';
import { createLog } from './log.js';
import { startDashboard } from './server.js';

const USAGE = `usage: gatewatch-dashboard --config <dashboard.yaml> [--static <dir>]
       gatewatch-dashboard hash-password        (reads the password from stdin, prints its hash)

  -c, --config <file>   the dashboard configuration (YAML)
  --static <dir>        the built web app (default: dashboard/web/dist next to this package)
  -h, --help            this text

Exit codes: 0 clean stop, 1 crash, 2 invalid configuration or usage.
`;

/** The built web app next to this package: dashboard/server/dist → dashboard/web/dist. */
const DEFAULT_STATIC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web', 'dist');

async function readLine(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0] ?? '';
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ allowPositionals: true, options: { config: { type: 'string', short: 'c' }, static: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  } catch (error) {
    process.stderr.write(`gatewatch-dashboard: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (positionals[0] === 'hash-password' && positionals.length === 1) {
    if (process.stdin.isTTY) process.stderr.write('password: ');
    const password = await readLine();
    if (password === '') {
      process.stderr.write('gatewatch-dashboard: the password is empty\n');
      return 2;
    }
    process.stdout.write(`${await hashPassword(password)}\n`);
    return 0;
  }
  if (positionals.length > 0 || !values.config) {
    process.stderr.write(USAGE);
    return 2;
  }
  let dashboard;
  try {
    const config = loadDashboardConfig(values.config);
    dashboard = await startDashboard(config, { staticDir: values.static ?? DEFAULT_STATIC, log: createLog({ level: config.log.level }) });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`gatewatch-dashboard: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await dashboard.stop();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`gatewatch-dashboard: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 1;
  },
);
