/** The corridor model of the simulator: crossings, arrival profile, simulation, ground truth. */
export * from './corridor.js';
export * from './faults.js';
export * from './profile.js';
export * from './simulate.js';
export * from './truth.js';
export * from './units.js';
