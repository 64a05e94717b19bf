/**
 * The zod schema of dashboard.yaml. It turns the parsed YAML into exactly `DashboardConfig`:
 * defaults filled in, the users file resolved against the config file's folder, credentials read
 * from the environment or from files. Cross-field rules (unique ids, regions that exist) are
 * checked alongside, so that one run reports every error; `load.ts` adds path and value.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { CHECKPOINT_ID, DEFAULT_CONGESTION, DEFAULT_RECORD_INTERVALS, DEFAULT_LANE_OPEN_MINUTES, hoursProblem, LANE_ID, type AlertThresholds, type CheckpointKind, type OpeningHours } from '@gatewatch/shared';
import { z } from 'zod';
import type { Credentials, DashboardConfig } from './types.js';

export interface SchemaContext {
  /** The folder of the config file: relative paths resolve against it. */
  baseDir: string;
  env: Readonly<Record<string, string | undefined>>;
}

/** Alert thresholds when a checkpoint names none: a train brings tens of wagons at once. */
export const DEFAULT_ALERTS: Record<CheckpointKind, AlertThresholds> = {
  road: { queueLength: 30, waitS: 3600 },
  port: { queueLength: 60, waitS: 3600 },
  rail: { queueLength: 60, waitS: 2 * 3600 },
};

export const DEFAULTS = {
  server: { host: '127.0.0.1', port: 8080, secureCookies: false, trustProxy: false },
  mqtt: { url: 'mqtt://127.0.0.1:1883', clientId: 'gatewatch-dashboard' },
  influx: { url: 'http://127.0.0.1:8086', database: 'gatewatch' },
  auth: { sessionIdleMinutes: 30, sessionMaxHours: 12 },
  publicApi: { requestsPerMinute: 60 },
  // The edge's own defaults (shared): a figure is stale after three of its intervals.
  ...DEFAULT_RECORD_INTERVALS,
  log: { level: 'info' },
} as const;

const NO_VALUE = { showValue: false } as const;
const nonEmpty = () => z.string().min(1);
const envName = () =>
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be the name of an environment variable, like GATEWATCH_DASHBOARD_MQTT_PASSWORD' });
const url = (protocols: readonly string[], what: string) =>
  z.string().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol.slice(0, -1));
      } catch {
        return false;
      }
    },
    { error: `must be ${what} URL (${protocols.map((p) => `${p}://`).join(', ')})` },
  );
const resolvePath = (ctx: SchemaContext, p: string): string => (isAbsolute(p) ? p : resolve(ctx.baseDir, p));

/** `{ username?, passwordEnv? | passwordFile? }` → `{ username?, password? }`; a literal password is refused. */
function credentialsSchema(ctx: SchemaContext) {
  return z
    .strictObject({
      username: nonEmpty().exactOptional(),
      passwordEnv: envName().exactOptional(),
      passwordFile: nonEmpty().exactOptional(),
      password: z
        .never({ error: 'a plain password is not accepted in the configuration file; use passwordEnv (an environment variable) or passwordFile (a file that holds it)' })
        .exactOptional(),
    })
    .transform((c, payload): Credentials => {
      const out: Credentials = {};
      if (c.username !== undefined) out.username = c.username;
      if (c.passwordEnv !== undefined && c.passwordFile !== undefined) {
        payload.issues.push({ code: 'custom', path: ['passwordFile'], message: 'give passwordEnv or passwordFile, not both', input: c.passwordFile });
      } else if (c.passwordEnv !== undefined) {
        const value = ctx.env[c.passwordEnv];
        if (value === undefined || value === '') {
          const problem = value === undefined ? 'not set' : 'empty';
          payload.issues.push({ code: 'custom', path: ['passwordEnv'], message: `environment variable '${c.passwordEnv}' is ${problem}`, params: NO_VALUE, input: c.passwordEnv });
        } else out.password = value;
      } else if (c.passwordFile !== undefined) {
        const file = resolvePath(ctx, c.passwordFile);
        try {
          // One trailing newline is what `echo secret > file` leaves; it is not part of the password.
          const password = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
          if (password === '') payload.issues.push({ code: 'custom', path: ['passwordFile'], message: `'${file}' is empty`, params: NO_VALUE, input: c.passwordFile });
          else out.password = password;
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? String(error);
          payload.issues.push({ code: 'custom', path: ['passwordFile'], message: `cannot read '${file}' (${code})`, params: NO_VALUE, input: c.passwordFile });
        }
      }
      return out;
    });
}

const localText = z.strictObject({ vi: nonEmpty(), en: nonEmpty() });

/** Opening hours in local time (shared/src/state/hours.ts), checked by the same rules the state model uses. */
const hoursSchema = z
  .array(
    z
      .strictObject({ days: z.array(z.int()).exactOptional(), open: z.string(), close: z.string() })
      .superRefine((h, payload) => {
        const problem = hoursProblem(h as OpeningHours);
        if (problem) payload.addIssue({ code: 'custom', path: [problem.slice(0, problem.indexOf(':'))], message: problem.slice(problem.indexOf(':') + 2) });
      }),
  )
  .min(1);

const checkpointSchema = z.strictObject({
  id: z.string().regex(CHECKPOINT_ID, { error: "must be 1 to 48 lower-case letters, digits or '-', like kim-thanh-road" }),
  name: localText,
  kind: z.enum(['road', 'rail', 'port']),
  region: nonEmpty(),
  lanes: z
    .array(
      z.strictObject({
        id: z.string().regex(LANE_ID, { error: "must be 1 to 16 letters, digits or '-', like IN-1" }),
        direction: z.enum(['inbound', 'outbound']),
        hours: hoursSchema.exactOptional(),
      }),
    )
    .min(1),
  hours: hoursSchema.exactOptional(),
  queueIntervalS: z.number().positive().default(DEFAULTS.queueIntervalS),
  alerts: z.strictObject({ queueLength: z.int().positive().exactOptional(), waitS: z.number().positive().exactOptional() }).exactOptional(),
  congestion: z.strictObject({ busyWaitS: z.number().positive(), congestedWaitS: z.number().positive() }).exactOptional(),
  deviceIntervalS: z.number().positive().default(DEFAULTS.deviceIntervalS),
  laneOpenMinutes: z.number().positive().exactOptional(),
});

type Path = (string | number)[];
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const where = (path: Path): string => path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
const entries = (v: unknown): [number, Record<string, unknown>][] =>
  Array.isArray(v) ? v.flatMap((e, i): [number, Record<string, unknown>][] => (isRecord(e) ? [[i, e]] : [])) : [];

/** Unique region, checkpoint and lane ids; checkpoints in regions that exist. */
export function checkCrossFields(value: unknown, add: (path: Path, message: string) => void): void {
  if (!isRecord(value)) return;
  const unique = (list: [number, Record<string, unknown>][], path: Path, what: string): Set<string> => {
    const seen = new Map<string, number>();
    for (const [i, e] of list) {
      const id = e['id'];
      if (typeof id !== 'string') continue;
      const first = seen.get(id);
      if (first !== undefined) add([...path, i, 'id'], `duplicate ${what} id, already used by ${where([...path, first])}`);
      else seen.set(id, i);
    }
    return new Set(seen.keys());
  };
  const regions = unique(entries(value['regions']), ['regions'], 'region');
  const checkpoints = entries(value['checkpoints']);
  unique(checkpoints, ['checkpoints'], 'checkpoint');
  for (const [i, cp] of checkpoints) {
    const region = cp['region'];
    if (typeof region === 'string' && !regions.has(region)) {
      add(['checkpoints', i, 'region'], `no such region; the regions are ${[...regions].join(', ') || '(none)'}`);
    }
    unique(entries(cp['lanes']), ['checkpoints', i, 'lanes'], 'lane');
    const c = cp['congestion'];
    if (isRecord(c) && typeof c['busyWaitS'] === 'number' && typeof c['congestedWaitS'] === 'number' && c['congestedWaitS'] <= c['busyWaitS']) {
      add(['checkpoints', i, 'congestion', 'congestedWaitS'], 'must be greater than busyWaitS');
    }
  }
}

export function dashboardConfigSchema(ctx: SchemaContext) {
  return z
    .strictObject({
      server: z
        .strictObject({
          host: nonEmpty().default(DEFAULTS.server.host),
          port: z.int().min(0).max(65535).default(DEFAULTS.server.port),
          secureCookies: z.boolean().default(DEFAULTS.server.secureCookies),
          // true: the proxy runs on this machine (loopback); else the proxies' addresses or CIDRs.
          trustProxy: z.union([z.boolean(), z.array(z.union([z.ipv4(), z.ipv6(), z.cidrv4(), z.cidrv6()])).min(1)]).default(DEFAULTS.server.trustProxy),
        })
        .prefault({}),
      mqtt: z
        .strictObject({
          url: url(['mqtt', 'mqtts', 'ws', 'wss'], 'an MQTT').default(DEFAULTS.mqtt.url),
          clientId: nonEmpty().max(64).default(DEFAULTS.mqtt.clientId),
          credentials: credentialsSchema(ctx).exactOptional(),
          // The broker's CA (PEM) for mqtts://: only a broker it signed is trusted.
          caFile: nonEmpty()
            .transform((p, payload) => {
              const file = resolvePath(ctx, p);
              try {
                return readFileSync(file, 'utf8');
              } catch (error) {
                const code = (error as NodeJS.ErrnoException).code ?? String(error);
                payload.issues.push({ code: 'custom', message: `cannot read '${file}' (${code})`, params: NO_VALUE, input: p });
                return z.NEVER;
              }
            })
            .exactOptional(),
        })
        .prefault({}),
      influx: z
        .strictObject({
          url: url(['http', 'https'], 'an HTTP').default(DEFAULTS.influx.url),
          database: nonEmpty().default(DEFAULTS.influx.database),
          credentials: credentialsSchema(ctx).exactOptional(),
        })
        .prefault({}),
      auth: z.strictObject({
        usersFile: nonEmpty().transform((p) => resolvePath(ctx, p)),
        sessionsFile: nonEmpty()
          .transform((p) => resolvePath(ctx, p))
          .exactOptional(),
        // Fractions allowed: tests use sessions of seconds.
        sessionIdleMinutes: z.number().positive().default(DEFAULTS.auth.sessionIdleMinutes),
        sessionMaxHours: z.number().positive().default(DEFAULTS.auth.sessionMaxHours),
      }),
      publicApi: z.strictObject({ requestsPerMinute: z.int().positive().default(DEFAULTS.publicApi.requestsPerMinute) }).prefault({}),
      regions: z.array(z.strictObject({ id: nonEmpty().max(48), name: localText })).min(1),
      checkpoints: z.array(checkpointSchema).min(1),
      log: z.strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info') }).prefault({}),
    })
    .superRefine(
      (value, payload) => checkCrossFields(value, (path, message) => payload.addIssue({ code: 'custom', path, message, continue: true })),
      // Also when other parts are invalid: every error in one run.
      { when: () => true },
    )
    .transform((c): DashboardConfig => {
      const { mqtt, influx, ...rest } = c;
      return {
        ...rest,
        mqtt: {
          url: mqtt.url,
          clientId: mqtt.clientId,
          ...(mqtt.credentials ? { credentials: mqtt.credentials } : {}),
          ...(mqtt.caFile !== undefined ? { ca: mqtt.caFile } : {}),
        },
        influx: { url: influx.url, database: influx.database, ...(influx.credentials ? { credentials: influx.credentials } : {}) },
        checkpoints: c.checkpoints.map((cp) => ({
          id: cp.id,
          name: cp.name,
          kind: cp.kind,
          region: cp.region,
          lanes: cp.lanes,
          alerts: { ...DEFAULT_ALERTS[cp.kind], ...cp.alerts },
          congestion: cp.congestion ?? DEFAULT_CONGESTION,
          deviceIntervalS: cp.deviceIntervalS,
          queueIntervalS: cp.queueIntervalS,
          ...(cp.hours ? { hours: cp.hours } : {}),
          laneOpenMinutes: cp.laneOpenMinutes ?? DEFAULT_LANE_OPEN_MINUTES[cp.kind],
        })),
      };
    });
}
