/**
 * InfluxDB's accounts for GateWatch, on a server with authentication on: each role gets the one
 * privilege it needs on the one database, so a stolen edge password can add points but read
 * nothing, and the dashboard's can read but change nothing.
 *
 * Idempotent, and the way to rotate a password: an existing user gets SET PASSWORD, and its
 * privileges on the database are revoked and granted again, so a role changed here takes effect.
 * Run with an admin's credentials.
 */
import { influxQuery, InfluxQueryError, type InfluxTarget } from './influxQuery.js';
import { DEFAULT_DATABASE, quoteIdent, quoteString } from './influxSchema.js';

export type InfluxAccess = 'write' | 'read';

export interface InfluxAccount {
  username: string;
  password: string;
  /** `write` for edge agents (their points only), `read` for the dashboard. */
  access: InfluxAccess;
}

/** The role names the deployment uses; any names work. */
export const INFLUX_EDGE_USER = 'gatewatch-edge';
export const INFLUX_DASHBOARD_USER = 'gatewatch-dashboard';

export class InfluxUsersError extends Error {
  constructor(
    readonly code: 'BAD_ACCOUNT' | 'REFUSED',
    message: string,
  ) {
    super(message);
    this.name = 'InfluxUsersError';
  }
}

export interface ApplyUsersResult {
  created: string[];
  updated: string[];
}

export async function applyUsers(admin: InfluxTarget, accounts: readonly InfluxAccount[], opts: { database?: string } = {}): Promise<ApplyUsersResult> {
  const db = quoteIdent(opts.database ?? DEFAULT_DATABASE);
  accounts.forEach((a, i) => {
    if (!a.username) throw new InfluxUsersError('BAD_ACCOUNT', `accounts[${i}].username: required`);
    // The password never goes into a message.
    if (a.password.length < 12) throw new InfluxUsersError('BAD_ACCOUNT', `accounts[${i}].password: at least 12 characters (${a.username})`);
    if (a.access !== 'write' && a.access !== 'read') throw new InfluxUsersError('BAD_ACCOUNT', `accounts[${i}].access: 'write' or 'read' (is '${String(a.access)}')`);
  });
  const run = async (q: string, what: string) => {
    try {
      return await influxQuery(admin, q);
    } catch (error) {
      // The statement may hold a password: name the user and the step, not the text.
      if (error instanceof InfluxQueryError) throw new InfluxUsersError('REFUSED', `${what}: InfluxDB refused (${error.status ?? error.code})`);
      throw error;
    }
  };
  const existing = new Set(((await run('SHOW USERS', 'listing users')).series?.[0]?.values ?? []).map((v) => String(v[0])));
  const result: ApplyUsersResult = { created: [], updated: [] };
  for (const a of accounts) {
    const user = quoteIdent(a.username);
    if (existing.has(a.username)) {
      await run(`SET PASSWORD FOR ${user} = ${quoteString(a.password)}`, `setting the password of ${a.username}`);
      // Admin rights too: an account of these roles is never an admin.
      await run(`REVOKE ALL PRIVILEGES FROM ${user}`, `revoking ${a.username}'s admin rights`);
      await run(`REVOKE ALL ON ${db} FROM ${user}`, `revoking ${a.username}'s privileges`);
      result.updated.push(a.username);
    } else {
      await run(`CREATE USER ${user} WITH PASSWORD ${quoteString(a.password)}`, `creating ${a.username}`);
      result.created.push(a.username);
    }
    await run(`GRANT ${a.access === 'write' ? 'WRITE' : 'READ'} ON ${db} TO ${user}`, `granting ${a.access} to ${a.username}`);
  }
  return result;
}
