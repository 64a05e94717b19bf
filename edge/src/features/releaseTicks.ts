/**
 * Ticks at the moments releases fall due, besides the agent's once-a-second tick.
 *
 * The core writes a unit a lateness window W after the edge received its exit (rule 5 of
 * core/tracker.ts), but only on a tick: with ticks a second apart, an officer saw a clearance
 * W plus up to a second after the truck left, and the live latency measured by `pnpm bench`
 * was the tick, not the path. An exit camera reading or exit-loop edge received at rx makes
 * something due at rx + W (a release, or the FIFO rule's exit), so a tick is asked for then.
 *
 * These ticks are ordinary core inputs, journaled like every other: a restart replays them and
 * decides the same (the tick rate changes when the core writes, not what). Consecutive ones are
 * at least `minSpacingMs` apart, so a burst of exits costs at most 1000 / minSpacingMs extra
 * ticks a second (each looks at every open visit), and a release waits at most that long
 * past its due moment.
 */
import type { CoreInput } from '../core/inputs.js';

export interface ReleaseTicksDeps {
  latenessWindowMs: number;
  /** Least agent time between two ticks asked for here. */
  minSpacingMs: number;
  /** Agent time. */
  now: () => number;
  /** Wall ms to wait for `agentMs` of agent time (a fast clock runs ahead of the wall). */
  wallDelay: (agentMs: number) => number;
  /** Submits a tick at the agent's now (the agent's own tick, hold rule included). */
  tick: () => void;
}

/** How much agent time a tick asked for may come after its due moment at most (see above). */
export const RELEASE_TICK_SPACING_MS = 50;

export class ReleaseTicks {
  /** Due moments, agent ms, in the order received: rx only grows and W is fixed, so they are sorted. */
  private due: number[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;
  private armedAt: number | undefined;
  private lastTick = -Infinity;
  private running = false;

  constructor(private readonly deps: ReleaseTicksDeps) {}

  start(): void {
    this.running = true;
  }

  stop(): void {
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.armedAt = undefined;
    this.due = [];
    this.head = 0;
  }

  /** An input the core has applied: an exit makes a release (or FIFO exit) due a lateness window later. */
  noteInput(input: CoreInput): void {
    if (!this.running || (input.type !== 'sighting' && input.type !== 'loop') || input.point !== 'exit') return;
    // +1: the core releases at now - exitRx >= W; a timer is never early, the agent's clock may round.
    const at = input.rx + this.deps.latenessWindowMs + 1;
    const last = this.due.length > this.head ? this.due[this.due.length - 1]! : -Infinity;
    // A tick asked for already covers what falls due within the spacing after it.
    if (at > last) this.due.push(at);
    this.arm();
  }

  /** Every tick the core gets (the agent's own and these): what fell due by `now` is done. */
  ticked(now: number): void {
    this.lastTick = Math.max(this.lastTick, now);
    while (this.head < this.due.length && this.due[this.head]! <= now) this.head++;
    if (this.head > 1024 && this.head * 2 > this.due.length) {
      this.due = this.due.slice(this.head);
      this.head = 0;
    }
    if (this.armedAt !== undefined && this.head >= this.due.length) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.armedAt = undefined;
    }
    this.arm();
  }

  private arm(): void {
    if (!this.running || this.head >= this.due.length) return;
    const at = Math.max(this.due[this.head]!, this.lastTick + this.deps.minSpacingMs);
    if (this.armedAt !== undefined && this.armedAt <= at) return;
    clearTimeout(this.timer);
    this.armedAt = at;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.armedAt = undefined;
      // The agent's tick calls ticked(), which arms the next one.
      this.deps.tick();
    }, this.deps.wallDelay(at - this.deps.now()));
  }
}
