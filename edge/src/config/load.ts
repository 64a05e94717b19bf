/**
 * Loading and validating a site configuration file.
 *
 *   loadSiteConfig('/etc/gatewatch/kim-thanh-road.yaml')   // SiteConfig, or throws ConfigError
 *
 * Every problem is reported at once, each as `path: what was expected (is 'value')`:
 *
 *   lanes[1].direction: expected 'inbound' or 'outbound' (is 'in')
 *   devices.serial[2].lane: no such lane; the lanes are IN-1, IN-2, OUT-1 (is 'IN-3')
 *   mqtt.credentials.passwordEnv: environment variable 'MQTT_PASSWORD' is not set
 *   line 7, column 3: YAML syntax: Map keys must be unique
 *
 * Environment overrides, applied before validation (useful for the run command and tests):
 *
 *   GATEWATCH_MQTT_URL      replaces mqtt.url
 *   GATEWATCH_INFLUX_URL    replaces influx.url
 *   GATEWATCH_STORAGE_DIR   replaces storage.dir (a relative value is relative to the working folder)
 *
 * An empty variable counts as unset. Errors in an overridden value name the variable.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '@gatewatch/shared';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { siteConfigSchema } from './schema.js';
import type { SiteConfig } from './types.js';

export type Env = Readonly<Record<string, string | undefined>>;
type Path = readonly PropertyKey[];

/** The environment variables that replace a value of the file, and the value they replace. */
export const ENV_OVERRIDES = {
  GATEWATCH_MQTT_URL: ['mqtt', 'url'],
  GATEWATCH_INFLUX_URL: ['influx', 'url'],
  GATEWATCH_STORAGE_DIR: ['storage', 'dir'],
} as const satisfies Record<string, readonly [string, string]>;

/** Reads, parses and validates a site file. Relative paths in it resolve against its folder. */
export function loadSiteConfig(path: string, env: Env = process.env): SiteConfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError([`cannot read '${file}' (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      doc.errors.map((e) => {
        const at = e.linePos?.[0];
        // yaml appends " at line L, column C:" and a code frame; the position leads our message instead.
        const message = e.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
        return at ? `line ${at.line}, column ${at.col}: YAML syntax: ${message}` : `YAML syntax: ${message}`;
      }),
    );
  }
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw new ConfigError([`YAML: ${error instanceof Error ? error.message : String(error)}`]);
  }
  return parseSiteConfig(raw, dirname(file), env);
}

/**
 * Validates an already parsed configuration (what YAML or JSON gives).
 * `baseDir` is where relative paths start; `env` holds the credentials and the overrides.
 */
export function parseSiteConfig(obj: unknown, baseDir: string, env: Env = process.env): SiteConfig {
  const { value, overridden } = applyEnvOverrides(obj, env);
  const result = siteConfigSchema({ baseDir: resolve(baseDir), env }).safeParse(value, { error: errorMessage });
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.flatMap((issue) => formatIssue(issue, value, overridden)));
}

// ---------------------------------------------------------------------------------------------

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A copy of `obj` with the overrides set, and which paths came from which variable. */
function applyEnvOverrides(obj: unknown, env: Env): { value: unknown; overridden: Map<string, string> } {
  const overridden = new Map<string, string>();
  if (!isRecord(obj)) return { value: obj, overridden };
  const root: Record<string, unknown> = { ...obj };
  for (const [name, [section, key]] of Object.entries(ENV_OVERRIDES)) {
    const v = env[name];
    if (v === undefined || v === '') continue;
    const current = root[section];
    root[section] = { ...(isRecord(current) ? current : {}), [key]: key === 'dir' ? resolve(v) : v };
    overridden.set(`${section}.${key}`, name);
  }
  return { value: root, overridden };
}

/** `lanes[0].id`, `devices.serial[2].lane`; the top level is `(top level)`. */
export function formatPath(path: Path): string {
  const s = path
    .map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`))
    .join('');
  return s === '' ? '(top level)' : s;
}

function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const k of path) {
    if (typeof k === 'number' ? !Array.isArray(v) : !isRecord(v)) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** How a value is shown after `is`: strings quoted, lists and mappings by their kind. */
function show(v: unknown): string {
  if (typeof v === 'string') return `'${v.length > 80 ? `${v.slice(0, 77)}...` : v}'`;
  if (Array.isArray(v)) return 'a list';
  if (isRecord(v)) return 'a mapping';
  return String(v);
}

/** Values under these keys are never repeated in a message. */
const SECRET = /pass|secret|token/i;

function formatIssue(issue: z.core.$ZodIssue, root: unknown, overridden: Map<string, string>): string[] {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => `${formatPath([...issue.path, key])}: ${issue.message}`);
  }
  const where = formatPath(issue.path);
  let line = `${where}: ${issue.message}`;
  const last = issue.path.at(-1);
  const hidden =
    (issue.code === 'custom' && (issue.params as { showValue?: boolean } | undefined)?.showValue === false) ||
    (typeof last === 'string' && SECRET.test(last) && !last.endsWith('Env') && !last.endsWith('File'));
  const value = valueAt(root, issue.path);
  if (!hidden && value !== undefined) line += ` (is ${show(value)})`;
  const variable = overridden.get(where);
  if (variable) line += ` (from ${variable})`;
  return [line];
}

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping (key: value lines)',
  array: 'a list',
};

const quote = (v: unknown): string => (typeof v === 'string' ? `'${v}'` : String(v));
const oneOf = (values: readonly unknown[]): string =>
  values.length <= 1
    ? values.map(quote).join('')
    : `${values.slice(0, -1).map(quote).join(', ')} or ${quote(values.at(-1))}`;

/** The messages of the issues zod raises itself, written for the people who install a site. */
const errorMessage: z.core.$ZodErrorMap = (iss) => {
  const def = (iss.inst as { _zod?: { def?: { format?: unknown; shape?: Record<string, unknown> } } } | undefined)?._zod?.def;
  switch (iss.code) {
    case 'invalid_type': {
      if (iss.input === undefined) return 'required';
      // z.int() reports a non-number as expected 'number'; its format tells it wants an integer.
      const expected = iss.expected === 'number' && typeof def?.format === 'string' && def.format.includes('int') ? 'int' : iss.expected;
      return `expected ${TYPE_NAMES[expected] ?? expected}`;
    }
    case 'invalid_value':
      if (iss.input === undefined) return 'required';
      return `expected ${oneOf(iss.values)}`;
    case 'too_small': {
      const n = Number(iss.minimum);
      if (iss.origin === 'string') return n <= 1 ? 'must not be empty' : `must be at least ${n} characters`;
      if (iss.origin === 'array') return n <= 1 ? 'must have at least one entry' : `must have at least ${n} entries`;
      return iss.inclusive ? `must be at least ${n}` : `must be greater than ${n}`;
    }
    case 'too_big': {
      const n = Number(iss.maximum);
      if (iss.origin === 'string') return `must be at most ${n} characters`;
      if (iss.origin === 'array') return `must have at most ${n} entries`;
      return iss.inclusive ? `must be at most ${n}` : `must be less than ${n}`;
    }
    case 'invalid_format':
      return iss.format === 'regex' && 'pattern' in iss ? `must match ${String(iss.pattern)}` : `must be a valid ${iss.format}`;
    case 'unrecognized_keys': {
      const shape = def?.shape;
      const allowed = shape ? Object.keys(shape).filter((k) => k !== 'password') : [];
      return allowed.length ? `unknown key; expected one of ${allowed.join(', ')}` : 'unknown key';
    }
    case 'invalid_union':
      return 'does not match any allowed form';
    default:
      return undefined;
  }
};
