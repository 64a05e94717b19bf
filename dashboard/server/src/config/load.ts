/**
 * Loading and validating dashboard.yaml: `loadDashboardConfig(path, env)` returns a
 * DashboardConfig or throws ConfigError listing every problem at once, each as
 * `path: what was expected (is 'value')`, like the edge's site files:
 *
 *   checkpoints[0].region: no such region; the regions are lao-cai, hai-phong (is 'lao-kai')
 *   mqtt.credentials.passwordEnv: environment variable 'MQTT_PASSWORD' is not set
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '@gatewatch/shared';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { show } from '../errors.js';
import { dashboardConfigSchema } from './schema.js';
import type { DashboardConfig } from './types.js';

export type Env = Readonly<Record<string, string | undefined>>;
type Path = readonly PropertyKey[];

/** Reads a YAML file into plain data, or throws ConfigError with the syntax errors and their lines. */
export function readYaml(file: string): unknown {
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
        const message = e.message.replace(/ at line \d+, column \d+:[\s\S]*$/, '');
        return at ? `${file}, line ${at.line}, column ${at.col}: YAML syntax: ${message}` : `${file}: YAML syntax: ${message}`;
      }),
    );
  }
  try {
    return doc.toJS({ maxAliasCount: 1000 });
  } catch (error) {
    throw new ConfigError([`${file}: YAML: ${error instanceof Error ? error.message : String(error)}`]);
  }
}

export function loadDashboardConfig(path: string, env: Env = process.env): DashboardConfig {
  const file = resolve(path);
  return parseDashboardConfig(readYaml(file), dirname(file), env);
}

/** Validates already parsed configuration; relative paths start at `baseDir`. */
export function parseDashboardConfig(obj: unknown, baseDir: string, env: Env = process.env): DashboardConfig {
  const result = dashboardConfigSchema({ baseDir: resolve(baseDir), env }).safeParse(obj, { error: errorMessage });
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.flatMap((issue) => formatIssue(issue, obj)));
}

/** `checkpoints[0].lanes[1].id`; the top level is `(top level)`. */
export function formatPath(path: Path): string {
  const s = path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('');
  return s === '' ? '(top level)' : s;
}

function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const k of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[k];
  }
  return v;
}

/** Values under these keys are never repeated in a message. */
const SECRET = /pass|secret|token|hash/i;

export function formatIssue(issue: z.core.$ZodIssue, root: unknown): string[] {
  if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${formatPath([...issue.path, key])}: ${issue.message}`);
  let line = `${formatPath(issue.path)}: ${issue.message}`;
  const last = issue.path.at(-1);
  const hidden =
    (issue.code === 'custom' && (issue.params as { showValue?: boolean } | undefined)?.showValue === false) ||
    (typeof last === 'string' && SECRET.test(last) && !last.endsWith('Env') && !last.endsWith('File'));
  const value = valueAt(root, issue.path);
  if (!hidden && value !== undefined) line += ` (is ${show(value)})`;
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
  values.length <= 1 ? values.map(quote).join('') : `${values.slice(0, -1).map(quote).join(', ')} or ${quote(values.at(-1))}`;

/** zod's own messages, written for the people who install the dashboard. */
export const errorMessage: z.core.$ZodErrorMap = (iss) => {
  const def = (iss.inst as { _zod?: { def?: { format?: unknown; shape?: Record<string, unknown> } } } | undefined)?._zod?.def;
  switch (iss.code) {
    case 'invalid_type': {
      if (iss.input === undefined) return 'required';
      const expected = iss.expected === 'number' && typeof def?.format === 'string' && def.format.includes('int') ? 'int' : iss.expected;
      return `expected ${TYPE_NAMES[expected] ?? expected}`;
    }
    case 'invalid_value':
      return iss.input === undefined ? 'required' : `expected ${oneOf(iss.values)}`;
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
      const allowed = def?.shape ? Object.keys(def.shape).filter((k) => k !== 'password') : [];
      return allowed.length ? `unknown key; expected one of ${allowed.join(', ')}` : 'unknown key';
    }
    case 'invalid_union':
      return 'does not match any allowed form';
    default:
      return undefined;
  }
};
