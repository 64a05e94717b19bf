/**
 * `node infra/dist/cli.js <command>`: what a deployment writes from the code rather than by hand.
 *
 *   mosquitto-acl <checkpoint>... [--dashboard-user NAME]
 *       the broker's acl_file for these crossings (mosquittoAcl), on stdout
 *
 * Exit codes: 0 done, 2 usage or a bad checkpoint id (named).
 */
import { parseArgs } from 'node:util';
import { BrokerAclError, mosquittoAcl } from './mosquittoAcl.js';

const USAGE = `usage: node infra/dist/cli.js mosquitto-acl <checkpoint>... [--dashboard-user NAME]
  writes the broker's acl_file for these crossings to stdout (docs/security.md)`;

function fail(message: string): never {
  console.error(`infra: ${message}\n${USAGE}`);
  process.exit(2);
}

function main(argv: readonly string[]): void {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }
  const [command, ...checkpoints] = parsed.positionals;
  if (parsed.values.help) {
    console.log(USAGE);
    return;
  }
  if (command !== 'mosquitto-acl') fail(command === undefined ? 'no command' : `unknown command: ${command}`);
  if (checkpoints.length === 0) fail('name at least one checkpoint');
  const dashboardUser = parsed.values['dashboard-user'];
  try {
    process.stdout.write(mosquittoAcl({ checkpoints, ...(dashboardUser ? { dashboardUser } : {}) }));
  } catch (error) {
    if (error instanceof BrokerAclError) fail(error.message);
    throw error;
  }
}

const parse = (argv: readonly string[]) =>
  parseArgs({ args: [...argv], allowPositionals: true, options: { 'dashboard-user': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });

main(process.argv.slice(2));
