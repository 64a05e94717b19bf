/**
 * A local server process (influxd, mosquitto) owned by the run command or by a test: its own
 * port on 127.0.0.1, its own data folder, stopped and restarted on demand, never a system service.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ServiceSpec {
  name: string;
  command: string;
  args: string[];
  logFile: string;
  /** Resolves true once the server answers. */
  ready: () => Promise<boolean>;
  readyTimeoutMs?: number;
}

export class ServiceError extends Error {
  constructor(
    readonly code: 'SERVICE_NOT_INSTALLED' | 'SERVICE_START_FAILED' | 'SERVICE_EXITED',
    message: string,
  ) {
    super(message);
    this.name = 'ServiceError';
  }
}

// Servers started by this process die with it, also when it crashes: a failed test or run
// command must never leave an influxd or mosquitto behind on the machine.
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export class LocalService {
  private child: ChildProcess | undefined;

  constructor(private readonly spec: ServiceSpec) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    const { name, command, args, logFile } = this.spec;
    mkdirSync(logFile.replace(/\/[^/]*$/, ''), { recursive: true });
    const log = createWriteStream(logFile, { flags: 'a' });
    // Its own process group: Ctrl-C in the terminal of the run command must not stop the
    // database under the agents while they drain; the owner stops it, last.
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const spawned = await new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', (e) => resolve(e));
    });
    if (spawned) {
      throw new ServiceError(
        (spawned as NodeJS.ErrnoException).code === 'ENOENT' ? 'SERVICE_NOT_INSTALLED' : 'SERVICE_START_FAILED',
        `${name}: cannot start '${command}' (${spawned.message}); install it with: sudo apt-get install -y influxdb influxdb-client mosquitto socat`,
      );
    }
    this.child = child;
    live.add(child);
    child.once('exit', () => live.delete(child));
    const deadline = Date.now() + (this.spec.readyTimeoutMs ?? 30_000);
    while (Date.now() < deadline) {
      if (!this.running) throw new ServiceError('SERVICE_EXITED', `${name} exited during start-up; see ${logFile}`);
      if (await this.spec.ready().catch(() => false)) return;
      await sleep(50);
    }
    await this.stop();
    throw new ServiceError('SERVICE_START_FAILED', `${name} did not become ready in time; see ${logFile}`);
  }

  /** Stops with SIGTERM (SIGKILL after the grace period) and waits for the exit. */
  async stop(graceMs = 10_000): Promise<void> {
    await this.signal('SIGTERM', graceMs);
  }

  /** Simulates a crash or power loss of the server. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL', 5_000);
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  private async signal(sig: NodeJS.Signals, graceMs: number): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(sig);
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
    this.child = undefined;
  }
}
