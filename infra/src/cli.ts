/**
 * `node infra/dist/cli.js <command>`: what a deployment writes from the code rather than by hand.
 *
 *   mosquitto-acl <checkpoint>... [--dashboard-user NAME]
 *       the broker's acl_file for these crossings (mosquittoAcl), on stdout
 *
 * Exit codes: 0 done, 2 usage or a bad checkpoint id (named).
 */
import { BrokerAclError, mosquittoAcl } from './mosquittoAcl.js';

const USAGE = `usage: node infra/dist/cli.js mosquitto-acl <checkpoint>... [--dashboard-user NAME]
  writes the broker's acl_file for these crossings to stdout (docs/security.md)`;

function fail(message: string): never {
  console.error(`infra: ${message}\n${USAGE}`);
  process.exit(2);
}

export function main(argv: readonly string[]): void {
  const [command, ...rest] = argv;
  if (command === '-h' || command === '--help') {
    console.log(USAGE);
    return;
  }
  if (command !== 'mosquitto-acl') fail(command === undefined ? 'no command' : `unknown command: ${command}`);
  const checkpoints: string[] = [];
  let dashboardUser: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i]!;
    if (a === '--dashboard-user') {
      dashboardUser = rest[++i];
      if (!dashboardUser) fail('--dashboard-user needs a name');
    } else if (a.startsWith('-')) fail(`unknown option: ${a}`);
    else checkpoints.push(a);
  }
  if (checkpoints.length === 0) fail('name at least one checkpoint');
  try {
    process.stdout.write(mosquittoAcl({ checkpoints, ...(dashboardUser ? { dashboardUser } : {}) }));
  } catch (error) {
    if (error instanceof BrokerAclError) fail(error.message);
    throw error;
  }
}

main(process.argv.slice(2));
