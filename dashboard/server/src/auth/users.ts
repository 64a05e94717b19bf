/**
 * The users file (YAML, read at start; restart to change users):
 *
 *   users:
 *     - { username: officer.kimthanh, displayName: …, role: officer, checkpoints: [kim-thanh-road], passwordHash: scrypt$… }
 *     - { username: manager.laocai, displayName: …, role: manager, region: lao-cai, passwordHash: scrypt$… }
 *
 * Anything but a scrypt hash (a plain password above all) refuses the start.
 */
import { ConfigError } from '@gatewatch/shared';
import type { Role } from '@gatewatch/shared';
import { z } from 'zod';
import { errorMessage, formatIssue, readYaml } from '../config/load.js';
import type { DashboardConfig } from '../config/types.js';
import { isPasswordHash } from './passwords.js';

export interface User {
  username: string;
  displayName: string;
  role: Role;
  /** The checkpoints this user may see in full (a manager's: those of the region). */
  checkpoints: string[];
  region?: string;
  passwordHash: string;
}

const HASH_HELP = 'must be a scrypt hash (scrypt$N$r$p$salt$hash); plain passwords are refused. Make one with `node dashboard/server/dist/main.js hash-password`';

function usersSchema(config: DashboardConfig) {
  const checkpoints = config.checkpoints.map((c) => c.id);
  const regions = config.regions.map((r) => r.id);
  const user = z.strictObject({
    username: z.string().regex(/^[A-Za-z0-9._@-]{1,64}$/, { error: "must be 1 to 64 letters, digits or '.', '_', '@', '-'" }),
    displayName: z.string().min(1).max(120),
    role: z.enum(['officer', 'manager']),
    checkpoints: z.array(z.enum(checkpoints, { error: `no such checkpoint; the checkpoints are ${checkpoints.join(', ')}` })).min(1).exactOptional(),
    region: z.enum(regions, { error: `no such region; the regions are ${regions.join(', ')}` }).exactOptional(),
    passwordHash: z.string().refine(isPasswordHash, { error: HASH_HELP }),
    password: z.never({ error: HASH_HELP }).exactOptional(),
  });
  return z.strictObject({ users: z.array(user) }).superRefine(
    (value, payload) => {
      // On the unvalidated value, so that these show alongside the other errors.
      const list: unknown[] = Array.isArray((value as { users?: unknown }).users) ? (value as { users: unknown[] }).users : [];
      const seen = new Set<unknown>();
      list.forEach((u, i) => {
        if (typeof u !== 'object' || u === null) return;
        const { username, role, checkpoints, region } = u as Record<string, unknown>;
        if (seen.has(username)) payload.addIssue({ code: 'custom', path: ['users', i, 'username'], message: 'duplicate username', continue: true });
        seen.add(username);
        if (role === 'officer' && checkpoints === undefined) payload.addIssue({ code: 'custom', path: ['users', i, 'checkpoints'], message: 'required for an officer', continue: true });
        if (role === 'manager' && region === undefined) payload.addIssue({ code: 'custom', path: ['users', i, 'region'], message: 'required for a manager', continue: true });
      });
    },
    { when: () => true },
  );
}

export function loadUsers(config: DashboardConfig): Map<string, User> {
  const file = config.auth.usersFile;
  const raw = readYaml(file);
  const result = usersSchema(config).safeParse(raw, { error: errorMessage });
  if (!result.success) throw new ConfigError(result.error.issues.flatMap((issue) => formatIssue(issue, raw).map((l) => `${file}: ${l}`)));
  const users = new Map<string, User>();
  for (const u of result.data.users) {
    const checkpoints = u.role === 'manager' ? config.checkpoints.filter((c) => c.region === u.region).map((c) => c.id) : (u.checkpoints ?? []);
    users.set(u.username, {
      username: u.username,
      displayName: u.displayName,
      role: u.role,
      checkpoints,
      ...(u.region !== undefined ? { region: u.region } : {}),
      passwordHash: u.passwordHash,
    });
  }
  return users;
}
