/** The GateWatch dashboard server (docs/dashboard.md): for the run command, main.ts and the tests. */
export { startDashboard, type Dashboard, type DashboardOptions } from './server.js';
export { loadDashboardConfig, parseDashboardConfig, type Env } from './config/load.js';
export { DEFAULT_ALERTS, DEFAULTS as DASHBOARD_DEFAULTS } from './config/schema.js';
export type { CheckpointConfig, Credentials, DashboardConfig, RegionConfig } from './config/types.js';
export { hashPassword, verifyPassword } from './auth/passwords.js';
export { createLog, silentLog, type Log } from './log.js';
export { topics } from '@gatewatch/shared';
// The manager's throughput statement, which the benchmark times (sim/src/bench/manager.ts).
export { throughputStatement } from './history/queries.js';
