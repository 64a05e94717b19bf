/**
 * Sessions kept across a restart (`auth.sessionsFile`) and a password changed meanwhile: the
 * usual answer to a leaked password or a stolen laptop is a new password hash in the users file
 * and a restart, and that must end every session signed in with the old password, while the
 * other users stay signed in.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, type Dashboard, type DashboardConfig } from '@gatewatch/dashboard';
import { api, login, startServices, startTestDashboard, USERS, writeConfig, type Services } from './fixture.js';

describe('sessions kept across a restart', () => {
  let services: Services;
  let config: DashboardConfig;
  let dashboard: Dashboard | undefined;
  beforeAll(async () => {
    services = await startServices('sessions');
    config = await writeConfig(services, 'sessions', { auth: { sessionsFile: 'sessions.json' } });
  });
  afterAll(async () => {
    await dashboard?.stop();
    await services?.close();
  });

  it('end for a user whose password was changed meanwhile, and only for that user', async () => {
    dashboard = await startTestDashboard(config);
    const officer = await login(dashboard.url, USERS.officer);
    const manager = await login(dashboard.url, USERS.managerLaoCai);
    await dashboard.stop();

    // The officer gets a new password while the dashboard is down.
    const usersFile = config.auth.usersFile;
    const users = parse(readFileSync(usersFile, 'utf8')) as { users: { username: string; passwordHash: string }[] };
    users.users.find((u) => u.username === USERS.officer)!.passwordHash = await hashPassword('a new password for the officer');
    writeFileSync(usersFile, stringify(users));

    dashboard = await startTestDashboard(config);
    expect((await api(dashboard.url, '/api/auth/me', { cookie: officer })).status).toBe(401);
    expect((await api(dashboard.url, '/api/auth/me', { cookie: manager })).status).toBe(200);
    expect((await api(dashboard.url, '/api/auth/login', { method: 'POST', body: { username: USERS.officer, password: 'a new password for the officer' } })).status).toBe(200);
    // Nothing of the password in the file: neither the hash nor anything that is a cookie.
    const kept = readFileSync(join(services.dir, 'sessions', 'sessions.json'), 'utf8');
    for (const u of users.users) expect(kept).not.toContain(u.passwordHash.split('$').at(-1));
    expect(kept).not.toContain(officer.split('=')[1]);
  });
});
