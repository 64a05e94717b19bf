/**
 * The zod schema of a site configuration file (one YAML file per edge agent).
 *
 * It turns the parsed YAML into exactly the `SiteConfig` of types.ts: defaults filled in,
 * relative paths resolved against the config file's folder, credentials read from the
 * environment or from files. Cross-field rules (unique ids, lanes that exist) are checked
 * even when other parts are invalid, so that one run reports every error.
 *
 * Messages are written for the people who install a site; `load.ts` prefixes each with its
 * path and the offending value: `lanes[1].direction: expected 'inbound' or 'outbound' (is 'in')`.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { CHECKPOINT_ID, LANE_ID } from '@gatewatch/shared';
import { z } from 'zod';
import type { Credentials, SerialDeviceConfig, SiteConfig } from './types.js';

/** What the schema needs from outside the YAML: where relative paths start, and the environment. */
export interface SchemaContext {
  /** The folder of the config file; relative paths (storage.dir, passwordFile) resolve against it. */
  baseDir: string;
  /** Where `usernameEnv` and `passwordEnv` are looked up. */
  env: Readonly<Record<string, string | undefined>>;
}

/** Device id of the customs decision feed in device records (docs/interfaces.md); no device may take it. */
export const CUSTOMS_FEED_DEVICE_ID = 'customs-feed';

export const DEFAULTS = {
  serial: { baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 },
  /** Gate controllers beat every 5 s; three missed beats mean offline. Other devices: none. */
  gateControllerSilentAfterMs: 15_000,
  lane: { defaultServiceS: 120, exitOrder: 'fifo' },
  mqtt: { keepaliveS: 30, clientIdPrefix: 'gatewatch-edge-' },
  influx: { database: 'gatewatch' },
  storage: { fsync: 'interval', fsyncIntervalMs: 200, outboxMaxPoints: 5_000_000, outboxTelemetryShare: 0.9 },
  clearance: {
    latenessWindowMs: 5_000,
    unitTimeoutMs: 6 * 3600_000,
    queueIntervalMs: 10_000,
    deviceIntervalMs: 30_000,
    estimateWindowMs: 15 * 60_000,
  },
  batch: { maxPoints: 5_000, maxDelayMs: 1_000 },
  log: { level: 'info' },
} as const;

// ---------------------------------------------------------------------------------------------
// Building blocks

const nonEmpty = () => z.string().min(1);
const positiveInt = () => z.int().positive();
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const envName = () =>
  z.string().regex(ENV_NAME, { error: 'must be the name of an environment variable, like GATEWATCH_MQTT_PASSWORD' });

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

/** Marks a custom issue whose value must not be repeated in the message (it is in the message already). */
const NO_VALUE = { showValue: false } as const;

/** Resolves a path from the config file against the config file's folder. */
const resolvePath = (ctx: SchemaContext, p: string): string => (isAbsolute(p) ? p : resolve(ctx.baseDir, p));

/**
 * `{ username?, usernameEnv?, passwordEnv? | passwordFile? }`, resolved now to `{ username?, password? }`.
 * A literal `password` is refused: secrets live in the environment or in a file readable only by the agent.
 */
function credentialsSchema(ctx: SchemaContext) {
  return z
    .strictObject({
      username: nonEmpty().exactOptional(),
      usernameEnv: envName().exactOptional(),
      passwordEnv: envName().exactOptional(),
      passwordFile: nonEmpty().exactOptional(),
      password: z
        .never({
          error:
            'a plain password is not accepted in the configuration file; use passwordEnv (the name of an environment variable that holds it) or passwordFile (a file that holds it)',
        })
        .exactOptional(),
    })
    .transform((c, payload): Credentials => {
      const out: Credentials = {};
      const fromEnv = (key: 'usernameEnv' | 'passwordEnv', name: string): string | undefined => {
        const value = ctx.env[name];
        if (value === undefined || value === '') {
          payload.issues.push({
            code: 'custom',
            path: [key],
            message: `environment variable '${name}' is ${value === undefined ? 'not set' : 'empty'}`,
            params: NO_VALUE,
            input: name,
          });
          return undefined;
        }
        return value;
      };
      if (c.username !== undefined && c.usernameEnv !== undefined) {
        payload.issues.push({ code: 'custom', path: ['usernameEnv'], message: 'give username or usernameEnv, not both', input: c.usernameEnv });
      } else if (c.username !== undefined) {
        out.username = c.username;
      } else if (c.usernameEnv !== undefined) {
        const username = fromEnv('usernameEnv', c.usernameEnv);
        if (username !== undefined) out.username = username;
      }
      if (c.passwordEnv !== undefined && c.passwordFile !== undefined) {
        payload.issues.push({ code: 'custom', path: ['passwordFile'], message: 'give passwordEnv or passwordFile, not both', input: c.passwordFile });
      } else if (c.passwordEnv !== undefined) {
        const password = fromEnv('passwordEnv', c.passwordEnv);
        if (password !== undefined) out.password = password;
      } else if (c.passwordFile !== undefined) {
        const file = resolvePath(ctx, c.passwordFile);
        try {
          // One trailing newline is what `echo secret > file` leaves; it is not part of the password.
          const password = readFileSync(file, 'utf8').replace(/\r?\n$/, '');
          if (password === '') {
            payload.issues.push({ code: 'custom', path: ['passwordFile'], message: `'${file}' is empty`, params: NO_VALUE, input: c.passwordFile });
          } else {
            out.password = password;
          }
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? String(error);
          payload.issues.push({ code: 'custom', path: ['passwordFile'], message: `cannot read '${file}' (${code})`, params: NO_VALUE, input: c.passwordFile });
        }
      }
      return out;
    });
}

const laneSchema = z.strictObject({
  id: z.string().regex(LANE_ID, { error: 'must be 1 to 16 letters, digits or \'-\', like IN-1' }),
  direction: z.enum(['inbound', 'outbound']),
  defaultServiceS: z.number().positive().default(DEFAULTS.lane.defaultServiceS),
  service: z.enum(['unit', 'batch'], { error: "expected 'unit' (one unit at a time) or 'batch' (trains)" }).exactOptional(),
  exitOrder: z.enum(['fifo', 'any']).default(DEFAULTS.lane.exitOrder),
});

const serialDeviceSchema = z
  .strictObject({
    id: nonEmpty().max(64),
    kind: z.enum(['gate-controller', 'scanner', 'weighbridge']),
    path: nonEmpty(),
    baudRate: positiveInt().default(DEFAULTS.serial.baudRate),
    dataBits: z.literal([5, 6, 7, 8]).default(DEFAULTS.serial.dataBits),
    parity: z.enum(['none', 'even', 'odd']).default(DEFAULTS.serial.parity),
    stopBits: z.literal([1, 2]).default(DEFAULTS.serial.stopBits),
    lane: nonEmpty().exactOptional(),
    lanes: z.array(nonEmpty()).min(1).exactOptional(),
    silentAfterMs: positiveInt().exactOptional(),
  })
  .transform((d): SerialDeviceConfig => {
    const { lane, lanes, silentAfterMs, ...rest } = d;
    const out: SerialDeviceConfig = { ...rest };
    if (lane !== undefined) out.lane = lane;
    if (lanes !== undefined) out.lanes = lanes;
    const silent = silentAfterMs ?? (d.kind === 'gate-controller' ? DEFAULTS.gateControllerSilentAfterMs : undefined);
    if (silent !== undefined) out.silentAfterMs = silent;
    return out;
  });

const cameraSchema = z.strictObject({
  id: nonEmpty()
    .max(64)
    .refine((s) => !/[/+#]/.test(s) && !s.includes('\0'), { error: "must be a single MQTT topic level: no '/', '+' or '#'" }),
});

// ---------------------------------------------------------------------------------------------
// Cross-field rules

type Path = (string | number)[];
type AddIssue = (path: Path, message: string) => void;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const entries = (v: unknown): [number, Record<string, unknown>][] =>
  Array.isArray(v) ? v.flatMap((e, i): [number, Record<string, unknown>][] => (isRecord(e) ? [[i, e]] : [])) : [];
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const where = (path: Path): string => path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');

/**
 * Rules across entries: unique lane ids, unique device ids (serial devices and cameras share the
 * `device` tag of device records), unique serial ports, scanners and weighbridges on lanes that
 * exist. Written against the unvalidated value, so that it can run alongside the other errors.
 */
export function checkCrossFields(value: unknown, add: AddIssue): void {
  if (!isRecord(value)) return;
  const lanes = entries(value['lanes']);
  const laneIds = new Map<string, Path>();
  for (const [i, lane] of lanes) {
    const id = str(lane['id']);
    if (id === undefined) continue;
    const first = laneIds.get(id);
    if (first) add(['lanes', i, 'id'], `duplicate lane id, already used by ${where(first)}`);
    else laneIds.set(id, ['lanes', i]);
  }
  const devices = isRecord(value['devices']) ? value['devices'] : {};
  const serial = entries(devices['serial']);
  const deviceIds = new Map<string, Path>();
  const ports = new Map<string, Path>();
  const claimId = (path: Path, id: string | undefined): void => {
    if (id === undefined) return;
    if (id === CUSTOMS_FEED_DEVICE_ID) {
      add([...path, 'id'], `'${CUSTOMS_FEED_DEVICE_ID}' is reserved for the customs decision feed`);
      return;
    }
    const first = deviceIds.get(id);
    if (first) add([...path, 'id'], `duplicate device id, already used by ${where(first)}`);
    else deviceIds.set(id, path);
  };
  for (const [i, device] of serial) {
    const path: Path = ['devices', 'serial', i];
    claimId(path, str(device['id']));
    const port = str(device['path']);
    if (port !== undefined) {
      const first = ports.get(port);
      if (first) add([...path, 'path'], `same serial port as ${where(first)}`);
      else ports.set(port, path);
    }
    const kind = str(device['kind']);
    const lane = device['lane'];
    if (lane === undefined) {
      if (kind === 'scanner' || kind === 'weighbridge') {
        add([...path, 'lane'], `required for a ${kind}: the lane whose gate it serves`);
      }
    } else if (typeof lane === 'string' && lanes.length > 0 && !laneIds.has(lane)) {
      // (Without a list of lanes, the error on `lanes` says it all.)
      const known = [...laneIds.keys()];
      add([...path, 'lane'], `no such lane; the lanes are ${known.join(', ')}`);
    }
    const covered = device['lanes'];
    if (Array.isArray(covered)) {
      if (kind !== 'gate-controller') add([...path, 'lanes'], 'only a gate-controller reports several lanes; use lane');
      covered.forEach((l: unknown, j) => {
        if (typeof l === 'string' && lanes.length > 0 && !laneIds.has(l)) {
          add([...path, 'lanes', j], `no such lane; the lanes are ${[...laneIds.keys()].join(', ')}`);
        }
      });
    }
  }
  for (const [i, camera] of entries(devices['cameras'])) claimId(['devices', 'cameras', i], str(camera['id']));
}

// ---------------------------------------------------------------------------------------------
// The whole file

/** The schema of a site file; `ctx` resolves relative paths and credentials. Outputs exactly `SiteConfig`. */
export function siteConfigSchema(ctx: SchemaContext) {
  const credentials = credentialsSchema(ctx).prefault({});
  return z
    .strictObject({
      checkpoint: z.strictObject({
        id: z.string().regex(CHECKPOINT_ID, { error: "must be 1 to 48 lowercase letters, digits or '-', like kim-thanh-road" }),
        name: z.strictObject({ vi: nonEmpty(), en: nonEmpty() }),
        kind: z.enum(['road', 'rail', 'port']),
      }),
      lanes: z.array(laneSchema).min(1),
      devices: z
        .strictObject({
          serial: z.array(serialDeviceSchema).default([]),
          cameras: z.array(cameraSchema).default([]),
        })
        .prefault({}),
      mqtt: z.strictObject({
        url: url(['mqtt', 'mqtts', 'tcp', 'tls', 'ws', 'wss'], 'an MQTT'),
        /** Default `gatewatch-edge-<checkpoint id>`, filled in below. */
        clientId: nonEmpty().max(65535).exactOptional(),
        credentials,
        keepaliveS: z.int().nonnegative().default(DEFAULTS.mqtt.keepaliveS),
        caFile: nonEmpty().exactOptional(),
      }).transform(({ caFile, ...m }, payload) => {
        if (caFile === undefined) return m;
        const file = resolvePath(ctx, caFile);
        try {
          return { ...m, ca: readFileSync(file, 'utf8') };
        } catch (error) {
          const code = (error as NodeJS.ErrnoException).code ?? String(error);
          payload.issues.push({ code: 'custom', path: ['caFile'], message: `cannot read '${file}' (${code})`, params: NO_VALUE, input: caFile });
          return m;
        }
      }),
      influx: z.strictObject({
        url: url(['http', 'https'], 'an HTTP'),
        database: nonEmpty().default(DEFAULTS.influx.database),
        credentials,
      }),
      storage: z.strictObject({
        dir: nonEmpty().transform((p) => resolvePath(ctx, p)),
        fsync: z.enum(['always', 'interval']).default(DEFAULTS.storage.fsync),
        fsyncIntervalMs: positiveInt().default(DEFAULTS.storage.fsyncIntervalMs),
        outboxMaxPoints: positiveInt().default(DEFAULTS.storage.outboxMaxPoints),
        outboxTelemetryShare: z.number().gt(0).lt(1).default(DEFAULTS.storage.outboxTelemetryShare),
      }),
      clearance: z
        .strictObject({
          latenessWindowMs: z.int().nonnegative().default(DEFAULTS.clearance.latenessWindowMs),
          unitTimeoutMs: positiveInt().default(DEFAULTS.clearance.unitTimeoutMs),
          queueIntervalMs: positiveInt().default(DEFAULTS.clearance.queueIntervalMs),
          deviceIntervalMs: positiveInt().default(DEFAULTS.clearance.deviceIntervalMs),
          estimateWindowMs: positiveInt().default(DEFAULTS.clearance.estimateWindowMs),
        })
        .prefault({}),
      batch: z
        .strictObject({
          maxPoints: positiveInt().default(DEFAULTS.batch.maxPoints),
          maxDelayMs: positiveInt().default(DEFAULTS.batch.maxDelayMs),
        })
        .prefault({}),
      log: z
        .strictObject({ level: z.enum(['trace', 'debug', 'info', 'warn', 'error']).default(DEFAULTS.log.level) })
        .prefault({}),
    })
    .superRefine(
      (value, payload) =>
        checkCrossFields(value, (path, message) => payload.addIssue({ code: 'custom', path, message, continue: true })),
      // Also when other parts are invalid: every error in one run.
      { when: () => true },
    )
    .transform(
      (c): SiteConfig => ({
        ...c,
        mqtt: { ...c.mqtt, clientId: c.mqtt.clientId ?? `${DEFAULTS.mqtt.clientIdPrefix}${c.checkpoint.id}` },
      }),
    );
}

export type SiteConfigSchema = ReturnType<typeof siteConfigSchema>;

// The schema's output is exactly SiteConfig, no more, no less (a compile-time check).
type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _exact: Exact<z.output<SiteConfigSchema>, SiteConfig> = true;
void _exact;
