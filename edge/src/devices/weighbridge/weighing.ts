/**
 * One weighing per vehicle out of the indicator's continuous readings (several a second).
 * Pure: (state, reading) → (state, weighing?).
 *
 * A vehicle is weighed once: on the first stable gross reading of at least `minLoadKg` after
 * the scale was seen empty (a gross reading below `zeroBandKg`). Then the detector waits for
 * the scale to be empty again, so the many identical stable lines while a truck stands on the
 * bridge, and the wobble as it drives off, make no further weighings.
 */
import type { WeightReading } from './reading.js';

export interface WeighingParams {
  /** Below this the scale counts as empty (drift, mud, a person walking over it). */
  zeroBandKg: number;
  /** The lightest load that is a vehicle. Between the two: neither empty nor a vehicle. */
  minLoadKg: number;
}

/** docs/interfaces.md: at least 1000 kg, empty below 200 kg. */
export const WEIGHING_DEFAULTS: Readonly<WeighingParams> = { zeroBandKg: 200, minLoadKg: 1000 };

export interface WeighingState {
  /** The scale was seen empty since the last weighing. */
  armed: boolean;
}

/**
 * Not armed at start: a vehicle already standing on the bridge when the agent starts was
 * (probably) weighed before; the next vehicle is weighed once the bridge is seen empty.
 */
export const WEIGHING_START: Readonly<WeighingState> = { armed: false };

export interface WeighingStep {
  state: WeighingState;
  /** Set on the reading that is the weighing. */
  weighingKg?: number;
}

export function stepWeighing(state: WeighingState, reading: WeightReading, params: WeighingParams = WEIGHING_DEFAULTS): WeighingStep {
  // Net readings depend on a tare, overload readings on nothing: neither says the bridge is empty
  // nor what a vehicle weighs. An unstable gross reading below the band does say it is empty.
  if (reading.mode !== 'gross' || reading.status === 'overload') return { state };
  if (reading.kg < params.zeroBandKg) return { state: state.armed ? state : { armed: true } };
  if (state.armed && reading.status === 'stable' && reading.kg >= params.minLoadKg) {
    return { state: { armed: false }, weighingKg: reading.kg };
  }
  return { state };
}
