import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDashboardConfig } from '../config/load.js';
import { hashPassword, isPasswordHash, verifyPassword } from './passwords.js';
import { SessionStore } from './sessions.js';
import { ADDRESS_MAX_FAILURES, LoginThrottle, SignInLimits } from './throttle.js';
import { loadUsers } from './users.js';

describe('password hashes', () => {
  it('verifies the password it hashed and nothing else', async () => {
    const hash = await hashPassword('mật khẩu đúng');
    expect(hash).toMatch(/^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    expect(isPasswordHash(hash)).toBe(true);
    expect(await verifyPassword('mật khẩu đúng', hash)).toBe(true);
    expect(await verifyPassword('mật khẩu sai', hash)).toBe(false);
    expect(await hashPassword('x')).not.toBe(await hashPassword('x'));
  });

  it('refuses what is not a hash', async () => {
    for (const h of ['hunter2', 'scrypt$3$8$1$AAAA$AAAA', 'scrypt$16384$8$1$$', 'bcrypt$2b$10$abc']) {
      expect(isPasswordHash(h)).toBe(false);
      expect(await verifyPassword('hunter2', h)).toBe(false);
    }
  });
});

describe('users file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-dash-users-'));
  const config = parseDashboardConfig(
    {
      auth: { usersFile: 'users.yaml' },
      regions: [{ id: 'lao-cai', name: { vi: 'a', en: 'a' } }, { id: 'hai-phong', name: { vi: 'b', en: 'b' } }],
      checkpoints: [
        { id: 'lao-cai-rail', name: { vi: 'a', en: 'a' }, kind: 'rail', region: 'lao-cai', lanes: [{ id: 'T1', direction: 'inbound' }] },
        { id: 'kim-thanh-road', name: { vi: 'a', en: 'a' }, kind: 'road', region: 'lao-cai', lanes: [{ id: 'IN-1', direction: 'inbound' }] },
        { id: 'hai-phong-port', name: { vi: 'a', en: 'a' }, kind: 'port', region: 'hai-phong', lanes: [{ id: 'IN-1', direction: 'inbound' }] },
      ],
    },
    dir,
    {},
  );

  it("gives a manager the region's checkpoints", async () => {
    const hash = await hashPassword('pw');
    writeFileSync(
      join(dir, 'users.yaml'),
      `users:\n  - { username: m.laocai, displayName: B, role: manager, region: lao-cai, passwordHash: '${hash}' }\n  - { username: o.kt, displayName: A, role: officer, checkpoints: [kim-thanh-road], passwordHash: '${hash}' }\n`,
    );
    const users = loadUsers(config);
    expect(users.get('m.laocai')).toMatchObject({ role: 'manager', region: 'lao-cai', checkpoints: ['lao-cai-rail', 'kim-thanh-road'] });
    expect(users.get('o.kt')).toMatchObject({ role: 'officer', checkpoints: ['kim-thanh-road'] });
  });

  it('refuses plain passwords, unknown checkpoints and regions, all at once, without repeating the password', () => {
    writeFileSync(
      join(dir, 'users.yaml'),
      'users:\n  - { username: o.kt, displayName: A, role: officer, checkpoints: [kim-thanh], passwordHash: hunter2 }\n  - { username: m, displayName: B, role: manager, password: hunter3 }\n',
    );
    let message = '';
    try {
      loadUsers(config);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain("users[0].checkpoints[0]: no such checkpoint; the checkpoints are lao-cai-rail, kim-thanh-road, hai-phong-port (is 'kim-thanh')");
    expect(message).toContain('users[0].passwordHash: must be a scrypt hash (scrypt$N$r$p$salt$hash); plain passwords are refused');
    expect(message).toContain('users[1].passwordHash: required');
    expect(message).toContain('users[1].password: must be a scrypt hash');
    expect(message).toContain('users[1].region: required for a manager');
    expect(message).not.toMatch(/hunter/);
  });
});

describe('sessions', () => {
  it('end after the idle time or the maximum age, whichever comes first', () => {
    let t = 0;
    const ended: string[] = [];
    const store = new SessionStore({ idleMs: 1000, maxMs: 2500 }, () => t);
    store.onEnd((id) => ended.push(id));
    const a = store.create('a');
    expect(a.id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    t = 900;
    expect(store.get(a.id)).toBeDefined();
    t = 1800;
    expect(store.get(a.id)).toBeDefined();
    expect(store.expiresAt(a)).toBe(2500);
    t = 2500;
    expect(store.get(a.id)).toBeUndefined();
    const b = store.create('b');
    t = 3500;
    expect(store.get(b.id)).toBeUndefined();
    expect(ended).toEqual([a.key, b.key]);
  });

  it('are kept across a restart with a file, which holds no cookie', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-sessions-'));
    const file = join(dir, 'sessions.json');
    let t = 0;
    const first = new SessionStore({ idleMs: 1000, maxMs: 5000, file }, () => t);
    first.start();
    const a = first.create('a');
    const b = first.create('b');
    first.end(b.id);
    first.stop();
    const onDisk = readFileSync(file, 'utf8');
    expect(onDisk).not.toContain(a.id);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    t = 500;
    const second = new SessionStore({ idleMs: 1000, maxMs: 5000, file }, () => t);
    second.start();
    expect(second.get(a.id)?.username).toBe('a');
    expect(second.get(b.id)).toBeUndefined();
    second.stop();
    // Idle past its time while the dashboard was down: not restored.
    t = 2000;
    const third = new SessionStore({ idleMs: 1000, maxMs: 5000, file }, () => t);
    third.start();
    expect(third.get(a.id)).toBeUndefined();
    third.stop();
    // A damaged file is no sessions, not a crash.
    writeFileSync(file, '{"v":1,"sessions":[{"key":1}]');
    const fourth = new SessionStore({ idleMs: 1000, maxMs: 5000, file }, () => t);
    expect(() => fourth.start()).not.toThrow();
    expect(fourth.size).toBe(0);
    fourth.stop();
  });
});

describe('sign-in throttle', () => {
  it('holds a username and address back after five failures for the rest of 15 minutes', () => {
    let t = 0;
    const throttle = new LoginThrottle(() => t);
    for (let i = 0; i < 5; i++) {
      expect(throttle.retryAfterS('u\n1')).toBe(0);
      throttle.failed('u\n1');
      t += 1000;
    }
    expect(throttle.retryAfterS('u\n1')).toBe(895);
    expect(throttle.retryAfterS('u\n2')).toBe(0);
    t = 15 * 60_000;
    expect(throttle.retryAfterS('u\n1')).toBe(0);
  });

  it('holds an address back after 30 failures whatever usernames it tried', () => {
    const t = 0;
    const byAddress = new LoginThrottle(() => t, ADDRESS_MAX_FAILURES);
    for (let i = 0; i < 30; i++) {
      expect(byAddress.retryAfterS('10.0.0.1')).toBe(0);
      byAddress.failed('10.0.0.1');
    }
    expect(byAddress.retryAfterS('10.0.0.1')).toBe(900);
    expect(byAddress.retryAfterS('10.0.0.2')).toBe(0);
  });
});

describe('sign-in limits together', () => {
  const at = (username: string, address: string, o: { device?: boolean; knownAddress?: boolean } = {}) => ({ username, address, device: o.device ?? false, knownAddress: o.knownAddress ?? false });
  const fail = (limits: SignInLimits, a: ReturnType<typeof at>, n: number) => {
    for (let i = 0; i < n; i++) {
      expect(limits.retryAfterS(a), `${a.username} attempt ${i + 1}`).toBe(0);
      limits.failed(a);
    }
  };

  it("lets an office's known users and browsers through its colleagues' 30 failures, but not a newcomer", () => {
    const limits = new SignInLimits(() => 0);
    for (let i = 0; i < 30; i++) fail(limits, at(`colleague.${i}`, '10.0.0.1'), 1);
    expect(limits.retryAfterS(at('newcomer', '10.0.0.1'))).toBeGreaterThan(0);
    expect(limits.retryAfterS(at('officer', '10.0.0.1', { device: true }))).toBe(0);
    expect(limits.retryAfterS(at('manager', '10.0.0.1', { knownAddress: true }))).toBe(0);
  });

  it("counts a user's own browser apart: a guesser beside the officer cannot lock it out, a stolen cookie still meets 5", () => {
    const limits = new SignInLimits(() => 0);
    fail(limits, at('officer', '10.0.0.1'), 5);
    expect(limits.retryAfterS(at('officer', '10.0.0.1'))).toBeGreaterThan(0);
    expect(limits.retryAfterS(at('officer', '10.0.0.1', { device: true }))).toBe(0);
    fail(limits, at('officer', '10.0.0.1', { device: true }), 5);
    expect(limits.retryAfterS(at('officer', '10.0.0.1', { device: true }))).toBeGreaterThan(0);
  });

  it('holds every attempt from an address after 100 failures, the known users and browsers too', () => {
    const limits = new SignInLimits(() => 0);
    for (let i = 0; i < 20; i++) fail(limits, at(`user.${i}`, '10.0.0.1', { knownAddress: true }), 5);
    expect(limits.retryAfterS(at('user.20', '10.0.0.1', { knownAddress: true }))).toBeGreaterThan(0);
    expect(limits.retryAfterS(at('officer', '10.0.0.1', { device: true }))).toBeGreaterThan(0);
    expect(limits.retryAfterS(at('officer', '10.0.0.2', { device: true }))).toBe(0);
  });

  it('takes back only the good attempt: a guesser with one good account cannot reset an address', () => {
    const limits = new SignInLimits(() => 0);
    for (let i = 0; i < 29; i++) fail(limits, at(`made.up.${i}`, '10.0.0.1'), 1);
    const good = at('officer', '10.0.0.1');
    fail(limits, good, 1);
    limits.succeeded(good);
    expect(limits.retryAfterS(at('made.up.x', '10.0.0.1'))).toBe(0);
    limits.failed(at('made.up.x', '10.0.0.1'));
    expect(limits.retryAfterS(at('made.up.y', '10.0.0.1'))).toBeGreaterThan(0);
  });
});
