/**
 * A serial cable for tests, on infra's SocatPty: the code under test opens `devicePath` as it
 * would /dev/ttyUSB0; the test writes device bytes into `simPath`. close() pulls the cable,
 * replug() plugs it back under the same paths.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { SocatPty, stopAllPtys } from '@gatewatch/infra';

export interface Pty {
  /** Where the device under test is opened (the agent's side). */
  readonly devicePath: string;
  /** Where the simulated device writes. */
  readonly simPath: string;
  /** True while socat runs (the cable is plugged in). */
  readonly plugged: boolean;
  /** Writes bytes as the device would; resolves once they are handed to the pty. */
  write(bytes: string | Uint8Array): Promise<void>;
  /** Pulls the cable: closes the sim side, stops socat, waits until the links are gone. */
  close(): Promise<void>;
  /** Plugs the cable back in: socat again, under the same paths. */
  replug(): Promise<void>;
}

/** Stops every socat started in this process (afterAll / afterEach). */
export const closeAllPtys = stopAllPtys;

/** Creates a pty pair in `dir`: `<name>` (device side) and `<name>.sim` (sim side). */
export async function createPty(dir: string, name = 'tty', timeoutMs = 5000): Promise<Pty> {
  mkdirSync(dir, { recursive: true });
  const pty = new TestPty(new SocatPty(join(dir, name), join(dir, `${name}.sim`), timeoutMs));
  await pty.replug();
  return pty;
}

class TestPty implements Pty {
  private sim: WriteStream | undefined;

  constructor(private readonly socat: SocatPty) {}

  get devicePath(): string {
    return this.socat.devicePath;
  }
  get simPath(): string {
    return this.socat.simPath;
  }
  get plugged(): boolean {
    return this.socat.plugged;
  }

  replug(): Promise<void> {
    return this.socat.start();
  }

  async write(bytes: string | Uint8Array): Promise<void> {
    if (!this.socat.plugged) throw new Error(`pty ${this.devicePath} is unplugged`);
    if (!this.sim) {
      const sim = createWriteStream(this.simPath);
      // An error here means the pty went away under the writer; write() reports it.
      sim.on('error', () => undefined);
      this.sim = sim;
    }
    const sim = this.sim;
    await new Promise<void>((resolve, reject) => sim.write(bytes, (err) => (err ? reject(err) : resolve())));
  }

  async close(): Promise<void> {
    const sim = this.sim;
    this.sim = undefined;
    if (sim) await new Promise<void>((resolve) => (sim.closed ? resolve() : sim.destroy().once('close', () => resolve())));
    await this.socat.stop();
  }
}
