import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startInfluxd, startMosquitto } from '@gatewatch/infra';

const dir = mkdtempSync(join(tmpdir(), 'gw-svc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('local services', () => {
  it('influxd keeps its data across a restart on the same port', async () => {
    const influx = await startInfluxd({ dataDir: join(dir, 'influx') });
    try {
      await influx.query('CREATE DATABASE probe');
      await fetch(`${influx.url}/write?db=probe&precision=ms`, { method: 'POST', body: 'm,t=a v=1 1700000000000' });
      await influx.service.restart();
      const r = await influx.query('SELECT v FROM m', 'probe');
      expect(r.results[0]?.series?.[0]?.values).toEqual([[1700000000000000000, 1]]);
    } finally {
      await influx.stop();
    }
  });

  it('mosquitto accepts connections and stops cleanly', async () => {
    const broker = await startMosquitto({ dataDir: join(dir, 'mqtt') });
    expect(broker.service.running).toBe(true);
    await broker.stop();
    expect(broker.service.running).toBe(false);
  });
});
