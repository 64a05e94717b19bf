import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseSiteConfig } from '@gatewatch/edge';
import { isCheckpointId, isLaneId } from '@gatewatch/shared';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CROSSING_IDS, CROSSINGS, crossing, KIM_THANH_ROAD, meanServiceS, siteDescription } from './corridor.js';

const SITE_FILE = fileURLToPath(new URL('../../../infra/sites/kim-thanh-road.yaml', import.meta.url));

describe('the corridor crossings', () => {
  it.each(CROSSING_IDS)('%s is a valid site for the edge agent', (id) => {
    const c = CROSSINGS[id];
    const site = siteDescription(c, (d) => `/tmp/gw/${d}`);
    expect(isCheckpointId(site.checkpoint.id)).toBe(true);
    for (const l of site.lanes) expect(isLaneId(l.id)).toBe(true);
    // The edge's own schema accepts it once the links and storage are added.
    const config = parseSiteConfig(
      { ...site, mqtt: { url: 'mqtt://127.0.0.1:1883' }, influx: { url: 'http://127.0.0.1:8086' }, storage: { dir: '/tmp/gw' } },
      '/tmp',
      {},
    );
    expect(config.checkpoint).toEqual({ id, name: c.name, kind: c.kind });
    expect(config.lanes.map((l) => l.id)).toEqual(c.lanes.map((l) => l.id));
    // Every lane has a gate and an exit camera, and every device id is used once.
    for (const l of c.lanes) expect(l.cameras.gate !== undefined && l.cameras.exit !== undefined).toBe(true);
    const ids = [...site.devices.serial.map((d) => d.id), ...site.devices.cameras.map((k) => k.id)];
    expect(new Set(ids).size).toBe(ids.length);
    expect(site.lanes.every((l) => l.defaultServiceS === Math.round(meanServiceS(c)))).toBe(true);
  });

  it('kim-thanh-road has the lanes and devices of its site file', () => {
    const file = parse(readFileSync(SITE_FILE, 'utf8')) as {
      checkpoint: unknown;
      lanes: { id: string; direction: string }[];
      devices: { serial: Record<string, unknown>[]; cameras: { id: string }[] };
    };
    const site = siteDescription(KIM_THANH_ROAD);
    expect(site.checkpoint).toEqual(file.checkpoint);
    expect(site.lanes.map((l) => [l.id, l.direction])).toEqual(file.lanes.map((l) => [l.id, l.direction]));
    const strip = (d: Record<string, unknown>): Record<string, unknown> => {
      const { path: _path, ...rest } = d;
      return rest;
    };
    expect(site.devices.serial.map((d) => strip({ ...d }))).toEqual(file.devices.serial.map(strip));
    expect(site.devices.cameras).toEqual(file.devices.cameras);
  });

  it('lanes behind an inspection yard (road, port) let units leave in any order; rail trains leave first in, first out', () => {
    for (const id of CROSSING_IDS) {
      const lanes = siteDescription(CROSSINGS[id]).lanes;
      expect(lanes.map((l) => l.exitOrder), id).toEqual(lanes.map(() => (id === 'lao-cai-rail' ? 'fifo' : 'any')));
    }
  });

  it('lao-cai-rail reads wagons with cameras only; dinh-vu-port scans containers at every gate lane', () => {
    const rail = siteDescription(CROSSINGS['lao-cai-rail']);
    expect(rail.devices.serial).toEqual([]);
    expect(rail.devices.cameras.map((k) => k.id)).toEqual(['cam-t1-q', 'cam-t1-g', 'cam-t1-x', 'cam-t2-q', 'cam-t2-g', 'cam-t2-x']);
    const port = siteDescription(CROSSINGS['dinh-vu-port']);
    expect(port.devices.serial.filter((d) => d.kind === 'scanner').map((d) => d.lane)).toEqual(['G1', 'G2', 'G3', 'G4']);
    expect(port.lanes.map((l) => `${l.id}:${l.direction}`)).toEqual(['G1:inbound', 'G2:inbound', 'G3:inbound', 'G4:outbound']);
  });

  it('red takes an hour or more everywhere: in the yard behind the booth (road, port) or in the control zone (rail); unknown crossings are refused', () => {
    for (const id of CROSSING_IDS) {
      const c = CROSSINGS[id];
      expect(c.yard?.inspectionS[0] ?? c.serviceS.red[0], id).toBeGreaterThanOrEqual(3600);
      // The booth holds a red truck only for its papers: less than a yellow one's detailed check.
      if (c.yard) expect(c.serviceS.red[1], id).toBeLessThan(c.serviceS.yellow[1]);
    }
    expect(() => crossing('nowhere' as never)).toThrow(/unknown crossing 'nowhere'/);
  });
});
