/** The corridor simulator: device bytes and messages, seeded randomness, simulated crossings. */
// Device bytes and messages: the encoders live in shared, beside the contract they encode.
export { Prng } from './prng.js';
export { backfill, BackfillError, progressBar, type BackfillCrossing, type BackfillCrossingResult, type BackfillOptions, type BackfillResult, type DeviceEmission } from './backfill.js';
export { LiveDriver, type LiveClock, type LiveDriverOptions } from './liveDriver.js';
export * from './corridor/index.js';
export { readDemoLogins, REGIONS, type DemoLogin } from './dashboardSite.js';
