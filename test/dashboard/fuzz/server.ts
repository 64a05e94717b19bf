/**
 * The dashboard as the fuzz targets meet it: the REAL built server (`node
 * dashboard/server/dist/main.js --config …`) as a child process of its own, on a private influxd
 * (GateWatch schema) and mosquitto, with an officer's and a manager's session cookie. It starts
 * with `--inspect=127.0.0.1:0`, so that its heap after GC can be read (fuzz/heapInspector.ts);
 * what a target checks with it while it runs is fuzz/watchdog.ts.
 *
 * A mutant (a preload given to `node --import`) puts a bug back into the same built server
 * without editing its source: mutants/*.mjs.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { freePort } from '@gatewatch/infra';
import { hashPassword } from '@gatewatch/dashboard';
import { CHECKPOINTS, PASSWORD, USERS, waitFor, type Services } from '../fixture.js';
import { heapAfterGc, type Memory } from './heapInspector.js';

export const MAIN = fileURLToPath(new URL('../../../dashboard/server/dist/main.js', import.meta.url));
export const MUTANTS = fileURLToPath(new URL('./mutants/', import.meta.url));

/** The sign-ins the targets use; the fuzz's own requests come from other addresses (FUZZ_ADDRESSES), so that its failed sign-ins never hold these back. */
export type Who = 'officer' | 'manager';
const USERNAME: Record<Who, string> = { officer: USERS.officer, manager: USERS.managerLaoCai };
/** The harness's own address: health checks and sign-ins. */
export const HARNESS_ADDRESS = '127.0.0.1';

export interface StartOptions {
  /** Names the config folder and the log file. */
  name: string;
  services: Services;
  /** A file for `node --import`: a mutant. */
  preload?: string;
  /** publicApi.requestsPerMinute (per client address). */
  requestsPerMinute?: number;
}

let hashed: Promise<string> | undefined;

export class FuzzServer {
  /** Set when the process exited: how. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly cookies: Record<Who, string> = { officer: '', manager: '' };
  private stderr = '';
  /** How far newErrors() has read the log. */
  private logRead = 0;
  private readonly exited: Promise<void>;
  private inspectorUrl: string | undefined;

  private constructor(
    readonly name: string,
    readonly url: string,
    readonly logFile: string,
    private readonly child: ChildProcess,
    private readonly logFd: number,
  ) {
    this.exited = new Promise((resolve) =>
      child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve();
      }),
    );
    child.stderr!.on('data', (chunk: Buffer) => {
      writeSync(this.logFd, chunk);
      // The tail is what a crash report shows; the start is where the inspector's address is.
      this.stderr = (this.stderr + chunk.toString()).slice(-64 * 1024);
      this.inspectorUrl ??= /Debugger listening on (ws:\/\/\S+)/.exec(this.stderr)?.[1];
    });
  }

  /** What the process wrote to stderr (the last 64 kB). */
  get stderrText(): string {
    return this.stderr;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Writes dashboard.yaml and users.yaml, starts the built server, waits until it is subscribed and signs in. */
  static async start(opts: StartOptions): Promise<FuzzServer> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build first (pnpm build; pnpm fuzz does)`);
    const dir = join(opts.services.dir, opts.name);
    mkdirSync(dir, { recursive: true });
    const port = await freePort();
    // The inspector's port chosen here too: with port 0 it once took the one chosen for the
    // server, which then answered /api/health with the inspector's "WebSockets request was expected".
    let inspectorPort = await freePort();
    while (inspectorPort === port) inspectorPort = await freePort();
    const passwordHash = await (hashed ??= hashPassword(PASSWORD));
    const write = (file: string, value: unknown): void => {
      const fd = openSync(join(dir, file), 'w');
      writeSync(fd, stringify(value));
      closeSync(fd);
    };
    write('users.yaml', {
      users: [
        { username: USERS.officer, displayName: 'Nguyễn Văn A', role: 'officer', checkpoints: ['kim-thanh-road'], passwordHash },
        { username: USERS.managerLaoCai, displayName: 'Trần Thị B', role: 'manager', region: 'lao-cai', passwordHash },
        { username: USERS.managerHaiPhong, displayName: 'Lê Văn C', role: 'manager', region: 'hai-phong', passwordHash },
      ],
    });
    write('dashboard.yaml', {
      server: { host: '127.0.0.1', port },
      mqtt: { url: opts.services.mosquitto.url, clientId: `dashboard-fuzz-${opts.name}` },
      influx: { url: opts.services.influxd.url, database: 'gatewatch' },
      auth: { usersFile: 'users.yaml' },
      publicApi: { requestsPerMinute: opts.requestsPerMinute ?? 100_000 },
      regions: [
        { id: 'lao-cai', name: { vi: 'Chi cục Lào Cai', en: 'Lao Cai branch' } },
        { id: 'hai-phong', name: { vi: 'Chi cục Hải Phòng', en: 'Hai Phong branch' } },
      ],
      checkpoints: CHECKPOINTS,
      // Warnings and errors only: a 500's stack is in the log; a sign-in per request is not.
      log: { level: 'warn' },
    });
    const logFile = join(dir, 'server.log');
    const logFd = openSync(logFile, 'a');
    const env = { ...process.env };
    delete env['NODE_OPTIONS'];
    const args = [
      ...(opts.preload ? ['--import', pathToFileURL(opts.preload).href] : []),
      `--inspect=127.0.0.1:${inspectorPort}`,
      MAIN,
      '--config',
      join(dir, 'dashboard.yaml'),
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', logFd, 'pipe'], env });
    const server = new FuzzServer(opts.name, `http://127.0.0.1:${port}`, logFile, child, logFd);
    try {
      await waitFor(async () => {
        if (server.exit) throw new Error(server.crash('while starting'));
        const h = await fetch(`${server.url}/api/health`).then(
          async (res) => (await res.json()) as { broker?: string },
          () => undefined,
        );
        return h?.broker === 'up';
      }, 20_000, `the dashboard ${opts.name} to serve and subscribe`);
      await waitFor(() => server.inspectorUrl !== undefined, 5_000, 'the inspector address on stderr');
      await Promise.all([server.login('officer'), server.login('manager')]);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  /** Signs `who` in again (a fuzzed sign-out or sign-in ended the session). */
  async login(who: Who): Promise<void> {
    const res = await fetch(`${this.url}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-gatewatch': '1' },
      body: JSON.stringify({ username: USERNAME[who], password: PASSWORD }),
    });
    if (res.status !== 200) throw new Error(`sign-in of ${who} answered ${res.status}: ${await res.text()}`);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('gw_session='));
    if (!cookie) throw new Error(`sign-in of ${who} set no session cookie`);
    this.cookies[who] = cookie.split(';')[0]!;
  }

  /** Ends a session (`POST /api/auth/logout` with its cookie). */
  async logout(cookie: string): Promise<void> {
    const res = await fetch(`${this.url}/api/auth/logout`, { method: 'POST', headers: { cookie, 'x-gatewatch': '1' } });
    await res.arrayBuffer();
    if (res.status !== 204) throw new Error(`sign-out answered ${res.status}`);
  }

  /** Whether `who`'s session still holds (`/api/auth/me`); signs in again when not. */
  async keepSignedIn(who: Who): Promise<void> {
    const res = await fetch(`${this.url}/api/auth/me`, { headers: { cookie: this.cookies[who] } });
    await res.arrayBuffer();
    if (res.status !== 200) await this.login(who);
  }

  get alive(): boolean {
    return this.exit === undefined;
  }

  /** Waits up to `ms` for the process to exit: after a connection was refused or reset, whether the server died. */
  async exitedWithin(ms: number): Promise<boolean> {
    if (this.exit) return true;
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, ms))]);
    return this.exit !== undefined;
  }

  /** "the server process exited …" with the end of its stderr (the uncaught error's stack). */
  crash(when: string): string {
    const how = this.exit ? `with code ${this.exit.code}${this.exit.signal ? `, signal ${this.exit.signal}` : ''}` : '(still running)';
    const tail = this.stderr.split('\n').filter((l) => l.trim() !== '' && !/Debugger listening|For help, see/.test(l)).slice(-12).join('\n    ');
    return `the server process exited ${how} ${when}; its stderr ends:\n    ${tail}`;
  }

  /** The last lines of the server's log (a 500's error line). */
  logTail(lines = 4): string {
    try {
      return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).map((l) => (l.length > 600 ? `${l.slice(0, 600)}…` : l)).join('\n    ');
    } catch {
      return '(no log)';
    }
  }

  /**
   * The log's lines at level error or fatal written since the last call: the server's guard logs
   * a handler that threw (a bug, answered 500 or `INTERNAL`) at error level, and pino writes
   * synchronously, so a line is there by the time the answer is.
   */
  newErrors(): string[] {
    const size = fstatSync(this.logFd).size;
    if (size <= this.logRead) return [];
    const fd = openSync(this.logFile, 'r');
    try {
      const buf = Buffer.alloc(size - this.logRead);
      readSync(fd, buf, 0, buf.length, this.logRead);
      const end = buf.lastIndexOf(0x0a) + 1;
      this.logRead += end;
      return buf
        .subarray(0, end)
        .toString()
        .split('\n')
        .filter((l) => /^\{.*"level":"(error|fatal)"/.test(l))
        .map((l) => (l.length > 2000 ? `${l.slice(0, 2000)}…` : l));
    } finally {
      closeSync(fd);
    }
  }

  /**
   * GET /api/health from the harness's address: 200 within 1 s and `errors.internal` 0 (no
   * handler threw), or throws saying what happened. The time it took.
   */
  async health(): Promise<number> {
    if (this.exit) throw new Error(this.crash('(seen before the health check)'));
    const started = performance.now();
    let res: Response;
    let body: string;
    try {
      res = await fetch(`${this.url}/api/health`, { signal: AbortSignal.timeout(1000) });
      body = await res.text();
    } catch (error) {
      if (await this.exitedWithin(2000)) throw new Error(this.crash('(the health check found it gone)'));
      throw new Error(`/api/health did not answer within 1 s: ${error instanceof Error ? error.message : String(error)}`);
    }
    const ms = performance.now() - started;
    if (ms > 1000) throw new Error(`/api/health answered after ${ms.toFixed(0)} ms, more than 1 s`);
    if (res.status !== 200) throw new Error(`/api/health answered ${res.status} with influxd and mosquitto up: ${body.slice(0, 500)}`);
    const errors = (JSON.parse(body) as { errors?: { internal?: unknown; byHandler?: Record<string, Record<string, number>> } }).errors;
    // A server from before the error counts (no `errors`) passes on the process and the time alone.
    if (errors !== undefined && errors.internal !== 0) {
      const where = Object.entries(errors.byHandler ?? {}).filter(([, codes]) => codes['INTERNAL']);
      throw new Error(`/api/health counts ${String(errors.internal)} internal errors (handlers that threw): ${JSON.stringify(Object.fromEntries(where))}`);
    }
    return ms;
  }

  /** What a target runs after every 1 000 inputs and at the end: up, and healthy within 1 s. */
  async check(): Promise<number> {
    return this.health();
  }

  /** The heap after a full garbage collection, and the RSS, over the inspector (fuzz/heapInspector.ts). */
  async heapAfterGc(): Promise<Memory> {
    if (!this.inspectorUrl) throw new Error('no inspector address');
    return heapAfterGc(this.inspectorUrl);
  }

  /** SIGTERM (SIGKILL after 10 s); waits for the exit. Only the process this harness started. */
  async stop(): Promise<void> {
    if (!this.exit) {
      this.child.kill('SIGTERM');
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(timer);
    }
    await new Promise((r) => setImmediate(r));
    closeSync(this.logFd);
  }
}
