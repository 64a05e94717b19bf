import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError } from '@gatewatch/shared';
import { stringify } from 'yaml';
import { coreConfigOf } from './coreConfig.js';
import { loadSiteConfig, parseSiteConfig } from './load.js';
import type { SiteConfig } from './types.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EXAMPLE = fileURLToPath(new URL('../../../infra/sites/kim-thanh-road.yaml', import.meta.url));

/** The smallest valid site: everything else takes its default. */
function minimal(): Record<string, unknown> {
  return {
    checkpoint: { id: 'kim-thanh-road', name: { vi: 'Kim Thành', en: 'Kim Thanh' }, kind: 'road' },
    lanes: [
      { id: 'IN-1', direction: 'inbound' },
      { id: 'OUT-1', direction: 'outbound', defaultServiceS: 90 },
    ],
    devices: {
      serial: [
        { id: 'gate-ctl', kind: 'gate-controller', path: '/dev/ttyUSB0' },
        { id: 'scanner-IN-1', kind: 'scanner', path: '/dev/ttyUSB1', lane: 'IN-1' },
        { id: 'weighbridge-IN-1', kind: 'weighbridge', path: '/dev/ttyUSB2', lane: 'IN-1' },
      ],
      cameras: [{ id: 'cam-q1' }, { id: 'cam-g1' }],
    },
    mqtt: { url: 'mqtt://127.0.0.1:1883' },
    influx: { url: 'http://127.0.0.1:8086' },
    storage: { dir: 'state' },
  };
}

/** A deep copy of `minimal()` with `edit` applied (fixtures are edited freely, as YAML would be). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function site(edit: (s: any) => void): Record<string, unknown> {
  const s = structuredClone(minimal());
  edit(s);
  return s;
}

/** The issues of the ConfigError that `fn` throws. */
function issuesOf(fn: () => unknown): readonly string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).issues;
  }
  throw new Error('expected a ConfigError, got a valid configuration');
}

const parse = (obj: unknown, env: Record<string, string> = {}): SiteConfig => parseSiteConfig(obj, dir, env);
const issues = (obj: unknown, env: Record<string, string> = {}): readonly string[] => issuesOf(() => parse(obj, env));

function writeSite(name: string, content: string): string {
  const file = join(dir, name);
  mkdirSync(join(file, '..'), { recursive: true });
  writeFileSync(file, content);
  return file;
}

describe('a valid site configuration', () => {
  it('gets every default filled in', () => {
    const serialDefaults = { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 };
    const expected: SiteConfig = {
      checkpoint: { id: 'kim-thanh-road', name: { vi: 'Kim Thành', en: 'Kim Thanh' }, kind: 'road' },
      lanes: [
        { id: 'IN-1', direction: 'inbound', defaultServiceS: 120, exitOrder: 'fifo' },
        { id: 'OUT-1', direction: 'outbound', defaultServiceS: 90, exitOrder: 'fifo' },
      ],
      devices: {
        serial: [
          { id: 'gate-ctl', kind: 'gate-controller', path: '/dev/ttyUSB0', ...serialDefaults, silentAfterMs: 15_000 },
          { id: 'scanner-IN-1', kind: 'scanner', path: '/dev/ttyUSB1', ...serialDefaults, lane: 'IN-1' },
          { id: 'weighbridge-IN-1', kind: 'weighbridge', path: '/dev/ttyUSB2', ...serialDefaults, lane: 'IN-1' },
        ] as SiteConfig['devices']['serial'],
        cameras: [{ id: 'cam-q1' }, { id: 'cam-g1' }],
      },
      mqtt: { url: 'mqtt://127.0.0.1:1883', clientId: 'gatewatch-edge-kim-thanh-road', credentials: {}, keepaliveS: 30 },
      influx: { url: 'http://127.0.0.1:8086', database: 'gatewatch', credentials: {} },
      storage: {
        dir: join(dir, 'state'),
        fsync: 'interval',
        fsyncIntervalMs: 200,
        outboxMaxPoints: 5_000_000,
        outboxTelemetryShare: 0.9,
      },
      clearance: {
        latenessWindowMs: 5000,
        unitTimeoutMs: 6 * 3600 * 1000,
        queueIntervalMs: 10_000,
        deviceIntervalMs: 30_000,
        estimateWindowMs: 15 * 60 * 1000,
      },
      batch: { maxPoints: 5000, maxDelayMs: 1000 },
      log: { level: 'info' },
    };
    const config = parse(minimal());
    expect(config).toStrictEqual(expected);
    // Optional keys are absent, not undefined (exactOptionalPropertyTypes).
    expect(Object.keys(config.devices.serial[1]!)).not.toContain('silentAfterMs');
    expect(Object.keys(config.devices.serial[0]!)).not.toContain('lane');
  });

  it('keeps values that are given', () => {
    const config = parse(
      site((s) => {
        s.devices.serial[2] = { ...s.devices.serial[2], baudRate: 2400, dataBits: 7, parity: 'even', stopBits: 2, silentAfterMs: 3000 };
        s.devices.serial[0].silentAfterMs = 20_000;
        s.mqtt = { url: 'mqtts://broker.example:8883', clientId: 'edge-kt', keepaliveS: 0 };
        s.storage = { dir: '/var/lib/gw', fsync: 'always' };
        s.log = { level: 'debug' };
        s.devices.cameras = undefined;
      }),
    );
    expect(config.devices.serial[2]).toMatchObject({ baudRate: 2400, dataBits: 7, parity: 'even', stopBits: 2, silentAfterMs: 3000 });
    expect(config.devices.serial[0]?.silentAfterMs).toBe(20_000);
    expect(config.mqtt).toMatchObject({ clientId: 'edge-kt', keepaliveS: 0 });
    expect(config.storage).toMatchObject({ dir: '/var/lib/gw', fsync: 'always', fsyncIntervalMs: 200 });
    expect(config.log.level).toBe('debug');
    expect(config.devices.cameras).toEqual([]);
  });

  it('loads the example site infra/sites/kim-thanh-road.yaml', () => {
    const config = loadSiteConfig(EXAMPLE, {});
    expect(config.checkpoint).toEqual({
      id: 'kim-thanh-road',
      name: { vi: 'Cửa khẩu quốc tế đường bộ số II Kim Thành', en: 'Kim Thanh International Road Border Gate' },
      kind: 'road',
    });
    expect(config.lanes.map((l) => [l.id, l.direction])).toEqual([
      ['IN-1', 'inbound'],
      ['IN-2', 'inbound'],
      ['OUT-1', 'outbound'],
    ]);
    const serial = config.devices.serial;
    expect(serial.filter((d) => d.kind === 'gate-controller')).toHaveLength(1);
    for (const lane of ['IN-1', 'IN-2']) {
      expect(serial.filter((d) => d.lane === lane).map((d) => d.kind).sort()).toEqual(['scanner', 'weighbridge']);
    }
    expect(serial.every((d) => d.path.startsWith('/dev/ttyUSB'))).toBe(true);
    expect(config.devices.cameras.map((c) => c.id)).toEqual(expect.arrayContaining(['cam-q1', 'cam-g1', 'cam-x1']));
    expect(config.mqtt.clientId).toBe('gatewatch-edge-kim-thanh-road');
  });
});

describe('errors name the path, what was expected and the value', () => {
  it('wrong types', () => {
    expect(
      issues(
        site((s) => {
          s.batch = { maxPoints: 'many' };
          s.lanes[1].defaultServiceS = '90';
          s.devices.serial[0].baudRate = 9600.5;
          s.log = 'debug';
        }),
      ),
    ).toEqual([
      "lanes[1].defaultServiceS: expected a number (is '90')",
      'devices.serial[0].baudRate: expected a whole number (is 9600.5)',
      "batch.maxPoints: expected a whole number (is 'many')",
      "log: expected a mapping (key: value lines) (is 'debug')",
    ]);
    expect(issues(site((s) => (s.lanes = { id: 'IN-1' })))).toEqual(['lanes: expected a list (is a mapping)']);
    expect(issues(['a'])).toEqual(['(top level): expected a mapping (key: value lines) (is a list)']);
  });

  it('a lane\'s service is unit (default) or batch', () => {
    expect(issues(site((s) => (s.lanes[0].service = 'train')))).toEqual([
      "lanes[0].service: expected 'unit' (one unit at a time) or 'batch' (trains) (is 'train')",
    ]);
    expect(parse(site((s) => (s.lanes[0].service = 'batch')), {}).lanes.map((l) => l.service)).toEqual(['batch', undefined]);
  });

  it('a bad checkpoint id', () => {
    expect(issues(site((s) => (s.checkpoint.id = 'Kim Thanh')))).toEqual([
      "checkpoint.id: must be 1 to 48 lowercase letters, digits or '-', like kim-thanh-road (is 'Kim Thanh')",
    ]);
  });

  it('missing values, values out of range and unknown keys', () => {
    expect(
      issues(
        site((s) => {
          delete s.lanes[0].direction;
          s.lanes[1].direction = 'out';
          s.devices.serial[1].dataBits = 9;
          s.devices.serial[1].baudrate = 9600;
          s.storage.outboxTelemetryShare = 1.5;
          s.checkpoint.kind = 'bridge';
          s.influx.url = 'influx.local';
        }),
      ),
    ).toEqual([
      "checkpoint.kind: expected 'road', 'rail' or 'port' (is 'bridge')",
      'lanes[0].direction: required',
      "lanes[1].direction: expected 'inbound' or 'outbound' (is 'out')",
      'devices.serial[1].dataBits: expected 5, 6, 7 or 8 (is 9)',
      'devices.serial[1].baudrate: unknown key; expected one of id, kind, path, baudRate, dataBits, parity, stopBits, lane, lanes, silentAfterMs',
      "influx.url: must be an HTTP URL (http://, https://) (is 'influx.local')",
      'storage.outboxTelemetryShare: must be less than 1 (is 1.5)',
    ]);
    expect(issues(site((s) => (s.lanes = [])))).toEqual(['lanes: must have at least one entry (is a list)']);
  });

  it('a scanner or weighbridge on a lane that does not exist, or on none', () => {
    expect(
      issues(
        site((s) => {
          s.devices.serial[1].lane = 'IN-3';
          delete s.devices.serial[2].lane;
        }),
      ),
    ).toEqual([
      "devices.serial[1].lane: no such lane; the lanes are IN-1, OUT-1 (is 'IN-3')",
      'devices.serial[2].lane: required for a weighbridge: the lane whose gate it serves',
    ]);
  });

  it('a gate controller names the lanes its loops cover; only it may, and only existing lanes', () => {
    const ok = parse(site((s) => (s.devices.serial[0].lanes = ['IN-1'])));
    expect(ok.devices.serial[0]?.lanes).toEqual(['IN-1']);
    expect(issues(site((s) => (s.devices.serial[0].lanes = ['IN-1', 'IN-7'])))).toEqual([
      "devices.serial[0].lanes[1]: no such lane; the lanes are IN-1, OUT-1 (is 'IN-7')",
    ]);
    expect(issues(site((s) => (s.devices.serial[1].lanes = ['IN-1'])))).toEqual([
      "devices.serial[1].lanes: only a gate-controller reports several lanes; use lane (is a list)",
    ]);
  });

  it("a lane's exit order is 'fifo' or 'any'; the clearance core gets the lanes whose units leave in any order", () => {
    const config = parse(site((s) => (s.lanes[0].exitOrder = 'any')));
    expect(config.lanes.map((l) => [l.id, l.exitOrder])).toEqual([
      ['IN-1', 'any'],
      ['OUT-1', 'fifo'],
    ]);
    expect(coreConfigOf(config).lanesExitingInAnyOrder).toEqual(['IN-1']);
    expect(coreConfigOf(parse(minimal())).lanesExitingInAnyOrder).toEqual([]);
    expect(issues(site((s) => (s.lanes[1].exitOrder = 'random')))).toEqual(["lanes[1].exitOrder: expected 'fifo' or 'any' (is 'random')"]);
  });

  it('duplicate ids and ports, camera ids that are not one MQTT topic level', () => {
    expect(
      issues(
        site((s) => {
          s.lanes.push({ id: 'IN-1', direction: 'inbound' });
          s.devices.serial[2].id = 'scanner-IN-1';
          s.devices.serial[2].path = '/dev/ttyUSB1';
          s.devices.cameras.push({ id: 'cam-q1' }, { id: 'gate-ctl' }, { id: 'cam/g2' }, { id: 'cam+' }, { id: '#' });
        }),
      ),
    ).toEqual([
      "devices.cameras[4].id: must be a single MQTT topic level: no '/', '+' or '#' (is 'cam/g2')",
      "devices.cameras[5].id: must be a single MQTT topic level: no '/', '+' or '#' (is 'cam+')",
      "devices.cameras[6].id: must be a single MQTT topic level: no '/', '+' or '#' (is '#')",
      "lanes[2].id: duplicate lane id, already used by lanes[0] (is 'IN-1')",
      "devices.serial[2].id: duplicate device id, already used by devices.serial[1] (is 'scanner-IN-1')",
      "devices.serial[2].path: same serial port as devices.serial[1] (is '/dev/ttyUSB1')",
      "devices.cameras[2].id: duplicate device id, already used by devices.cameras[0] (is 'cam-q1')",
      "devices.cameras[3].id: duplicate device id, already used by devices.serial[0] (is 'gate-ctl')",
    ]);
  });

  it('reports every error at once, type errors and cross-field errors together', () => {
    const found = issues(
      site((s) => {
        s.checkpoint.id = 'KT';
        s.devices.serial[1].lane = 'IN-9';
        s.devices.serial[2].id = 'gate-ctl';
        s.mqtt = {};
        s.clearance = { unitTimeoutMs: 0 };
      }),
    );
    expect(found).toEqual([
      "checkpoint.id: must be 1 to 48 lowercase letters, digits or '-', like kim-thanh-road (is 'KT')",
      'mqtt.url: required',
      'clearance.unitTimeoutMs: must be greater than 0 (is 0)',
      "devices.serial[1].lane: no such lane; the lanes are IN-1, OUT-1 (is 'IN-9')",
      "devices.serial[2].id: duplicate device id, already used by devices.serial[0] (is 'gate-ctl')",
    ]);
    try {
      parse(site((s) => (s.mqtt = {})));
    } catch (error) {
      expect((error as ConfigError).code).toBe('CONFIG_INVALID');
      expect((error as Error).message).toBe('invalid configuration:\n  mqtt.url: required');
    }
  });
});

describe('credentials', () => {
  it('come from environment variables', () => {
    const config = parse(
      site((s) => {
        s.mqtt.credentials = { usernameEnv: 'MQTT_USER', passwordEnv: 'MQTT_PASS' };
        s.influx.credentials = { username: 'edge', passwordEnv: 'INFLUX_PASS' };
      }),
      { MQTT_USER: 'kt-edge', MQTT_PASS: 's3cret', INFLUX_PASS: 'p@ss' },
    );
    expect(config.mqtt.credentials).toStrictEqual({ username: 'kt-edge', password: 's3cret' });
    expect(config.influx.credentials).toStrictEqual({ username: 'edge', password: 'p@ss' });
  });

  it('a missing or empty environment variable is an error naming the path', () => {
    expect(
      issues(
        site((s) => {
          s.mqtt.credentials = { username: 'edge', passwordEnv: 'MQTT_PASS' };
          s.influx.credentials = { usernameEnv: 'INFLUX_USER', passwordEnv: 'not a name' };
        }),
        { INFLUX_USER: '' },
      ),
    ).toEqual([
      "mqtt.credentials.passwordEnv: environment variable 'MQTT_PASS' is not set",
      "influx.credentials.passwordEnv: must be the name of an environment variable, like GATEWATCH_MQTT_PASSWORD (is 'not a name')",
    ]);
    expect(issues(site((s) => (s.influx.credentials = { usernameEnv: 'INFLUX_USER' })), { INFLUX_USER: '' })).toEqual([
      "influx.credentials.usernameEnv: environment variable 'INFLUX_USER' is empty",
    ]);
  });

  it('a literal password is refused and never repeated', () => {
    const found = issues(site((s) => (s.mqtt.credentials = { username: 'edge', password: 'hunter2' })));
    expect(found).toEqual([
      'mqtt.credentials.password: a plain password is not accepted in the configuration file; use passwordEnv (the name of an environment variable that holds it) or passwordFile (a file that holds it)',
    ]);
    expect(found.join('\n')).not.toContain('hunter2');
  });

  it('come from a file, relative to the config file, without the trailing newline', () => {
    writeSite('creds/secrets/influx', 'from-file\n');
    const file = writeSite(
      'creds/site.yaml',
      stringify(site((s) => (s.influx.credentials = { username: 'edge', passwordFile: 'secrets/influx' }))),
    );
    expect(loadSiteConfig(file, {}).influx.credentials).toStrictEqual({ username: 'edge', password: 'from-file' });
  });

  it('an unreadable or empty password file is an error naming the path and the file', () => {
    writeSite('creds/empty', '\n');
    expect(
      issues(
        site((s) => {
          s.influx.credentials = { passwordFile: '/nonexistent/influx-password' };
          s.mqtt.credentials = { passwordFile: 'creds/empty' };
        }),
      ),
    ).toEqual([
      `mqtt.credentials.passwordFile: '${join(dir, 'creds/empty')}' is empty`,
      "influx.credentials.passwordFile: cannot read '/nonexistent/influx-password' (ENOENT)",
    ]);
    expect(issues(site((s) => (s.mqtt.credentials = { passwordEnv: 'A', passwordFile: '/x' }))), 'both').toEqual([
      "mqtt.credentials.passwordFile: give passwordEnv or passwordFile, not both (is '/x')",
    ]);
  });

  it("read the broker's CA certificate for mqtts://, relative to the config file", () => {
    writeSite('tls/ca.crt', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    const file = writeSite('tls/site.yaml', stringify(site((s) => (s.mqtt = { url: 'mqtts://broker.example:8883', caFile: 'ca.crt' }))));
    expect(loadSiteConfig(file, {}).mqtt.ca).toBe('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(issues(site((s) => (s.mqtt = { url: 'mqtts://broker.example:8883', caFile: '/nonexistent/ca.crt' })))).toEqual([
      "mqtt.caFile: cannot read '/nonexistent/ca.crt' (ENOENT)",
    ]);
  });
});

describe('files and paths', () => {
  it('resolves relative paths against the config file folder', () => {
    const file = writeSite('sites/a/site.yaml', stringify(site((s) => (s.storage.dir = '../state/kt'))));
    expect(loadSiteConfig(file, {}).storage.dir).toBe(join(dir, 'sites/state/kt'));
    expect(parseSiteConfig(minimal(), '/srv/gw', {}).storage.dir).toBe('/srv/gw/state');
    expect(parseSiteConfig(site((s) => (s.storage.dir = '/abs/dir')), '/srv/gw', {}).storage.dir).toBe('/abs/dir');
  });

  it('reports YAML syntax errors with line and column', () => {
    const dup = writeSite('dup.yaml', 'checkpoint:\n  id: a\n  id: b\n');
    expect(issuesOf(() => loadSiteConfig(dup, {}))).toEqual(['line 3, column 3: YAML syntax: Map keys must be unique']);
    const flow = writeSite('flow.yaml', 'lanes: [IN-1, IN-2\nmqtt:\n  url: x\n');
    const found = issuesOf(() => loadSiteConfig(flow, {}));
    expect(found[0]).toMatch(/^line 2, column 1: YAML syntax: /);
  });

  it('reports a file that cannot be read', () => {
    const missing = join(dir, 'missing.yaml');
    expect(issuesOf(() => loadSiteConfig(missing, {}))).toEqual([`cannot read '${missing}' (ENOENT)`]);
  });

  it('an empty file is a configuration without anything', () => {
    const empty = writeSite('empty.yaml', '# nothing yet\n');
    expect(issuesOf(() => loadSiteConfig(empty, {}))).toEqual(['(top level): expected a mapping (key: value lines) (is null)']);
  });
});

describe('environment overrides', () => {
  it('GATEWATCH_MQTT_URL, GATEWATCH_INFLUX_URL and GATEWATCH_STORAGE_DIR replace the file values', () => {
    const config = parse(minimal(), {
      GATEWATCH_MQTT_URL: 'mqtt://127.0.0.1:11883',
      GATEWATCH_INFLUX_URL: 'http://127.0.0.1:18086',
      GATEWATCH_STORAGE_DIR: 'run/state',
    });
    expect(config.mqtt.url).toBe('mqtt://127.0.0.1:11883');
    expect(config.influx.url).toBe('http://127.0.0.1:18086');
    // A relative directory from the environment is relative to the working folder.
    expect(config.storage.dir).toBe(resolve('run/state'));
  });

  it('fill in values the file leaves out, and errors in them name the variable', () => {
    const bare = site((s) => {
      delete s.mqtt;
      delete s.influx;
      delete s.storage;
    });
    expect(issues(bare)).toEqual(['mqtt: required', 'influx: required', 'storage: required']);
    expect(
      parse(bare, { GATEWATCH_MQTT_URL: 'mqtt://h', GATEWATCH_INFLUX_URL: 'http://h', GATEWATCH_STORAGE_DIR: '/s' }).storage,
    ).toMatchObject({ dir: '/s', fsync: 'interval' });
    expect(issues(minimal(), { GATEWATCH_MQTT_URL: 'localhost:1883', GATEWATCH_INFLUX_URL: '' })).toEqual([
      "mqtt.url: must be an MQTT URL (mqtt://, mqtts://, tcp://, tls://, ws://, wss://) (is 'localhost:1883') (from GATEWATCH_MQTT_URL)",
    ]);
  });
});
