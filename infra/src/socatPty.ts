/**
 * A serial line made of two pseudo-terminals joined by socat: the agent opens `devicePath` as
 * it would /dev/ttyUSB0, a simulator writes device bytes into `simPath`. stop() is pulling the
 * cable (socat exits, both ends close, the links disappear); start() again under the same
 * paths is plugging it back. socat keeps running when either end is closed by its reader or
 * writer, and buffers what is written while nobody reads.
 *
 * Every socat started here is tracked and killed when this process exits, so that a failing
 * test or a crashed run command never leaves one behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ServiceError } from './service.js';

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export class SocatPty {
  private child: ChildProcess | undefined;

  constructor(
    readonly devicePath: string,
    readonly simPath: string,
    private readonly timeoutMs = 5000,
  ) {}

  /** True while socat runs (the cable is plugged in). */
  get plugged(): boolean {
    return this.child !== undefined;
  }

  async start(): Promise<void> {
    if (this.child) return;
    mkdirSync(dirname(this.devicePath), { recursive: true });
    mkdirSync(dirname(this.simPath), { recursive: true });
    const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${this.devicePath}`, `pty,raw,echo=0,link=${this.simPath}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
      // Its own process group, like the services: the owner decides when the cable is pulled.
      detached: true,
    });
    // socat -d -d talks on stderr; keep the tail for error messages, bounded.
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const failed = await new Promise<Error | undefined>((resolve) => {
      child.once('spawn', () => resolve(undefined));
      child.once('error', resolve);
    });
    if (failed) throw new ServiceError('SERVICE_NOT_INSTALLED', `socat: ${failed.message}; install it with: sudo apt-get install -y socat`);
    live.add(child);
    child.once('exit', () => live.delete(child));
    this.child = child;
    const deadline = Date.now() + this.timeoutMs;
    while (!(existsSync(this.devicePath) && existsSync(this.simPath))) {
      if (child.exitCode !== null || child.signalCode !== null) {
        this.child = undefined;
        throw new ServiceError('SERVICE_EXITED', `socat exited before creating ${this.devicePath}:\n${stderr}`);
      }
      if (Date.now() > deadline) {
        await this.stop();
        throw new ServiceError('SERVICE_START_FAILED', `socat did not create ${this.devicePath} within ${this.timeoutMs} ms:\n${stderr}`);
      }
      await sleep(10);
    }
  }

  /** Pulls the cable; resolves once socat exited and removed its links (so a replug cannot race them). */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(killer);
    }
    const deadline = Date.now() + this.timeoutMs;
    while ((existsSync(this.devicePath) || existsSync(this.simPath)) && Date.now() < deadline) await sleep(10);
  }
}

/** Stops every socat this process started (test teardown). */
export async function stopAllPtys(): Promise<void> {
  await Promise.all(
    [...live].map(async (child) => {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await exited;
    }),
  );
}
