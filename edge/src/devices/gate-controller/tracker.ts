/**
 * What a gate controller's good sentences mean over time: lost sentences (sequence gaps) and
 * vehicles passing loops (rising edges). No I/O; the adapter keeps one per device.
 */
import type { Point } from '@gatewatch/shared';
import { SEQ_MODULUS, type GateFrame } from './sentence.js';

/**
 * Sentences lost between two consecutive good ones, across the wrap: 65534 then 1 is 2 lost.
 * The same number twice is a repeat, not 65535 lost. A corrupt sentence is therefore counted
 * twice: as a bad frame, and as the gap it leaves in the numbering (a lost frame).
 */
export function lostBetween(prev: number, next: number): number {
  const gap = (next - prev - 1 + SEQ_MODULUS) % SEQ_MODULUS;
  return gap === SEQ_MODULUS - 1 ? 0 : gap;
}

export interface LoopPassing {
  lane: string;
  point: Point;
}

export interface GateStep {
  /** Sentences missing before this one. */
  lost: number;
  /** Set when this sentence is a rising edge of a loop: one vehicle passing that point. */
  passing?: LoopPassing;
}

export class GateControllerTracker {
  private lastSeq: number | undefined;
  /** Last known state per `${lane}/${point}`; absent: not reported since the agent started. */
  private readonly loops = new Map<string, boolean>();

  /**
   * Forget the sequence number, keep the loop states: after the cable was out (or the port
   * reopened) the gap cannot tell sentences lost on the wire from a controller that restarted
   * its numbering, and the outage itself is already visible as the device being offline.
   * Loop states are kept so that a vehicle that stood on a loop through the outage is not
   * counted twice, while one that arrived during it is counted on its first `1`.
   */
  resync(): void {
    this.lastSeq = undefined;
  }

  accept(frame: GateFrame): GateStep {
    const lost = this.lastSeq === undefined ? 0 : lostBetween(this.lastSeq, frame.seq);
    this.lastSeq = frame.seq;
    if (frame.type !== 'loop') return { lost };
    const key = `${frame.lane}/${frame.point}`;
    const before = this.loops.get(key);
    this.loops.set(key, frame.occupied);
    // First report of a loop: `1` counts as a rising edge. Missing a vehicle is worse than the
    // rare double count after an agent restart with a vehicle standing on the loop (and the
    // core keeps the first time of a stage seen twice).
    if (frame.occupied && before !== true) return { lost, passing: { lane: frame.lane, point: frame.point } };
    return { lost };
  }
}
