/**
 * The broker's access rules (mosquitto `acl_file`), one account per role and crossing, from the
 * list of checkpoints. Written out per user rather than as `%u` patterns: a pattern applies to
 * every account, so a camera's or the dashboard's account would also get an edge's rights under a
 * checkpoint id equal to its username.
 *
 * - `edge-<checkpoint>` (the edge agent): publishes its status and live records under its own
 *   `gw/v1/<checkpoint>/`, reads its own cameras and customs decisions; nothing of another crossing.
 * - `devices-<checkpoint>` (the crossing's cameras and customs decision feed, or their gateway):
 *   publishes camera readings and decisions of that crossing only.
 * - the dashboard: reads every crossing's live records and status, publishes nothing.
 */

export interface BrokerAccounts {
  checkpoints: readonly string[];
  /** The dashboard's account (default `gatewatch-dashboard`). */
  dashboardUser?: string;
}

export const edgeUser = (checkpoint: string): string => `edge-${checkpoint}`;
export const devicesUser = (checkpoint: string): string => `devices-${checkpoint}`;
export const DASHBOARD_MQTT_USER = 'gatewatch-dashboard';

/** A checkpoint id as the topics allow it: no MQTT wildcard or level separator can sneak in. */
const CHECKPOINT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

export class BrokerAclError extends Error {
  readonly code = 'BAD_CHECKPOINT_ID';
}

export function mosquittoAcl(accounts: BrokerAccounts): string {
  const lines = ['# GateWatch broker access rules, written by infra/src/mosquittoAcl.ts: do not edit by hand.', ''];
  for (const cp of accounts.checkpoints) {
    if (!CHECKPOINT_ID.test(cp)) throw new BrokerAclError(`checkpoints: not a checkpoint id (is '${cp}')`);
    // The topics of shared/src/topics.ts (infra depends on no workspace package; the broker
    // security test checks these rules against that map).
    const base = `gw/v1/${cp}`;
    lines.push(
      `user ${edgeUser(cp)}`,
      `topic write ${base}/status`,
      `topic write ${base}/live/#`,
      `topic read ${base}/cam/#`,
      `topic read ${base}/decision`,
      '',
      `user ${devicesUser(cp)}`,
      `topic write ${base}/cam/#`,
      `topic write ${base}/decision`,
      '',
    );
  }
  lines.push(`user ${accounts.dashboardUser ?? DASHBOARD_MQTT_USER}`, 'topic read gw/v1/+/live/#', 'topic read gw/v1/+/status', '');
  return lines.join('\n');
}
