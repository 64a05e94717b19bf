import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderInfluxSecureConf, SHIPPED_INFLUX_SECURE } from './influxd.js';

const shipped = readFileSync(SHIPPED_INFLUX_SECURE, 'utf8');
const ports = { httpPort: 48086, rpcPort: 48088 };
const tls = { certfile: '/tmp/t/influxdb.pem', keyfile: '/tmp/t/influxdb.key' };

/** `section.key` → value as written, of a flat influxd TOML file (comments and blank lines skipped). */
function settings(toml: string): Map<string, string> {
  const out = new Map<string, string>();
  let section = '';
  for (const raw of toml.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[\[?([^\]]+)\]\]?$/.exec(line);
    if (header) {
      section = `${header[1]}.`;
      continue;
    }
    const kv = /^([A-Za-z0-9_-]+)\s*=\s*(.*)$/.exec(line);
    if (!kv) throw new Error(`not a setting: ${raw}`);
    out.set(`${section}${kv[1]}`, kv[2]!);
  }
  return out;
}

describe('the shipped secure InfluxDB config as the tests run it', () => {
  it('differs from infra/influxdb/secure.conf only in ports, folders and, with TLS, the https lines', () => {
    const rendered = renderInfluxSecureConf(shipped, { ...ports, dir: '/tmp/t/influxdb', tls }).split('\n');
    const original = shipped.split('\n');
    expect(rendered).toHaveLength(original.length);
    const changed = original.map((line, i) => [line, rendered[i]]).filter(([a, b]) => a !== b);
    expect(changed).toEqual([
      ['bind-address = "127.0.0.1:8088"', 'bind-address = "127.0.0.1:48088"'],
      ['  dir = "/var/lib/influxdb/meta"', '  dir = "/tmp/t/influxdb/meta"'],
      ['  dir = "/var/lib/influxdb/data"', '  dir = "/tmp/t/influxdb/data"'],
      ['  wal-dir = "/var/lib/influxdb/wal"', '  wal-dir = "/tmp/t/influxdb/wal"'],
      ['  bind-address = "127.0.0.1:8086"', '  bind-address = "127.0.0.1:48086"'],
      ['  https-enabled = false', '  https-enabled = true'],
      ['  https-certificate = "/etc/influxdb/gatewatch/influxdb.crt"', '  https-certificate = "/tmp/t/influxdb.pem"'],
      ['  https-private-key = "/etc/influxdb/gatewatch/influxdb.key"', '  https-private-key = "/tmp/t/influxdb.key"'],
    ]);
  });

  it('without TLS: plain HTTP on loopback, and every control as shipped', () => {
    const rendered = renderInfluxSecureConf(shipped, { ...ports, dir: '/tmp/t/influxdb' });
    expect(rendered.split('\n').filter((line, i) => line !== shipped.split('\n')[i])).toHaveLength(5);
    const s = settings(rendered);
    expect(Object.fromEntries([...s].filter(([k]) => !/dir$|bind-address$/.test(k)))).toEqual(Object.fromEntries([...settings(shipped)].filter(([k]) => !/dir$|bind-address$/.test(k))));
    expect(s.get('http.bind-address')).toBe('"127.0.0.1:48086"');
    expect(s.get('bind-address')).toBe('"127.0.0.1:48088"');
    // What the controls rest on.
    for (const [key, value] of [
      ['http.auth-enabled', 'true'],
      ['http.shared-secret', '""'],
      ['http.pprof-enabled', 'false'],
      ['http.unix-socket-enabled', 'false'],
      ['http.https-enabled', 'false'],
      ['tls.min-version', '"tls1.2"'],
      ['reporting-enabled', 'false'],
    ] as const)
      expect(s.get(key), key).toBe(value);
  });

  it('refuses a template that lost or doubled a line it replaces, naming it, and a path TOML would need escaped', () => {
    const dir = '/tmp/t/influxdb';
    expect(() => renderInfluxSecureConf(shipped.replace('wal-dir = "/var/lib/influxdb/wal"', 'wal-dir = "/srv/wal"'), { ...ports, dir })).toThrow(/no line 'wal-dir = "\/var\/lib\/influxdb\/wal"'/);
    expect(() => renderInfluxSecureConf(shipped.replace('bind-address = "127.0.0.1:8086"', 'bind-address = ":8086"'), { ...ports, dir })).toThrow(/no line 'bind-address = "127\.0\.0\.1:8086"'/);
    expect(() => renderInfluxSecureConf(`${shipped}\n  dir = "/var/lib/influxdb/data"\n`, { ...ports, dir })).toThrow(/more than one line 'dir = "\/var\/lib\/influxdb\/data"'/);
    expect(() => renderInfluxSecureConf(shipped.replace('https-enabled = false', 'https-enabled = true'), { ...ports, dir, tls })).toThrow(/no line 'https-enabled = false'/);
    expect(() => renderInfluxSecureConf(shipped, { ...ports, dir: '/tmp/a"b' })).toThrow(/not a path/);
  });
});

describe('influxd 1.x reads every setting of secure.conf', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-influx-conf-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  // influxd ignores a key it does not know without a word: `influxd config` prints the settings
  // it would run with, so every key of the file must come back there with the file's value.
  it('each key, by name and section, with its value, as `influxd config` prints what it would run', () => {
    const conf = join(dir, 'influxdb.conf');
    const rendered = renderInfluxSecureConf(shipped, { ...ports, dir: join(dir, 'influxdb'), tls });
    writeFileSync(conf, rendered);
    const run = spawnSync('influxd', ['config', '-config', conf], { encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    const effective = settings(run.stdout);
    const mine = settings(rendered);
    // Debian's build knows reporting-enabled, InfluxData's reporting-disabled; the file has both.
    const reporting = ['reporting-enabled', 'reporting-disabled'].filter((k) => effective.has(k));
    expect(reporting).toHaveLength(1);
    const unknown = [...mine.keys()].filter((k) => !effective.has(k));
    expect(unknown).toEqual(['reporting-enabled', 'reporting-disabled'].filter((k) => k !== reporting[0]));
    const differing = [...mine].filter(([k, v]) => effective.has(k) && effective.get(k) !== v);
    expect(differing).toEqual([]);
    expect(effective.get(reporting[0]!)).toBe(reporting[0] === 'reporting-enabled' ? 'false' : 'true');
  });
});
