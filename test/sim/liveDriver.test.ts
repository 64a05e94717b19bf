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

  /** The edge's scanner reading the pty, and a broker client watching the decision topic. */
  async function listen(clientId: string) {
    const inputs: LaneInput[] = [];
    const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
    const scanner = new SerialDevice(
      { id: 'scanner', kind: 'scanner', path: pty.devicePath, baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1, lane: 'IN-1' },
      { onInput: (i) => inputs.push(i), onBadFrame: () => undefined, log },
    );
    scanner.start();
    const watcher = await mqtt.connectAsync(broker.url, { clientId });
    const messages: { payload: string; wall: number }[] = [];
    watcher.on('message', (_t, p) => messages.push({ payload: p.toString(), wall: Date.now() }));
    await watcher.subscribeAsync(topics.decision('kim-thanh-road'), { qos: 1 });
    await waitFor(() => scanner.status(Date.now()).online, 5000, 'scanner open');
    return { inputs, scanner, watcher, messages };
  }

  it('sends each emission in order, serial bytes to the device and messages to their topic', async () => {
    const { inputs, scanner, watcher, messages: received } = await listen('live-watcher');

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
    expect(received.map((r) => r.payload)).toEqual(['first', 'second']);
    expect(driver.sent).toEqual({ mqtt: 2, serial: 2, unknownDevices: 1 });
    // Nothing was sent before its time: each scan arrived at or after the moment it was due.
    expect(inputs[0]!.rx).toBeGreaterThanOrEqual(t0);
    expect(inputs[1]!.rx).toBeGreaterThanOrEqual(t0 + 100);
    await driver.stop();
    await watcher.endAsync();
    await scanner.stop();
  });

  it('plays simulated time at a rate: an emission at sim time `at` is sent at wallStart + (at - simStart) / rate', async () => {
    const { inputs, scanner, watcher, messages: received } = await listen('live-watcher-fast');

    // Six simulated seconds of a past morning at 10x: 600 ms of wall time.
    const rate = 10;
    const sim0 = Date.parse('2026-11-25T01:00:00Z');
    const wall0 = Date.now() + 300;
    const plates = ['24C-100.01', '24C-100.02', '24C-100.03', '24C-100.04'];
    const emissions: DeviceEmission[] = [
      ...plates.map((p, i): DeviceEmission => ({ at: sim0 + i * 2000, kind: 'serial', device: 'scanner', bytes: scanLine(p) })),
      { at: sim0 + 1000, kind: 'mqtt' as const, topic: topics.decision('kim-thanh-road'), payload: 'at 1 s' },
      { at: sim0 + 5000, kind: 'mqtt' as const, topic: topics.decision('kim-thanh-road'), payload: 'at 5 s' },
    ].sort((a, b) => a.at - b.at);
    const driver = new LiveDriver({
      mqttUrl: broker.url,
      clientId: 'live-driver-fast',
      serialPaths: { scanner: pty.simPath },
      emissions: emissions[Symbol.iterator](),
      clock: { simStartMs: sim0, rate, wallStartMs: wall0 },
    });
    expect(driver.wallTimeOf(sim0 + 6000)).toBe(wall0 + 600);
    driver.start();
    await waitFor(() => inputs.length === plates.length && received.length === 2, 10_000, 'everything delivered');
    expect(driver.finished).toBe(true);
    expect(inputs.map((i) => i.type === 'sighting' && i.unit)).toEqual(plates);
    expect(received.map((r) => r.payload)).toEqual(['at 1 s', 'at 5 s']);
    // Each arrived no earlier than its wall time, and (bounded, on a loaded machine) not much after.
    inputs.forEach((input, i) => {
      const due = wall0 + (i * 2000) / rate;
      expect(input.rx, plates[i]).toBeGreaterThanOrEqual(Math.floor(due));
      expect(input.rx - due, plates[i]).toBeLessThan(500);
    });
    expect(received[1]!.wall).toBeGreaterThanOrEqual(wall0 + 500);
    await driver.stop();
    await watcher.endAsync();
    await scanner.stop();
  });

  it('refuses a clock rate that is not a positive number', () => {
    expect(() => new LiveDriver({ mqttUrl: 'mqtt://127.0.0.1:1', clientId: 'x', serialPaths: {}, emissions: [][Symbol.iterator](), clock: { simStartMs: 0, rate: 0 } })).toThrow(/rate/);
  });
});
