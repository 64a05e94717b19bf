/**
 * The dashboard of the simulated corridor: its configuration (the three crossings in corridor
 * order, their lanes and regions, the local services) and demo sign-ins, one per role.
 *
 * Demo passwords are made at the first start, random, and kept under the data folder (never in
 * the repository): `users.yaml` holds only their scrypt hashes, `demo-logins.txt` (mode 600)
 * the passwords themselves, for whoever started the run command on this machine.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { hashPassword } from '@gatewatch/dashboard';
import type { OpeningHours } from '@gatewatch/shared';
import { crossing, type Crossing, type CrossingId, type LaneModel, type OpenHours, type SiteDescription } from './corridor/index.js';

/** The customs branches of the corridor (managers are bound to one). */
export const REGIONS = [
  { id: 'lao-cai', name: { vi: 'Chi cục Hải quan cửa khẩu Lào Cai', en: 'Lao Cai Border Customs Branch' }, checkpoints: ['lao-cai-rail', 'kim-thanh-road'] },
  { id: 'hai-phong', name: { vi: 'Chi cục Hải quan Hải Phòng', en: 'Hai Phong Customs Branch' }, checkpoints: ['dinh-vu-port'] },
] as const;

export interface DemoLogin {
  username: string;
  password: string;
  displayName: string;
  role: 'officer' | 'manager';
  checkpoints?: string[];
  region?: string;
}

const DEMO_USERS: Omit<DemoLogin, 'password'>[] = [
  { username: 'officer.laocai', displayName: 'Cán bộ ga Lào Cai', role: 'officer', checkpoints: ['lao-cai-rail'] },
  { username: 'officer.kimthanh', displayName: 'Cán bộ Kim Thành', role: 'officer', checkpoints: ['kim-thanh-road'] },
  { username: 'officer.dinhvu', displayName: 'Cán bộ cảng Đình Vũ', role: 'officer', checkpoints: ['dinh-vu-port'] },
  { username: 'manager.laocai', displayName: 'Lãnh đạo Chi cục Lào Cai', role: 'manager', region: 'lao-cai' },
  { username: 'manager.haiphong', displayName: 'Lãnh đạo Chi cục Hải Phòng', role: 'manager', region: 'hai-phong' },
];

export const DEMO_LOGINS_FILE = 'demo-logins.txt';

/** Reads the demo sign-ins kept under `dir` (the browser tests sign in with them). */
export function readDemoLogins(dir: string): DemoLogin[] {
  const text = readFileSync(join(dir, DEMO_LOGINS_FILE), 'utf8');
  const logins: DemoLogin[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(\S+)\s*#/.exec(line);
    const user = m && DEMO_USERS.find((u) => u.username === m[1]);
    if (m && user) logins.push({ ...user, password: m[2]! });
  }
  return logins;
}

/**
 * The demo users of `dir`: made once (random passwords), then kept, so that a browser left
 * signed in and the printed passwords stay valid across restarts.
 */
export async function demoUsers(dir: string): Promise<{ usersFile: string; loginsFile: string; logins: DemoLogin[] }> {
  mkdirSync(dir, { recursive: true });
  const usersFile = join(dir, 'users.yaml');
  const loginsFile = join(dir, DEMO_LOGINS_FILE);
  if (existsSync(usersFile) && existsSync(loginsFile)) {
    const logins = readDemoLogins(dir);
    if (logins.length === DEMO_USERS.length) return { usersFile, loginsFile, logins };
  }
  const logins = DEMO_USERS.map((u) => ({ ...u, password: randomBytes(9).toString('base64url') }));
  const users = [];
  for (const l of logins) {
    const { password, ...rest } = l;
    users.push({ ...rest, passwordHash: await hashPassword(password) });
  }
  writeFileSync(usersFile, `# Demo users of the simulated corridor (run command); passwords in ${DEMO_LOGINS_FILE}\n${stringify({ users })}`, { mode: 0o600 });
  writeFileSync(
    loginsFile,
    `# Demo sign-ins of the simulated corridor's dashboard, made at its first start.\n${logins.map((l) => `${l.username} ${l.password} # ${l.role}${l.region ? ` of ${l.region}` : ` at ${l.checkpoints!.join(', ')}`}`).join('\n')}\n`,
    { mode: 0o600 },
  );
  chmodSync(loginsFile, 0o600);
  return { usersFile, loginsFile, logins };
}

/** The dashboard.yaml content of the simulated corridor (docs/dashboard.md, "Configuration"). */
export function dashboardConfig(opts: {
  sites: readonly SiteDescription[];
  port: number;
  mqtt: { url: string; credentials?: { username: string; passwordEnv?: string } };
  influx: { url: string; credentials?: { username: string; passwordEnv?: string } };
  usersFile: string;
  /** Sessions kept across a restart of the dashboard (hashes only). */
  sessionsFile?: string;
}): Record<string, unknown> {
  return {
    server: { host: '127.0.0.1', port: opts.port },
    mqtt: opts.mqtt,
    influx: { ...opts.influx, database: 'gatewatch' },
    auth: { usersFile: opts.usersFile, ...(opts.sessionsFile !== undefined ? { sessionsFile: opts.sessionsFile } : {}) },
    regions: REGIONS.map((r) => ({ id: r.id, name: r.name })),
    checkpoints: opts.sites.map((s) => ({
      id: s.checkpoint.id,
      name: s.checkpoint.name,
      kind: s.checkpoint.kind,
      region: REGIONS.find((r) => (r.checkpoints as readonly string[]).includes(s.checkpoint.id))!.id,
      ...hoursOf(crossing(s.checkpoint.id as CrossingId)),
    })),
  };
}

const hhmm = (hours: number): string => `${String(Math.floor(hours)).padStart(2, '0')}:${String(Math.round((hours % 1) * 60)).padStart(2, '0')}`;
const openingHours = (open: readonly OpenHours[]): OpeningHours[] => open.map((h) => ({ open: hhmm(h.from), close: hhmm(h.to) }));

/**
 * The lanes and opening hours of a simulated crossing as the dashboard takes them: the hours
 * most of its lanes keep are the crossing's (round the clock at the station and the port), a
 * lane that keeps others (Dinh Vu's G3) has its own. Hours, not the last departure, tell an idle
 * lane at night from a closed one.
 */
export function hoursOf(c: Crossing): { lanes: { id: string; direction: string; hours?: OpeningHours[] }[]; hours: OpeningHours[] } {
  const key = (l: LaneModel) => JSON.stringify(openingHours(l.open));
  const counts = new Map<string, number>();
  for (const l of c.lanes) counts.set(key(l), (counts.get(key(l)) ?? 0) + 1);
  const common = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  return {
    hours: JSON.parse(common) as OpeningHours[],
    lanes: c.lanes.map((l) => ({ id: l.id, direction: l.direction, ...(key(l) === common ? {} : { hours: openingHours(l.open) }) })),
  };
}
