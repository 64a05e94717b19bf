/**
 * startDashboard: the features wired together. Order of start: users (a bad users file refuses
 * the start), live state seeded from InfluxDB (a missing InfluxDB is logged, not fatal: the live
 * view fills from MQTT), the MQTT bridge (in the background), then HTTP + socket.io.
 */
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Auth } from './auth/auth.js';
import { loadDeviceKey, SessionStore } from './auth/sessions.js';
import { loadUsers } from './auth/users.js';
import type { DashboardConfig } from './config/types.js';
import { Guard, HandlerErrors } from './guard.js';
import { HealthCheck } from './health.js';
import { historyRouter } from './history/routes.js';
import { apiNotFound, clientErrorHandler, declaredBodyLimit, errorHandler, jsonBody, mount, noStore, notFound, requireGateWatchHeader, requireHost, securityHeaders, staticApp } from './http.js';
import { isLoopback } from './clientAddress.js';
import { serverOrigin } from './origin.js';
import { ProxyWatch } from './proxyWatch.js';
import { InfluxClient } from './influx.js';
import { MqttBridge } from './live/bridge.js';
import { RESEED_EVERY_MS, seedLiveState, thinCheckpoints } from './live/seed.js';
import { LiveSockets } from './live/sockets.js';
import { LiveState, type LiveEvent } from './live/state.js';
import { createLog, type Log } from './log.js';
import { publicRouter } from './public/routes.js';

export interface DashboardOptions {
  /** The built web app (dashboard/web/dist); without it `/` says the app is not built. */
  staticDir?: string;
  log?: Log;
  /** The clock of sign-in throttling and sessions (tests move it); Date.now by default. */
  now?: () => number;
  /**
   * Time a client has to send a whole request, REQUEST_TIMEOUT_MS by default (its headers: at
   * most HEADERS_TIMEOUT_MS of it). A slow sender is answered 408 and cut off.
   */
  requestTimeoutMs?: number;
}

/** Sign-in bodies are under 2 kB: half a minute is ample on the slowest link of a crossing. */
export const REQUEST_TIMEOUT_MS = 30_000;
export const HEADERS_TIMEOUT_MS = 20_000;

export interface Dashboard {
  url: string;
  port: number;
  stop(): Promise<void>;
}

export async function startDashboard(config: DashboardConfig, options: DashboardOptions = {}): Promise<Dashboard> {
  const log = options.log ?? createLog({ level: config.log.level });
  const users = loadUsers(config);
  const sessions = new SessionStore({
    idleMs: config.auth.sessionIdleMinutes * 60_000,
    maxMs: config.auth.sessionMaxHours * 3_600_000,
    ...(config.auth.sessionsFile !== undefined ? { file: config.auth.sessionsFile } : {}),
    onSaveError: (error) => log.warn({ err: error instanceof Error ? error.message : String(error) }, 'sessions not saved; a restart would sign everyone out'),
  }, options.now);
  const deviceKey = loadDeviceKey(config.auth.sessionsFile, log);
  const auth = new Auth({ config, users, sessions, log, deviceKey, ...(options.now ? { now: options.now } : {}) });
  const influx = new InfluxClient(config.influx);
  const state = new LiveState(config.checkpoints);

  try {
    // A shorter wait than for a query: an InfluxDB that does not answer must not hold the start up for long.
    const seeded = await seedLiveState(new InfluxClient(config.influx, 10_000), state, config.checkpoints.map((c) => c.id));
    log.info(seeded, 'live state seeded from InfluxDB');
  } catch (error) {
    log.warn({ err: error instanceof Error ? error.message : String(error) }, 'could not seed the live state from InfluxDB; it fills from the live topics');
  }

  const guard = new Guard({ log, errors: new HandlerErrors() });
  const app = express();
  app.disable('x-powered-by');
  const proxyWatch = new ProxyWatch(log);
  /** Whether the peer of a request is a proxy `server.trustProxy` names: Express's own compiled rule. */
  const trustsPeer = (req: IncomingMessage): boolean => (app.get('trust proxy fn') as (address: string | undefined, hop: number) => boolean)(req.socket.remoteAddress, 0);
  const isTls = (req: IncomingMessage): boolean => (req.socket as { encrypted?: boolean }).encrypted === true;
  const sockets = new LiveSockets({
    state,
    auth,
    sessions,
    log,
    guard,
    checkpoints: config.checkpoints.map((c) => c.id),
    origin: (req) => serverOrigin(req.headers, { tls: config.server.secureCookies || isTls(req), trustedProxy: trustsPeer(req) }),
    onForeignOrigin: (origin, expected) => proxyWatch.foreignOrigin(origin, expected),
    ...(options.now ? { now: options.now } : {}),
  });
  const bridge = new MqttBridge({ config: config.mqtt, state, log, onEvents: guard.callback('live records', (events: LiveEvent[]) => sockets.send(events)), guard });
  const health = new HealthCheck({
    influx,
    bridge,
    errors: guard.errors,
    warnings: () => proxyWatch.warnings(),
    insider: (req) => isLoopback(req.ip) || auth.fromCookie(req.headers.cookie, false) !== undefined,
  });

  // The reverse proxy in front, by address: the client is the address that proxy appended to
  // X-Forwarded-For (the rightmost entry not added by a trusted proxy), not whatever the client
  // wrote there before it, and https is what that proxy says in X-Forwarded-Proto. Trusted by
  // address, not by hop count: a hop count would believe any peer that reaches the port
  // directly. Without it, both headers are ignored.
  const trust = config.server.trustProxy;
  app.set('trust proxy', trust === true ? 'loopback' : trust === false ? false : trust);
  app.use(securityHeaders(config.server.secureCookies));
  app.use(requireHost);
  app.use(proxyWatch.middleware(trustsPeer));
  app.use(declaredBodyLimit);
  app.use('/api', mount('/api'), requireGateWatchHeader, jsonBody);
  app.get('/api/health', health.route);
  app.use('/api/auth', mount('/api/auth'), noStore, auth.router());
  app.use('/api/v1/history', mount('/api/v1/history'), noStore, historyRouter({ config, influx, auth }));
  app.use('/api/v1', mount('/api/v1'), publicRouter({ config, influx, state }));
  app.use('/api', mount('/api'), apiNotFound);
  app.use(mount(''), staticApp(options.staticDir));
  app.use(notFound);
  app.use(errorHandler(guard));

  const requestTimeout = options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
  const http = createServer(
    {
      requestTimeout,
      headersTimeout: Math.min(HEADERS_TIMEOUT_MS, requestTimeout),
      connectionsCheckingInterval: Math.min(5_000, requestTimeout / 2),
      // Refused by requireHost instead, with the headers and a JSON body (Node's answer has neither).
      requireHostHeader: false,
    },
    app,
  );
  // An Expect other than 100-continue: Node would answer a bare 417 and then read the unread
  // body as the next request. RFC 9110 lets a server ignore an expectation it does not know;
  // the request is answered as if it had none.
  http.on('checkExpectation', app);
  http.on('clientError', clientErrorHandler(guard));
  sockets.start(http);
  try {
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(config.server.port, config.server.host, () => {
        http.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    // Port taken, address not here: nothing may be left running behind the error.
    await sockets.stop();
    throw error;
  }
  sessions.start();
  bridge.start();
  const reseed = setInterval(guard.callback('live series reseed', () => {
    const thin = thinCheckpoints(state, config.checkpoints.map((c) => c.id), Date.now());
    if (thin.length === 0) return;
    seedLiveState(influx, state, thin, Date.now(), { clearances: false }).then(
      (r) => r.queue > 0 && log.info({ checkpoints: thin, queue: r.queue }, 'live series completed from InfluxDB'),
      (error: unknown) => log.debug({ err: error instanceof Error ? error.message : String(error) }, 'live series not completed'),
    );
  }), RESEED_EVERY_MS);
  reseed.unref();
  const port = (http.address() as AddressInfo).port;
  const host = config.server.host.includes(':') ? `[${config.server.host}]` : config.server.host;
  const url = `http://${host}:${port}`;
  log.info({ url, checkpoints: config.checkpoints.length, users: users.size }, 'dashboard listening');

  let stopping: Promise<void> | undefined;
  return {
    url,
    port,
    stop: () =>
      (stopping ??= (async () => {
        sessions.stop();
        clearInterval(reseed);
        await sockets.stop();
        await bridge.stop();
        http.closeAllConnections();
        await new Promise<void>((resolve) => http.close(() => resolve()));
        log.info('dashboard stopped');
      })()),
  };
}
