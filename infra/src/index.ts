export { freePort } from './ports.js';
export { LocalService, ServiceError, type ServiceSpec } from './service.js';
export { startInfluxd, type Influxd, type InfluxdOptions, type InfluxQueryResult, type InfluxSeries } from './influxd.js';
export { SocatPty, stopAllPtys } from './socatPty.js';
export { applyUsers, INFLUX_DASHBOARD_USER, INFLUX_EDGE_USER, InfluxUsersError, type ApplyUsersResult, type InfluxAccess, type InfluxAccount } from './influxUsers.js';
export { startMosquitto, type Mosquitto, type MosquittoOptions, type SecureBrokerOptions } from './mosquitto.js';
export { BrokerAclError, DASHBOARD_MQTT_USER, devicesUser, edgeUser, mosquittoAcl, type BrokerAccounts } from './mosquittoAcl.js';
export {
  AGGREGATES,
  AGGREGATE_DEFS,
  AGGREGATE_NAMES,
  DEFAULT_DATABASE,
  InfluxSchemaError,
  LOCAL_DAY_OFFSET_MS,
  RAW_RP,
  RETENTION_POLICIES,
  applySchema,
  continuousQueryStatement,
  downsample,
  downsampleChunks,
  quoteIdent,
  quoteString,
  selectIntoStatement,
  type AggregateDef,
  type AggregateExpr,
  type AggregateName,
  type ApplySchemaOptions,
  type ApplySchemaResult,
  type DownsampleOptions,
  type DownsampleResult,
  type InfluxCredentials,
  type InfluxTarget,
  type RetentionPolicyDef,
  type SchemaAction,
} from './influxSchema.js';
export {
  influxQuery,
  InfluxQueryError,
  type InfluxQueryErrorCode,
  type InfluxQueryOptions,
  type InfluxSeries as InfluxResultSeries,
  type InfluxStatementResult,
} from './influxQuery.js';
