/**
 * The validated site configuration (one YAML file per agent; schema in schema.ts).
 * Everything downstream takes these types, never raw YAML.
 */
import type { ServiceMode } from '@gatewatch/shared';

export type CheckpointKind = 'road' | 'rail' | 'port';
export type SerialDeviceKind = 'gate-controller' | 'scanner' | 'weighbridge';

export interface LaneConfig {
  id: string;
  /**
   * inbound: into the checkpoint's controlled area (into Viet Nam at a land border, into the
   * port at a seaport gate); outbound: out of it. Shown to logistics firms.
   */
  direction: 'inbound' | 'outbound';
  /** Seconds per unit (per batch when `service` is `batch`) at the gate, used for wait estimates until service times are measured. */
  defaultServiceS: number;
  /**
   * How the control point serves: `unit` (absent: the default), one unit at a time (a booth);
   * `batch`, units drawn in and released together (a train's wagons in a railway control zone).
   */
  service?: ServiceMode;
  /**
   * The order units leave the lane's exit in. 'fifo' (default): the order they entered its gate,
   * so an exit-loop edge no exit camera claims is the exit of the unit longest at the gate.
   * 'any': out of order, as where red units go on from the booth to an inspection yard while
   * green ones drive out; such an edge names no unit (it is counted), and a unit whose exit
   * reading was missed times out instead of taking another unit's exit.
   */
  exitOrder: 'fifo' | 'any';
}

export interface SerialDeviceConfig {
  id: string;
  kind: SerialDeviceKind;
  path: string;
  baudRate: number;
  dataBits: 5 | 6 | 7 | 8;
  parity: 'none' | 'even' | 'odd';
  stopBits: 1 | 2;
  /** The lane whose gate a scanner or weighbridge serves. Gate controllers name lanes in their sentences. */
  lane?: string;
  /**
   * Gate controllers: the lanes whose induction loops it reports; those lanes count their
   * queue from the loops, the others from the cameras. Absent: every lane of the checkpoint.
   */
  lanes?: string[];
  /** No good frame for this long means offline (gate controllers beat every 5 s); absent: only a closed port is offline. */
  silentAfterMs?: number;
}

export interface CameraConfig {
  id: string;
}

export interface Credentials {
  username?: string;
  password?: string;
}

export interface SiteConfig {
  checkpoint: {
    id: string;
    name: { vi: string; en: string };
    kind: CheckpointKind;
  };
  lanes: LaneConfig[];
  devices: {
    serial: SerialDeviceConfig[];
    cameras: CameraConfig[];
  };
  mqtt: {
    url: string;
    /** Fixed so that the broker keeps this agent's session (clean: false) across restarts. */
    clientId: string;
    credentials: Credentials;
    keepaliveS: number;
    /**
     * The CA certificate (PEM) that signed the broker's, read from `caFile` at start: an
     * `mqtts://` connection then trusts that broker only (not the system's CAs).
     */
    ca?: string;
  };
  influx: {
    url: string;
    database: string;
    credentials: Credentials;
  };
  storage: {
    /** Folder for the journal, snapshots and the outbox. */
    dir: string;
    /** 'always': fsync before every acknowledgement; 'interval': every fsyncIntervalMs. */
    fsync: 'always' | 'interval';
    fsyncIntervalMs: number;
    outboxMaxPoints: number;
    outboxTelemetryShare: number;
  };
  clearance: {
    latenessWindowMs: number;
    unitTimeoutMs: number;
    queueIntervalMs: number;
    deviceIntervalMs: number;
    /** Window over which the gate's service rate is measured for wait estimates. */
    estimateWindowMs: number;
  };
  batch: {
    maxPoints: number;
    maxDelayMs: number;
  };
  log: {
    level: 'trace' | 'debug' | 'info' | 'warn' | 'error';
  };
}
