export { freePort } from './ports.js';
export { LocalService, ServiceError, type ServiceSpec } from './service.js';
export { startInfluxd, type Influxd, type InfluxdOptions, type InfluxQueryResult, type InfluxSeries } from './influxd.js';
export { SocatPty, stopAllPtys } from './socatPty.js';
export { startMosquitto, type Mosquitto, type MosquittoOptions } from './mosquitto.js';
