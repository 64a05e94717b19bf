/** The clearance core: pure state machine from journaled inputs to clearance and queue records. */
export { ClearanceCore } from './tracker.js';
export type { CoreConfig, CoreGauges, Emission, LaneView, OpenUnitView } from './tracker.js';
export type { CoreCounters, CoreSnapshot } from './state.js';
export { SNAPSHOT_VERSION } from './state.js';
export * from './limits.js';
export type * from './inputs.js';
