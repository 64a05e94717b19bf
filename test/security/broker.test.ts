/**
 * The broker as a crossing runs it (infra's secure mosquitto: accounts, the ACL of
 * mosquittoAcl(), TLS), on a real mosquitto: nobody without an account gets in, an edge with
 * its crossing's credentials cannot publish under another crossing nor read its devices, the
 * dashboard only reads, and TLS clients must trust the broker's certificate. Test certificates
 * are made with openssl here, never committed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import mqtt, { type MqttClient } from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DASHBOARD_MQTT_USER, devicesUser, edgeUser, mosquittoAcl, startMosquitto, type Influxd, type Mosquitto } from '@gatewatch/infra';
import { topics } from '@gatewatch/shared';
import { silentLog, startDashboard } from '@gatewatch/dashboard';
import { AgentProcess } from '../harness/agentProcess.js';
import { writeConfig } from '../dashboard/fixture.js';

const KT = 'kim-thanh-road';
const HP = 'dinh-vu-port';
// Made up per run: nothing here is a credential of any real broker.
const password = (user: string) => `pw-${user}-${process.pid}`;

function makeCertificates(dir: string): { cafile: string; certfile: string; keyfile: string } {
  const f = (name: string) => join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.crt'), '-days', '2', '-subj', '/CN=GateWatch test CA');
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('server.key'), '-out', f('server.csr'), '-subj', '/CN=127.0.0.1');
  writeFileSync(f('san.ext'), 'subjectAltName=IP:127.0.0.1\n');
  ssl('x509', '-req', '-in', f('server.csr'), '-CA', f('ca.crt'), '-CAkey', f('ca.key'), '-CAcreateserial', '-out', f('server.crt'), '-days', '2', '-extfile', f('san.ext'));
  return { cafile: f('ca.crt'), certfile: f('server.crt'), keyfile: f('server.key') };
}

describe('the secured broker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-broker-sec-'));
  let broker: Mosquitto;
  let cafile: string;
  const clients: MqttClient[] = [];

  const connect = async (user: string | undefined, opts: mqtt.IClientOptions = {}, url = broker.url): Promise<MqttClient> => {
    const client = await mqtt.connectAsync(url, {
      clientId: `test-${user ?? 'anonymous'}-${Math.random().toString(36).slice(2)}`,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      // MQTT 5: a refused publish is answered 'Not authorized' (the broker then drops the client).
      protocolVersion: 5,
      ...(user ? { username: user, password: password(user) } : {}),
      ...opts,
    });
    clients.push(client);
    return client;
  };

  /** Messages a client receives on `filter`, as `topic payload` lines. */
  const listen = async (client: MqttClient, filter: string): Promise<string[]> => {
    const got: string[] = [];
    client.on('message', (topic, payload) => got.push(`${topic} ${payload.toString()}`));
    await client.subscribeAsync(filter, { qos: 1 });
    return got;
  };

  beforeAll(async () => {
    const certs = makeCertificates(dir);
    cafile = certs.cafile;
    const passwordFile = join(dir, 'passwd');
    const users = [edgeUser(KT), edgeUser(HP), devicesUser(KT), DASHBOARD_MQTT_USER];
    writeFileSync(passwordFile, '');
    for (const u of users) execFileSync('mosquitto_passwd', ['-b', passwordFile, u, password(u)], { stdio: 'pipe' });
    const aclFile = join(dir, 'acl');
    writeFileSync(aclFile, mosquittoAcl({ checkpoints: [KT, HP] }));
    broker = await startMosquitto({ dataDir: join(dir, 'mosquitto'), secure: { passwordFile, aclFile, tls: certs } });
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.endAsync(true)));
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes rules only for checkpoint ids, so no wildcard reaches the ACL', () => {
    expect(() => mosquittoAcl({ checkpoints: [KT, 'kim-thanh-road/#'] })).toThrow("checkpoints: not a checkpoint id (is 'kim-thanh-road/#')");
    expect(() => mosquittoAcl({ checkpoints: ['+'] })).toThrow(/not a checkpoint id/);
  });

  it('refuses anonymous clients and wrong passwords', async () => {
    await expect(connect(undefined)).rejects.toThrow(/Not authorized|Bad username or password/i);
    await expect(connect(edgeUser(KT), { password: 'guess' })).rejects.toThrow(/Not authorized|Bad username or password/i);
  });

  it("keeps an edge to its own crossing: it cannot publish under another's topics", async () => {
    const dashboard = await connect(DASHBOARD_MQTT_USER);
    const seen = await listen(dashboard, topics.allLive());
    const forger = await connect(edgeUser(KT));
    await expect(forger.publishAsync(topics.liveQueue(HP), 'forged', { qos: 1 })).rejects.toThrow(/Not authorized/);
    // Then its own: once that has arrived, the forged one would have too.
    const edge = await connect(edgeUser(KT));
    await edge.publishAsync(topics.liveQueue(KT), 'own', { qos: 1 });
    await expect.poll(() => seen, { timeout: 5000 }).toContain(`${topics.liveQueue(KT)} own`);
    await sleep(300);
    expect(seen).toEqual([`${topics.liveQueue(KT)} own`]);
  });

  it("lets an edge read its own devices only, and a crossing's devices publish only there", async () => {
    const edge = await connect(edgeUser(KT));
    const own = await listen(edge, `gw/v1/${KT}/#`);
    const other = await connect(edgeUser(HP));
    const theirs = await listen(other, `gw/v1/+/decision`);
    const forger = await connect(devicesUser(KT));
    await expect(forger.publishAsync(topics.decision(HP), 'forged decision', { qos: 1 })).rejects.toThrow(/Not authorized/);
    const devices = await connect(devicesUser(KT));
    await devices.publishAsync(topics.decision(KT), 'decision', { qos: 1 });
    await devices.publishAsync(topics.camera(KT, 'cam-g1'), 'reading', { qos: 1 });
    await expect.poll(() => own, { timeout: 5000 }).toContain(`${topics.camera(KT, 'cam-g1')} reading`);
    await sleep(300);
    expect(own).toEqual([`${topics.decision(KT)} decision`, `${topics.camera(KT, 'cam-g1')} reading`]);
    // Dinh Vu's edge saw neither Kim Thanh's decision nor the forged one under its own topic.
    expect(theirs).toEqual([]);
  });

  it('lets the dashboard read but not publish', async () => {
    const edge = await connect(edgeUser(KT));
    const decisions = await listen(edge, topics.decision(KT));
    const dashboard = await connect(DASHBOARD_MQTT_USER);
    await expect(dashboard.publishAsync(topics.decision(KT), 'from the dashboard', { qos: 1 })).rejects.toThrow(/Not authorized/);
    const devices = await connect(devicesUser(KT));
    await devices.publishAsync(topics.decision(KT), 'from customs', { qos: 1 });
    await expect.poll(() => decisions, { timeout: 5000 }).toContain(`${topics.decision(KT)} from customs`);
    await sleep(300);
    expect(decisions).toEqual([`${topics.decision(KT)} from customs`]);
  });

  it('speaks TLS to clients that trust its certificate, and only to them', async () => {
    const tlsUrl = broker.tlsUrl!;
    expect(tlsUrl).toMatch(/^mqtts:\/\/127\.0\.0\.1:\d+$/);
    const trusted = await connect(edgeUser(KT), { ca: readFileSync(cafile), rejectUnauthorized: true }, tlsUrl);
    expect(trusted.connected).toBe(true);
    await expect(connect(edgeUser(KT), { rejectUnauthorized: true }, tlsUrl)).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);
    // Anonymous stays refused over TLS too.
    await expect(connect(undefined, { ca: readFileSync(cafile) }, tlsUrl)).rejects.toThrow(/Not authorized|Bad username or password/i);
  });

  it("runs an edge agent over TLS with its crossing's account: its status reaches the dashboard", { timeout: 60_000 }, async () => {
    const dashboard = await connect(DASHBOARD_MQTT_USER, { ca: readFileSync(cafile) }, broker.tlsUrl!);
    const statuses = await listen(dashboard, topics.allStatus());
    // The password from the environment, as at a crossing (never in the site file).
    process.env['GW_TEST_EDGE_MQTT_PASSWORD'] = password(edgeUser(KT));
    const agent = new AgentProcess(join(dir, 'agent', 'site.yaml'), {
      checkpoint: { id: KT, name: { vi: 'Cửa khẩu Kim Thành', en: 'Kim Thanh border gate' }, kind: 'road' },
      lanes: [{ id: 'IN-1', direction: 'inbound' }],
      devices: { serial: [], cameras: [{ id: 'cam-g1' }] },
      mqtt: { url: broker.tlsUrl, caFile: cafile, credentials: { username: edgeUser(KT), passwordEnv: 'GW_TEST_EDGE_MQTT_PASSWORD' } },
      // No InfluxDB here: the agent keeps its points in its outbox meanwhile.
      influx: { url: 'http://127.0.0.1:1' },
      storage: { dir: join(dir, 'agent', 'storage') },
    });
    try {
      await agent.start();
      await expect.poll(() => statuses, { timeout: 15_000 }).toContain(`${topics.status(KT)} online`);
      expect(await agent.stop()).toBe(0);
      await expect.poll(() => statuses, { timeout: 15_000 }).toContain(`${topics.status(KT)} offline`);
    } finally {
      await agent.kill();
      delete process.env['GW_TEST_EDGE_MQTT_PASSWORD'];
    }
  });

  it("runs the dashboard over TLS with its read-only account: it subscribes and says the broker is up", { timeout: 30_000 }, async () => {
    // No InfluxDB here: only the broker half of the health is looked at.
    const base = await writeConfig({ dir, influxd: { url: 'http://127.0.0.1:1' } as Influxd, mosquitto: broker, close: async () => {} }, 'dashboard-tls');
    const config = { ...base, mqtt: { ...base.mqtt, url: broker.tlsUrl!, ca: readFileSync(cafile, 'utf8'), credentials: { username: DASHBOARD_MQTT_USER, password: password(DASHBOARD_MQTT_USER) } } };
    const dashboard = await startDashboard(config, { log: silentLog() });
    try {
      await expect
        .poll(async () => ((await (await fetch(`${dashboard.url}/api/health`)).json()) as { broker: string }).broker, { timeout: 15_000 })
        .toBe('up');
    } finally {
      await dashboard.stop();
    }
  });
});
