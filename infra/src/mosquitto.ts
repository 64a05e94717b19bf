import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';
import { LocalService } from './service.js';

const SHIPPED = fileURLToPath(new URL('../mosquitto/gatewatch.conf', import.meta.url));

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
    `listener ${port} 127.0.0.1`,
    // Started as root, mosquitto switches to the 'mosquitto' user, which cannot write its
    // persistence file into our data folder: sessions and queued messages would then be lost
    // at a restart. Stay the user who started it (ignored when not root).
    `user ${userInfo().username}`,
    ...(opts.secure
      ? [
          // per_listener_settings is false (the default): these hold for every listener.
          'allow_anonymous false',
          `password_file ${opts.secure.passwordFile}`,
          `acl_file ${opts.secure.aclFile}`,
          ...(tls
            ? [`listener ${tlsPort} 127.0.0.1`, `cafile ${tls.cafile}`, `certfile ${tls.certfile}`, `keyfile ${tls.keyfile}`, 'tls_version tlsv1.2']
            : []),
        ]
      : [`allow_anonymous ${opts.allowAnonymous ?? true}`]),
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
