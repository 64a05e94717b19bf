import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderSecureConf, SHIPPED_SECURE } from './mosquitto.js';

const shipped = readFileSync(SHIPPED_SECURE, 'utf8');
const files = { passwordFile: '/tmp/t/passwd', aclFile: '/tmp/t/acl' };
const tls = { cafile: '/tmp/t/ca.pem', certfile: '/tmp/t/broker.pem', keyfile: '/tmp/t/broker.key' };

describe('the shipped secure broker config as the tests run it', () => {
  it('differs from infra/mosquitto/secure.conf only in ports, the TLS bind address and file paths', () => {
    const rendered = renderSecureConf(shipped, { port: 41883, tlsPort: 48883, tlsHost: '127.0.0.1', ...files, tls }).split('\n');
    const original = shipped.split('\n');
    expect(rendered).toHaveLength(original.length);
    const changed = original.map((line, i) => [line, rendered[i]]).filter(([a, b]) => a !== b);
    expect(changed).toEqual([
      ['password_file /etc/mosquitto/gatewatch/passwd', 'password_file /tmp/t/passwd'],
      ['acl_file /etc/mosquitto/gatewatch/acl', 'acl_file /tmp/t/acl'],
      ['listener 1883 127.0.0.1', 'listener 41883 127.0.0.1'],
      ['listener 8883', 'listener 48883 127.0.0.1'],
      ['cafile /etc/mosquitto/gatewatch/ca.crt', 'cafile /tmp/t/ca.pem'],
      ['certfile /etc/mosquitto/gatewatch/broker.crt', 'certfile /tmp/t/broker.pem'],
      ['keyfile /etc/mosquitto/gatewatch/broker.key', 'keyfile /tmp/t/broker.key'],
    ]);
    // What the controls rest on is there, untouched.
    for (const line of ['allow_anonymous false', 'per_listener_settings false', 'tls_version tlsv1.2']) expect(rendered).toContain(line);
  });

  it('without TLS: the plain loopback listener only, anonymous still refused', () => {
    const rendered = renderSecureConf(shipped, { port: 41883, ...files });
    expect(rendered).not.toMatch(/^listener 8883|cafile|certfile|keyfile/m);
    expect(rendered).toMatch(/^allow_anonymous false$/m);
    expect(rendered).toMatch(/^listener 41883 127\.0\.0\.1$/m);
  });

  it('refuses a template that lost a line it replaces, naming it', () => {
    expect(() => renderSecureConf(shipped.replace('acl_file /etc/mosquitto/gatewatch/acl\n', ''), { port: 1, ...files })).toThrow(/\/etc\/mosquitto\/gatewatch\/acl/);
    expect(() => renderSecureConf(shipped.replace('listener 1883 127.0.0.1', 'listener 1883'), { port: 1, ...files })).toThrow(/listener 1883 127\.0\.0\.1/);
  });
});

describe('node infra/dist/cli.js mosquitto-acl', () => {
  const cli = fileURLToPath(new URL('../dist/cli.js', import.meta.url));
  it('writes the acl_file of the crossings named, and refuses a wildcard checkpoint with exit 2', () => {
    const ok = spawnSync(process.execPath, [cli, 'mosquitto-acl', 'kim-thanh-road', 'dinh-vu-port'], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('user edge-kim-thanh-road\ntopic write gw/v1/kim-thanh-road/status');
    expect(ok.stdout).toContain('user devices-dinh-vu-port\ntopic write gw/v1/dinh-vu-port/cam/#');
    const bad = spawnSync(process.execPath, [cli, 'mosquitto-acl', 'kim-thanh-road', '+'], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stdout).toBe('');
    expect(bad.stderr).toContain("checkpoints: not a checkpoint id (is '+')");
  });
});
