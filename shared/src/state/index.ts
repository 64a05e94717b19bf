/**
 * The one state model of the dashboard (issue 13): pure functions from the records held and the
 * clock to every state a view or an API answer shows. Nothing here reads a clock or the network.
 */
export * from './hours.js';
export * from './places.js';
export * from './devices.js';
export * from './units.js';
