/** The edge agent as a library: for the run command, the simulator and the history backfill. */
export { Agent, type AgentDeps } from './agent.js';
export { clockFromOptions, ClockOptionError, MAX_RATE, parseInstant, scaledClock, WALL_CLOCK, wallDelayMs, type Clock, type ScaledClock } from './clock.js';
export { loadSiteConfig, parseSiteConfig } from './config/load.js';
export { coreConfigOf } from './config/coreConfig.js';
export type * from './config/types.js';
export * from './core/index.js';
export { ClearancePipeline } from './pipeline/clearancePipeline.js';
export { clearancePoint, devicePoint, queuePoint } from './pipeline/points.js';
export { FileOutbox } from './storage/fileOutbox.js';
export { MemoryOutbox } from './storage/memoryOutbox.js';
export { Journal } from './storage/journal.js';
export { InfluxSender } from './storage/influxSender.js';
export type * from './storage/outbox.js';
export { createLog, type Log } from './log.js';
export { EventBus } from './eventBus.js';
export { LIVE_WRITE_BUFFER_BYTES, MqttLink, type MqttLinkStats } from './mqtt/mqttLink.js';
export * from './devices/index.js';
// The framing alone (bytes to frames, no loop tracking): the benchmark (sim/src/bench) times it
// beside a bare line split of the same bytes.
export { Framer } from './devices/framing.js';
export { gateControllerFraming } from './devices/gate-controller/parser.js';
export { ReplayAgent, type ReplayAgentDeps } from './replay/replayAgent.js';
