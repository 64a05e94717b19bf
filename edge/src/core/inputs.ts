/**
 * What the clearance core consumes. Every input is journaled before it takes effect, and the
 * core is a pure function of the journal: replaying the same inputs (ticks included) gives the
 * same records with the same emit sequence numbers and the same nanosecond nudges. That is
 * what makes a restart after SIGKILL write every point exactly once.
 *
 * Times are milliseconds since the epoch. `ts` is when it happened (the device's stamp for
 * MQTT, reception time for serial devices); `rx` is when the edge received it (wall clock).
 */
import type { Channel, Point, UnitKind } from '@gatewatch/shared';

interface Base {
  /** Unique per input; a repeated id is ignored (MQTT ids as sent; serial ids made by the edge). */
  id: string;
  ts: number;
  rx: number;
}

/** A unit identified at a point of a lane: by a camera, or at the gate by the booth scanner. */
export interface SightingInput extends Base {
  type: 'sighting';
  lane: string;
  point: Point;
  unit: string;
  /** Cameras know the kind; the scanner does not. */
  kind?: UnitKind;
  source: 'camera' | 'scanner';
}

/** A customs decision for a unit. */
export interface DecisionInput extends Base {
  type: 'decision';
  unit: string;
  declaration?: string;
  channel: Channel;
}

/** The booth scanner read a declaration number at the gate of a lane. */
export interface DeclarationScanInput extends Base {
  type: 'declarationScan';
  lane: string;
  declaration: string;
}

/** A rising edge of an induction loop: one vehicle passing that point of the lane. */
export interface LoopInput extends Base {
  type: 'loop';
  lane: string;
  point: Point;
}

/** One weighing: the weighbridge of a lane settled on a stable gross weight. */
export interface WeightInput extends Base {
  type: 'weight';
  lane: string;
  kg: number;
}

/** The passing of wall-clock time: releases units after the lateness window, times units out, closes queue intervals. */
export interface TickInput {
  type: 'tick';
  now: number;
  /**
   * Inputs may still be on their way: the broker link is down, or came back less than a
   * lateness window ago and is delivering what it queued meanwhile. Nothing is released, timed
   * out or given a FIFO exit at such a tick, so that a late decision or stage still counts;
   * queue intervals close as usual. Journaled like every input, so replay decides the same.
   */
  hold?: boolean;
}

export type LaneInput = SightingInput | DecisionInput | DeclarationScanInput | LoopInput | WeightInput;
export type CoreInput = LaneInput | TickInput;
