/** The dashboard's configuration after validation (docs/dashboard.md, "Configuration"). */
import type { AlertThresholds, CheckpointKind, CongestionThresholds, LaneInfo, LocalText, OpeningHours } from '@gatewatch/shared';

/** Resolved credentials: read from the environment or a file at load time, never from the YAML. */
export interface Credentials {
  username?: string;
  password?: string;
}

export interface RegionConfig {
  id: string;
  name: LocalText;
}

export interface CheckpointConfig {
  id: string;
  name: LocalText;
  kind: CheckpointKind;
  region: string;
  lanes: LaneInfo[];
  alerts: AlertThresholds;
  congestion: CongestionThresholds;
  /** How often the edge sends a device record; three missed ones raise `deviceSilent`. */
  deviceIntervalS: number;
  /** How often the edge sends a queue record per lane; three missed ones make its figures stale. */
  queueIntervalS: number;
  /** Local opening hours of the crossing (lanes may have their own); none: round the clock, or the departure rule. */
  hours?: OpeningHours[];
  /** A lane is open while it had a departure within this time (DEFAULT_LANE_OPEN_MINUTES by kind). */
  laneOpenMinutes: number;
}

export interface DashboardConfig {
  server: {
    host: string;
    port: number;
    /** Behind TLS (a reverse proxy): session cookies get the Secure flag. */
    secureCookies: boolean;
    /**
     * The reverse proxies whose X-Forwarded-For and X-Forwarded-Proto are believed: `true` for
     * one on this machine (loopback), or their addresses / CIDRs; `false`: none.
     */
    trustProxy: boolean | string[];
  };
  /** `ca`: the broker's CA certificate (PEM), read from `caFile`. */
  mqtt: { url: string; clientId: string; credentials?: Credentials; ca?: string };
  influx: { url: string; database: string; credentials?: Credentials };
  auth: {
    /** Absolute path (a relative one in the file is relative to the config file). */
    usersFile: string;
    /** Where sessions are kept across a restart (hashes only); without it a restart signs everyone out. */
    sessionsFile?: string;
    sessionIdleMinutes: number;
    sessionMaxHours: number;
  };
  publicApi: { requestsPerMinute: number };
  regions: RegionConfig[];
  /** In corridor order. */
  checkpoints: CheckpointConfig[];
  log: { level: string };
}
