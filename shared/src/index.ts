export * from './errors.js';
export * from './ids.js';
export * from './records.js';
export * from './topics.js';
export * from './events.js';
export * from './estimate.js';
export * from './encode.js';
export * from './dashboard.js';
