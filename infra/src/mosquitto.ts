import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { LocalService } from './service.js';

const SHIPPED = fileURLToPath(new URL('../mosquitto/gatewatch.conf', import.meta.url));
/** The locked-down broker of a deployment (docs/security.md); the secure tests run this file. */
export const SHIPPED_SECURE = fileURLToPath(new URL('../mosquitto/secure.conf', import.meta.url));

/** The production paths in secure.conf, each replaced by the deployment's (or a test's) own. */
const SECURE_PATHS = {
  passwordFile: '/etc/mosquitto/gatewatch/passwd',
  aclFile: '/etc/mosquitto/gatewatch/acl',
  cafile: '/etc/mosquitto/gatewatch/ca.crt',
  certfile: '/etc/mosquitto/gatewatch/broker.crt',
  keyfile: '/etc/mosquitto/gatewatch/broker.key',
} as const;

export class SecureConfError extends Error {
  readonly code = 'SECURE_CONF';
}

/**
 * secure.conf with its listeners on `port` (plain, loopback) and `tlsPort` bound to `tlsHost`,
 * and its files at the given paths; without `tls`, the TLS listener and its lines are left out.
 * Fails when the shipped file no longer has a line it replaces: a test must never run a config
 * other than the shipped one without saying so.
 */
export function renderSecureConf(template: string, o: { port: number; tlsPort?: number; tlsHost?: string; passwordFile: string; aclFile: string; tls?: { cafile: string; certfile: string; keyfile: string } }): string {
  const lines = template.split('\n');
  const expect = (line: string): number => {
    const i = lines.indexOf(line);
    if (i < 0) throw new SecureConfError(`${SHIPPED_SECURE}: no line '${line}' to replace`);
    return i;
  };
  const path = (name: keyof typeof SECURE_PATHS, value: string): void => {
    const i = lines.findIndex((l) => l.endsWith(` ${SECURE_PATHS[name]}`));
    if (i < 0) throw new SecureConfError(`${SHIPPED_SECURE}: no line with ${SECURE_PATHS[name]} to replace`);
    lines[i] = lines[i]!.replace(SECURE_PATHS[name], value);
  };
  lines[expect('listener 1883 127.0.0.1')] = `listener ${o.port} 127.0.0.1`;
  path('passwordFile', o.passwordFile);
  path('aclFile', o.aclFile);
  const tlsAt = expect('listener 8883');
  if (!o.tls || o.tlsPort === undefined) return lines.slice(0, tlsAt).join('\n');
  lines[tlsAt] = `listener ${o.tlsPort}${o.tlsHost ? ` ${o.tlsHost}` : ''}`;
  path('cafile', o.tls.cafile);
  path('certfile', o.tls.certfile);
  path('keyfile', o.tls.keyfile);
  return lines.join('\n');
}

export interface MosquittoOptions {
  dataDir: string;
  port?: number;
  /** Extra lines, e.g. to test another limit; the shipped settings stay in force otherwise. */
  extraConfig?: string;
  /** Anonymous access (local runs and tests); production configs refuse it (issue 5). */
  allowAnonymous?: boolean;
  /**
   * A crossing's or the centre's broker: no anonymous access, accounts from a mosquitto_passwd
   * file, the rules of mosquittoAcl(), and a TLS listener beside the plain one (which a
   * deployment keeps on loopback for the local agent, or drops).
   */
  secure?: SecureBrokerOptions;
}

export interface SecureBrokerOptions {
  passwordFile: string;
  aclFile: string;
  tls?: { port?: number; cafile: string; certfile: string; keyfile: string };
}

export interface Mosquitto {
  readonly url: string;
  readonly port: number;
  /** mqtts:// of the TLS listener, when `secure.tls` was given. */
  readonly tlsUrl?: string;
  readonly dataDir: string;
  readonly service: LocalService;
  stop(): Promise<void>;
}

/** Starts a private mosquitto on 127.0.0.1 with the shipped GateWatch settings. */
export async function startMosquitto(opts: MosquittoOptions): Promise<Mosquitto> {
  const port = opts.port ?? (await freePort());
  const dataDir = opts.dataDir;
  mkdirSync(dataDir, { recursive: true });
  const tls = opts.secure?.tls;
  const tlsPort = tls ? (tls.port ?? (await freePort())) : undefined;
  const conf = [
    ...(opts.secure
      ? [
          renderSecureConf(readFileSync(SHIPPED_SECURE, 'utf8'), {
            port,
            ...(tlsPort !== undefined ? { tlsPort, tlsHost: '127.0.0.1' } : {}),
            passwordFile: opts.secure.passwordFile,
            aclFile: opts.secure.aclFile,
            ...(tls ? { tls } : {}),
          }),
        ]
      : [`listener ${port} 127.0.0.1`, `allow_anonymous ${opts.allowAnonymous ?? true}`]),
    // Started as root, mosquitto switches to the 'mosquitto' user, which cannot write its
    // persistence file into our data folder: sessions and queued messages would then be lost
    // at a restart. Stay the user who started it (ignored when not root).
    `user ${userInfo().username}`,
    `persistence_location ${dataDir}/`,
    readFileSync(SHIPPED, 'utf8'),
    opts.extraConfig ?? '',
  ].join('\n');
  const confPath = join(dataDir, 'mosquitto.conf');
  writeFileSync(confPath, conf);
  const service = new LocalService({
    name: 'mosquitto',
    command: 'mosquitto',
    args: ['-c', confPath],
    logFile: join(dataDir, 'mosquitto.log'),
    ready: () =>
      new Promise<boolean>((resolve) => {
        const socket = connect(port, '127.0.0.1', () => {
          socket.end();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      }),
  });
  await service.start();
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    ...(tlsPort !== undefined ? { tlsUrl: `mqtts://127.0.0.1:${tlsPort}` } : {}),
    dataDir,
    service,
    stop: () => service.stop(),
  };
}
