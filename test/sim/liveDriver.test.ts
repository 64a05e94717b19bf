import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SerialDevice, type LaneInput } from '@gatewatch/edge';
import { SocatPty, startMosquitto, type Mosquitto } from '@gatewatch/infra';
import { scanLine, topics } from '@gatewatch/shared';
import { LiveDriver, type DeviceEmission } from '@gatewatch/sim';
import { waitFor } from '../harness/agentProcess.js';

describe('live driver: simulated emissions reach real ptys and the broker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-live-'));
  let broker: Mosquitto;
  const pty = new SocatPty(join(dir, 'dev', 'scanner'), join(dir, 'dev', 'scanner.sim'));
  beforeAll(async () => {
    broker = await startMosquitto({ dataDir: join(dir, 'mqtt') });
    await pty.start();
  });
  afterAll(async () => {
    await pty.stop();
    await broker?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends each emission in order, serial bytes to the device and messages to their topic', async () => {
    const inputs: LaneInput[] = [];
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const scanner = new SerialDevice(
      { id: 'scanner', kind: 'scanner', path: pty.devicePath, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, lane: 'IN-1' },
      { onInput: (i) => inputs.push(i), onBadFrame: () => undefined, log },
    );
    scanner.start();
    const watcher = await mqtt.connectAsync(broker.url, { clientId: 'live-watcher' });
    const received: string[] = [];
    watcher.on('message', (_t, p) => received.push(p.toString()));
    await watcher.subscribeAsync(topics.decision('kim-thanh-road'), { qos: 1 });
    await waitFor(() => scanner.status(Date.now()).online, 5000, 'scanner open');

    const t0 = Date.now() + 200;
    const emissions: DeviceEmission[] = [
      { at: t0, kind: 'serial', device: 'scanner', bytes: scanLine('24C-111.11') },
      { at: t0 + 50, kind: 'mqtt', topic: topics.decision('kim-thanh-road'), payload: 'first' },
      { at: t0 + 100, kind: 'serial', device: 'scanner', bytes: scanLine('云A22222') },
      { at: t0 + 150, kind: 'mqtt', topic: topics.decision('kim-thanh-road'), payload: 'second' },
      { at: t0 + 150, kind: 'serial', device: 'nobody', bytes: 'x\r\n' },
    ];
    const driver = new LiveDriver({ mqttUrl: broker.url, clientId: 'live-driver', serialPaths: { scanner: pty.simPath }, emissions: emissions[Symbol.iterator]() });
    driver.start();
    await waitFor(() => inputs.length === 2 && received.length === 2, 10_000, 'everything delivered');
    expect(inputs.map((i) => i.type === 'sighting' && i.unit)).toEqual(['24C-111.11', '云A22222']);
    expect(received).toEqual(['first', 'second']);
    expect(driver.sent).toEqual({ mqtt: 2, serial: 2, unknownDevices: 1 });
    // Nothing was sent before its time: each scan arrived at or after the moment it was due.
    expect(inputs[0]!.rx).toBeGreaterThanOrEqual(t0);
    expect(inputs[1]!.rx).toBeGreaterThanOrEqual(t0 + 100);
    await driver.stop();
    await watcher.endAsync();
    await scanner.stop();
  });
});
