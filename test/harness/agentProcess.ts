/**
 * The edge agent as a separate process, as it runs at a crossing: started from the built
 * entry point, stopped with SIGTERM, or killed with SIGKILL to prove that nothing is lost.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { stringify } from 'yaml';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
const MAIN = join(REPO, 'edge/dist/main.js');

export class AgentProcess {
  private child: ChildProcess | undefined;
  private exitCode: number | null = null;
  readonly logPath: string;

  constructor(
    readonly configPath: string,
    readonly site: object,
    /** More command-line arguments (the clock options). */
    readonly args: readonly string[] = [],
  ) {
    this.logPath = join(dirname(configPath), 'agent.log');
    mkdirSync(dirname(configPath), { recursive: true });
    writeFileSync(configPath, stringify(site));
  }

  async start(): Promise<void> {
    if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: the test command builds before testing (pnpm build)`);
    // Ready means a new 'agent running' line, after what earlier runs left in the log.
    const offset = existsSync(this.logPath) ? statSync(this.logPath).size : 0;
    const log = createWriteStream(this.logPath, { flags: 'a' });
    const child = spawn(process.execPath, [MAIN, '--config', this.configPath, ...this.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    this.exitCode = null;
    // Killed by a signal, Node says code null: count it as the shell does (SIGKILL 137), or a
    // start killed before it ran would wait out its whole timeout.
    child.once('exit', (code, sig) => (this.exitCode = code ?? 128 + (sig ? (constants.signals[sig] ?? 0) : 0)));
    this.child = child;
    // Running once it says so in its log (structured: msg 'agent running').
    await waitFor(async () => {
      if (this.exitCode !== null) throw new Error(`agent exited with ${this.exitCode}; see ${this.logPath}`);
      return existsSync(this.logPath) && readFileSync(this.logPath).subarray(offset).toString('utf8').includes('"msg":"agent running"');
    }, 30_000, 'agent start');
  }

  get running(): boolean {
    return this.child !== undefined && this.exitCode === null;
  }

  /** SIGTERM: the agent drains and exits; resolves with its exit code. */
  async stop(): Promise<number | null> {
    return this.signal('SIGTERM');
  }

  /** SIGKILL: no chance to flush anything. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
  }

  private async signal(sig: NodeJS.Signals): Promise<number | null> {
    const child = this.child;
    if (!child || this.exitCode !== null) return this.exitCode;
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill(sig);
    const code = await exited;
    this.child = undefined;
    return code;
  }
}

/** Polls until check() is true; fails with `what` after timeoutMs. */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}
