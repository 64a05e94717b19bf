/**
 * InfluxDB as a deployment runs it: a real influxd started from the shipped
 * infra/influxdb/secure.conf (only ports and folders replaced; infra/src/influxSecureConf.test.ts
 * checks that line by line). Security finding 11: an anonymous `SELECT "unit" FROM
 * "raw"."clearance"` answered plates. Here, before any user exists only the first admin can be
 * created; after applyUsers() nobody reads without an account, the dashboard's account reads
 * and never writes, the edges' writes and never reads, the admin does both. The HTTPS option of
 * the file is run too. Test certificates are made with openssl here, never committed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connect as tlsConnect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySchema, applyUsers, INFLUX_DASHBOARD_USER, INFLUX_EDGE_USER, startInfluxd, type Influxd } from '@gatewatch/infra';

// Made up per run: nothing here is a credential of any real database, nor a real plate.
const secret = (who: string) => `pw-${who}-${process.pid}-${Date.now()}`;
const admin = { username: 'gatewatch-admin', password: secret('admin') };
const edge = { username: INFLUX_EDGE_USER, password: secret('edge'), access: 'write' as const };
const dashboard = { username: INFLUX_DASHBOARD_USER, password: secret('dashboard'), access: 'read' as const };
const PLATE = '15C-987.65';
const FINDING = 'SELECT "unit" FROM "raw"."clearance"';

type Who = { username: string; password: string };
const basic = (u: Who) => ({ authorization: `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}` });

interface Answer {
  status: number;
  text: string;
  error: string | undefined;
  /** The `unit` values of the answer's first series. */
  units: unknown[];
}

describe('InfluxDB from the shipped secure.conf', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-influx-secure-'));
  let influxd: Influxd;

  const query = async (q: string, who?: Who, db = 'gatewatch'): Promise<Answer> => {
    const res = await fetch(`${influxd.url}/query`, { method: 'POST', headers: who ? basic(who) : {}, body: new URLSearchParams({ q, db }) });
    const text = await res.text();
    const body = JSON.parse(text) as { results?: { series?: { values: unknown[][] }[]; error?: string }[]; error?: string };
    return { status: res.status, text, error: body.error ?? body.results?.[0]?.error, units: (body.results?.[0]?.series?.[0]?.values ?? []).map((v) => v[1]) };
  };
  const write = async (who?: Who) => {
    const line = `clearance,checkpoint=kim-thanh-road,lane=OUT-1,kind=truck,channel=green,outcome=released unit="${PLATE}",total_s=812.5 ${Date.now()}`;
    const res = await fetch(`${influxd.url}/write?db=gatewatch&precision=ms`, { method: 'POST', headers: who ? basic(who) : {}, body: line });
    return { status: res.status, text: await res.text() };
  };
  const count = async () => (await query('SELECT count("unit") FROM "raw"."clearance"', admin)).units[0] ?? 0;

  beforeAll(async () => {
    // No admin: InfluxDB starts with no user at all, as after installing the file.
    influxd = await startInfluxd({ dataDir: join(dir, 'influxdb'), secure: true });
  });

  afterAll(async () => {
    await influxd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs the shipped file: auth on, loopback only', () => {
    const conf = readFileSync(join(dir, 'influxdb', 'influxdb.conf'), 'utf8');
    expect(conf).toMatch(/^ {2}auth-enabled = true$/m);
    expect(conf).toContain(`  bind-address = "127.0.0.1:${influxd.port}"`);
    expect(readFileSync(join(dir, 'influxdb', 'influxd.log'), 'utf8')).toMatch(/Starting HTTP service.*authentication=true/);
  });

  it('before any user exists, only creating the admin works', async () => {
    const first = await query('SHOW DATABASES');
    expect(first.status).toBe(403);
    expect(first.error).toMatch(/create admin user first/);
    expect((await query('CREATE DATABASE "gatewatch"')).status).toBe(403);
    // A non-admin account first: refused, so no reader or writer can exist without an admin.
    const reader = await query(`CREATE USER "${dashboard.username}" WITH PASSWORD '${dashboard.password}'`);
    expect(reader.status).toBe(403);
    expect(reader.error).toMatch(/create admin user first/);
    // Nothing to write into (no one could create the database): refused either way.
    expect((await write()).status).toBe(404);

    const created = await query(`CREATE USER "${admin.username}" WITH PASSWORD '${admin.password}' WITH ALL PRIVILEGES`);
    expect(created.status, created.text).toBe(200);
    // The one anonymous statement is spent: a second admin needs the first one's credentials.
    expect((await query(`CREATE USER "intruder" WITH PASSWORD 'intruder-password' WITH ALL PRIVILEGES`)).status).toBe(401);
    const users = JSON.parse((await query('SHOW USERS', admin)).text) as { results: { series: { values: unknown[][] }[] }[] };
    expect(users.results[0]?.series[0]?.values).toEqual([[admin.username, true]]);
  });

  it('sets up the schema and the accounts with the admin', async () => {
    const target = { url: influxd.url, credentials: admin };
    await applySchema(target);
    expect(await applyUsers(target, [edge, dashboard])).toEqual({ created: [edge.username, dashboard.username], updated: [] });
    expect((await write(edge)).status).toBe(204);
  });

  it(`refuses the finding's anonymous ${FINDING} (401), and every wrong password`, async () => {
    const anonymous = await query(FINDING);
    expect(anonymous.status).toBe(401);
    expect(anonymous.text).not.toContain(PLATE);
    for (const who of [admin, edge, dashboard, { username: 'nobody', password: 'not-a-password' }]) {
      const wrong = await query(FINDING, { username: who.username, password: `${who.password}-wrong` });
      expect(wrong.status, who.username).toBe(401);
      expect(wrong.text).not.toContain(PLATE);
      expect((await write({ username: who.username, password: 'wrong-password' })).status, who.username).toBe(401);
    }
    expect((await write()).status).toBe(401);
    // Nor as a query string (the log redacts p=, but it is refused all the same).
    const res = await fetch(`${influxd.url}/query?${new URLSearchParams({ q: FINDING, db: 'gatewatch', u: dashboard.username, p: 'wrong-password' })}`);
    expect(res.status).toBe(401);
  });

  it("the dashboard's account reads the plates and cannot write", async () => {
    const r = await query(FINDING, dashboard);
    expect(r.status, r.text).toBe(200);
    expect(r.units).toContain(PLATE);
    const before = await count();
    const w = await write(dashboard);
    expect(w.status).toBe(403);
    expect(await count()).toBe(before);
  });

  it("the edges' account writes and cannot read", async () => {
    const before = await count();
    expect((await write(edge)).status).toBe(204);
    expect(await count()).toBe(Number(before) + 1);
    const r = await query(FINDING, edge);
    expect(r.error ?? '', r.text).toMatch(/not authorized/i);
    expect(r.text).not.toContain(PLATE);
  });

  it('the admin reads and writes', async () => {
    const before = await count();
    expect((await write(admin)).status).toBe(204);
    expect(await count()).toBe(Number(before) + 1);
    const r = await query(FINDING, admin);
    expect(r.status).toBe(200);
    expect(r.units).toContain(PLATE);
  });

  it('logs every refused request with its account and address, never a password', async () => {
    const line = (user: string, request: string, status: number) => new RegExp(`^\\[httpd\\] 127\\.0\\.0\\.1 - ${user} \\[[^\\]]+\\] "POST ${request.replace(/[?.]/g, '\\$&')} HTTP/1\\.1" ${status} `, 'm');
    const expected = [line('nobody', '/query', 401), line(edge.username, '/write?db=gatewatch&precision=ms', 401), line(dashboard.username, '/write?db=gatewatch&precision=ms', 403)];
    // The log reaches its file through a pipe: give it a moment.
    let log = '';
    for (let i = 0; i < 40 && !expected.every((re) => re.test(log)); i++) {
      if (i > 0) await sleep(50);
      log = readFileSync(join(dir, 'influxdb', 'influxd.log'), 'utf8');
    }
    for (const re of expected) expect(log).toMatch(re);
    for (const password of [admin.password, edge.password, dashboard.password, 'wrong-password', 'not-a-password']) expect(log).not.toContain(password);
    expect(log).toContain('p=%5BREDACTED%5D');
  });

  it('takes no JWT, also none signed with the empty shared secret (CVE-2019-20933)', async () => {
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ username: admin.username, exp: Math.floor(Date.now() / 1000) + 3600 })}`;
    const token = `${unsigned}.${createHmac('sha256', '').update(unsigned).digest('base64url')}`;
    const res = await fetch(`${influxd.url}/query`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: new URLSearchParams({ q: FINDING, db: 'gatewatch' }) });
    expect(res.status).toBe(401);
    expect(await res.text()).not.toContain(PLATE);
  });

  it('serves no /debug/pprof; /debug/vars and /debug/requests answer without credentials (statistics, no points): why the port stays off the network', async () => {
    expect((await fetch(`${influxd.url}/debug/pprof/`)).status).toBe(404);
    for (const path of ['/debug/vars', '/debug/requests?seconds=1']) {
      const res = await fetch(`${influxd.url}${path}`);
      // A known limit of influxd 1.x (docs/security.md): if this changes, say so there.
      expect(res.status, path).toBe(200);
      expect(await res.text()).not.toContain(PLATE);
    }
  });
});

function makeCertificates(dir: string): { cafile: string; certfile: string; keyfile: string } {
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=GateWatch test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('influxdb.key'), '-out', f('influxdb.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', f('influxdb.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('influxdb.crt'), '-days', '2', '-extfile', f('san.ext'));
  return { cafile: f('ca.crt'), certfile: f('influxdb.crt'), keyfile: f('influxdb.key') };
}

describe("secure.conf's HTTPS option (https-enabled = true, [tls] min-version)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-influx-https-'));
  let influxd: Influxd;
  let cafile: string;

  /** How a TLS handshake with the server ends: its protocol, or the error code. */
  const handshake = (opts: { ca?: Buffer; version?: 'TLSv1.1' | 'TLSv1.2' }) =>
    new Promise<string>((resolve) => {
      const socket = tlsConnect(
        // SECLEVEL=0: let this client offer TLS 1.1, so that the refusal is the server's.
        { host: '127.0.0.1', port: influxd.port, ...(opts.ca ? { ca: opts.ca } : {}), ...(opts.version ? { minVersion: opts.version, maxVersion: opts.version, ciphers: 'DEFAULT:@SECLEVEL=0' } : {}) },
        () => {
          resolve(socket.getProtocol() ?? 'none');
          socket.end();
        },
      );
      socket.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });

  beforeAll(async () => {
    const certs = makeCertificates(dir);
    cafile = certs.cafile;
    influxd = await startInfluxd({ dataDir: join(dir, 'influxdb'), secure: { tls: certs }, admin });
  });

  afterAll(async () => {
    await influxd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers over HTTPS to a client that trusts the CA, with auth still on', async () => {
    expect(influxd.url).toBe(`https://127.0.0.1:${influxd.port}`);
    expect((await influxd.query('SHOW USERS')).results[0]?.series?.[0]?.values).toEqual([[admin.username, true]]);
    expect(await handshake({ ca: readFileSync(cafile), version: 'TLSv1.2' })).toBe('TLSv1.2');
    // A Node process (the edge agent, the dashboard) trusts the CA through NODE_EXTRA_CA_CERTS:
    // the answer to an anonymous query is InfluxDB's 401, over TLS.
    const child = spawnSync(process.execPath, ['-e', `fetch(${JSON.stringify(`${influxd.url}/query?q=SHOW+DATABASES`)}).then((r) => console.log(r.status))`], {
      encoding: 'utf8',
      env: { ...process.env, NODE_EXTRA_CA_CERTS: cafile },
    });
    expect(child.stdout.trim(), child.stderr).toBe('401');
  });

  it('refuses plain HTTP, a client that does not trust the CA, and TLS 1.1', async () => {
    const plain = await fetch(`http://127.0.0.1:${influxd.port}/ping`);
    expect(plain.status).toBe(400);
    await expect(fetch(`${influxd.url}/ping`)).rejects.toThrow();
    expect(await handshake({})).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(await handshake({ ca: readFileSync(cafile), version: 'TLSv1.1' })).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION');
  });
});
