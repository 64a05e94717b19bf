/**
 * InfluxDB with authentication on, its accounts made by infra's applyUsers(), on a real influxd
 * run from the shipped infra/influxdb/secure.conf: nobody without credentials gets in, the edges'
 * account may only write the GateWatch database, the dashboard's may only read it, and a second
 * run rotates passwords. (influxSecure.test.ts: the config itself, from its first user on.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applySchema, applyUsers, INFLUX_DASHBOARD_USER, INFLUX_EDGE_USER, startInfluxd, type Influxd, type Mosquitto } from '@gatewatch/infra';
import { silentLog, startDashboard } from '@gatewatch/dashboard';
import { writeConfig } from '../dashboard/fixture.js';

// Made up per run: nothing here is a credential of any real database.
const secret = (who: string) => `pw-${who}-${process.pid}-${Date.now()}`;
const admin = { username: 'gatewatch-admin', password: secret('admin') };
const edge = { username: INFLUX_EDGE_USER, password: secret('edge'), access: 'write' as const };
const dashboard = { username: INFLUX_DASHBOARD_USER, password: secret('dashboard'), access: 'read' as const };

const basic = (u: { username: string; password: string }) => ({ authorization: `Basic ${Buffer.from(`${u.username}:${u.password}`).toString('base64')}` });

describe('InfluxDB accounts', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-influx-sec-'));
  let influxd: Influxd;

  const write = (db: string, who?: { username: string; password: string }) =>
    fetch(`${influxd.url}/write?db=${db}&precision=ms`, { method: 'POST', headers: who ? basic(who) : {}, body: `queue,checkpoint=kim-thanh-road,lane=IN-1 length=3i ${Date.now()}` });
  const read = async (who?: { username: string; password: string }) => {
    const res = await fetch(`${influxd.url}/query`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...(who ? basic(who) : {}) },
      body: new URLSearchParams({ db: 'gatewatch', q: 'SELECT count(length) FROM queue' }),
    });
    const body = (await res.json()) as { results?: { series?: { values: unknown[][] }[]; error?: string }[]; error?: string };
    return { status: res.status, error: body.error ?? body.results?.[0]?.error, count: body.results?.[0]?.series?.[0]?.values[0]?.[1] };
  };

  beforeAll(async () => {
    influxd = await startInfluxd({ dataDir: join(dir, 'influxdb'), secure: true, admin });
    await applySchema({ url: influxd.url, credentials: admin });
    await influxd.query('CREATE DATABASE "other"');
    expect(await applyUsers({ url: influxd.url, credentials: admin }, [edge, dashboard])).toEqual({ created: [edge.username, dashboard.username], updated: [] });
  });

  afterAll(async () => {
    await influxd?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses requests without credentials or with wrong ones', async () => {
    expect((await write('gatewatch')).status).toBe(401);
    expect((await read()).status).toBe(401);
    expect((await read({ ...dashboard, password: 'guess' })).status).toBe(401);
  });

  it("lets the edges' account write the GateWatch database and nothing else", async () => {
    expect((await write('gatewatch', edge)).status).toBe(204);
    expect((await write('other', edge)).status).toBe(403);
    const r = await read(edge);
    expect(r.error ?? '', JSON.stringify(r)).toMatch(/not authorized/i);
    expect(r.count).toBeUndefined();
  });

  it("lets the dashboard's account read and never write", async () => {
    await write('gatewatch', edge);
    const r = await read(dashboard);
    expect(r.status).toBe(200);
    expect(r.count).toBeGreaterThanOrEqual(1);
    expect((await write('gatewatch', dashboard)).status).toBe(403);
    // Nor change the schema.
    const drop = await fetch(`${influxd.url}/query`, { method: 'POST', headers: basic(dashboard), body: new URLSearchParams({ q: 'DROP DATABASE "gatewatch"' }) });
    expect(drop.status).toBe(403);
    expect((await read(dashboard)).count).toBeGreaterThanOrEqual(1);
  });

  it('rotates a password and a role on a second run', async () => {
    const rotated = { ...dashboard, password: secret('dashboard-2') };
    expect(await applyUsers({ url: influxd.url, credentials: admin }, [rotated])).toEqual({ created: [], updated: [dashboard.username] });
    expect((await read(dashboard)).status).toBe(401);
    expect((await read(rotated)).status).toBe(200);
    // The edges' account made a reader: it can no longer write.
    await applyUsers({ url: influxd.url, credentials: admin }, [{ ...edge, access: 'read' }]);
    expect((await write('gatewatch', edge)).status).toBe(403);
  });

  it("tells in the dashboard's health whether its account can read, not only whether InfluxDB answers", async () => {
    // No broker: only the InfluxDB half of the health is looked at here.
    const base = await writeConfig({ dir, influxd, mosquitto: { url: 'mqtt://127.0.0.1:1' } as Mosquitto, close: async () => {} }, 'health');
    const health = async (password: string) => {
      const dashboard = await startDashboard({ ...base, influx: { ...base.influx, credentials: { username: INFLUX_DASHBOARD_USER, password } } }, { log: silentLog() });
      try {
        return ((await (await fetch(`${dashboard.url}/api/health`)).json()) as { influx: string }).influx;
      } finally {
        await dashboard.stop();
      }
    };
    const current = secret('dashboard-3');
    await applyUsers({ url: influxd.url, credentials: admin }, [{ ...dashboard, password: current }]);
    expect(await health(current)).toBe('up');
    expect(await health('not-the-password')).toBe('down');
  });

  it('refuses a short password without saying it', async () => {
    await expect(applyUsers({ url: influxd.url, credentials: admin }, [{ username: 'x', password: 'short-pw', access: 'read' }])).rejects.toThrow(
      'accounts[0].password: at least 12 characters (x)',
    );
  });
});
