import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '@gatewatch/shared';
import { loadDashboardConfig, parseDashboardConfig } from './load.js';

const minimal = () => ({
  auth: { usersFile: 'users.yaml' },
  regions: [{ id: 'lao-cai', name: { vi: 'Lào Cai', en: 'Lao Cai' } }],
  checkpoints: [{ id: 'kim-thanh-road', name: { vi: 'Kim Thành', en: 'Kim Thanh' }, kind: 'road', region: 'lao-cai', lanes: [{ id: 'IN-1', direction: 'inbound' }] }],
});

function issues(obj: unknown, env: Record<string, string> = {}): string[] {
  try {
    parseDashboardConfig(obj, '/etc/gatewatch', env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.issues];
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('dashboard configuration', () => {
  it('fills in defaults and resolves the users file against the config folder', () => {
    const c = parseDashboardConfig(minimal(), '/etc/gatewatch', {});
    expect(c.server).toEqual({ host: '127.0.0.1', port: 8080, secureCookies: false, trustProxy: false });
    expect(c.mqtt).toEqual({ url: 'mqtt://127.0.0.1:1883', clientId: 'gatewatch-dashboard' });
    expect(c.auth).toEqual({ usersFile: '/etc/gatewatch/users.yaml', sessionIdleMinutes: 30, sessionMaxHours: 12 });
    expect(c.checkpoints[0]).toMatchObject({ alerts: { queueLength: 30, waitS: 3600 }, congestion: { busyWaitS: 1800, congestedWaitS: 7200 }, deviceIntervalS: 30 });
  });

  it('takes the trusted proxies as true (this machine) or their addresses, and refuses anything else naming it', () => {
    const withProxy = (trustProxy: unknown) => ({ ...minimal(), server: { trustProxy } });
    expect(parseDashboardConfig(withProxy(['10.0.0.5', '10.1.0.0/16', 'fd00::/8']), '/etc/gatewatch', {}).server.trustProxy).toEqual(['10.0.0.5', '10.1.0.0/16', 'fd00::/8']);
    expect(parseDashboardConfig(withProxy(true), '/etc/gatewatch', {}).server.trustProxy).toBe(true);
    expect(issues(withProxy(['proxy.example']))[0]).toMatch(/^server\.trustProxy/);
    expect(issues(withProxy([]))[0]).toMatch(/^server\.trustProxy/);
  });

  it('takes opening hours for a crossing and its lanes, and names a bad one by its path', () => {
    const withHours = (hours: unknown, laneHours?: unknown) => {
      const c = minimal();
      return { ...c, checkpoints: [{ ...c.checkpoints[0]!, hours, lanes: [{ id: 'IN-1', direction: 'inbound', ...(laneHours !== undefined ? { hours: laneHours } : {}) }] }] };
    };
    const good = parseDashboardConfig(withHours([{ open: '07:00', close: '22:00' }], [{ days: [1, 2, 3, 4, 5], open: '06:00', close: '24:00' }]), '/etc/gatewatch', {});
    expect(good.checkpoints[0]).toMatchObject({ hours: [{ open: '07:00', close: '22:00' }], queueIntervalS: 10, lanes: [{ id: 'IN-1', hours: [{ days: [1, 2, 3, 4, 5], open: '06:00', close: '24:00' }] }] });
    expect(issues(withHours([{ open: '7:00', close: '22:00' }]))[0]).toMatch(/^checkpoints\[0\]\.hours\[0\]\.open: expected a local time 'HH:MM'/);
    expect(issues(withHours([{ open: '07:00', close: '22:00' }], [{ days: [8], open: '07:00', close: '22:00' }]))[0]).toMatch(/^checkpoints\[0\]\.lanes\[0\]\.hours\[0\]\.days: expected weekdays 1 \(Monday\) to 7 \(Sunday\)/);
    expect(issues(withHours([]))[0]).toMatch(/^checkpoints\[0\]\.hours/);
  });

  it('reports every problem at once, with path and value', () => {
    const bad = minimal() as Record<string, unknown>;
    bad['server'] = { port: 'eighty' };
    bad['checkpoints'] = [
      { id: 'Kim Thanh', name: { vi: 'x', en: 'y' }, kind: 'road', region: 'lao-kai', lanes: [{ id: 'IN-1', direction: 'in' }] },
      { id: 'b', name: { vi: 'x', en: 'y' }, kind: 'boat', region: 'lao-cai', lanes: [{ id: 'A', direction: 'inbound' }, { id: 'A', direction: 'outbound' }] },
    ];
    expect(issues(bad)).toEqual([
      "server.port: expected a whole number (is 'eighty')",
      "checkpoints[0].id: must be 1 to 48 lower-case letters, digits or '-', like kim-thanh-road (is 'Kim Thanh')",
      "checkpoints[0].lanes[0].direction: expected 'inbound' or 'outbound' (is 'in')",
      "checkpoints[1].kind: expected 'road', 'rail' or 'port' (is 'boat')",
      "checkpoints[0].region: no such region; the regions are lao-cai (is 'lao-kai')",
      "checkpoints[1].lanes[1].id: duplicate lane id, already used by checkpoints[1].lanes[0] (is 'A')",
    ]);
  });

  it('takes credentials from the environment or a file, never inline', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-dash-config-'));
    writeFileSync(join(dir, 'influx-password'), 's3cret\n');
    const c = parseDashboardConfig(
      { ...minimal(), mqtt: { credentials: { username: 'dash', passwordEnv: 'MQTT_PW' } }, influx: { credentials: { username: 'dash', passwordFile: 'influx-password' } } },
      dir,
      { MQTT_PW: 'pw' },
    );
    expect(c.mqtt.credentials).toEqual({ username: 'dash', password: 'pw' });
    expect(c.influx.credentials).toEqual({ username: 'dash', password: 's3cret' });
    const found = issues({ ...minimal(), mqtt: { credentials: { username: 'dash', password: 'inline-secret' } }, influx: { credentials: { passwordEnv: 'NOPE' } } });
    expect(found).toEqual([
      'mqtt.credentials.password: a plain password is not accepted in the configuration file; use passwordEnv (an environment variable) or passwordFile (a file that holds it)',
      "influx.credentials.passwordEnv: environment variable 'NOPE' is not set",
    ]);
    expect(found.join('\n')).not.toContain('inline-secret');
  });

  it("reads the broker's CA certificate for mqtts://, or names the file it cannot read", () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-dash-config-'));
    writeFileSync(join(dir, 'ca.crt'), 'PEM');
    expect(parseDashboardConfig({ ...minimal(), mqtt: { url: 'mqtts://broker:8883', caFile: 'ca.crt' } }, dir, {}).mqtt.ca).toBe('PEM');
    expect(issues({ ...minimal(), mqtt: { caFile: '/nonexistent/ca.crt' } })).toEqual(["mqtt.caFile: cannot read '/nonexistent/ca.crt' (ENOENT)"]);
  });

  it('names the line of a YAML syntax error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gw-dash-config-'));
    writeFileSync(join(dir, 'dashboard.yaml'), 'server:\n  port: 1\n  port: 2\n');
    expect(() => loadDashboardConfig(join(dir, 'dashboard.yaml'), {})).toThrow(/line 3, column 3: YAML syntax: Map keys must be unique/);
  });
});
