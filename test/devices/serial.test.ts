/**
 * SerialDevice against real pseudo-terminals (socat): what the edge reads from a gate
 * controller, a booth scanner and a weighbridge, what it does with corrupt bytes, and how it
 * behaves when the cable is pulled and plugged back in.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { InputError } from '@gatewatch/shared';
import type { SerialDeviceConfig } from '../../edge/src/config/types.js';
import type { LaneInput } from '../../edge/src/core/inputs.js';
import { SerialDevice } from '../../edge/src/devices/serialDevice.js';
import { GateSequence, gateSentence, heartbeatFields, loopFields, scanLine, weightLine } from '@gatewatch/shared';
import { closeAllPtys, createPty, type Pty } from '../harness/pty.js';

const dir = mkdtempSync(join(tmpdir(), 'gw-serial-'));
const devices: SerialDevice[] = [];

afterEach(async () => {
  await Promise.all(devices.splice(0).map((d) => d.stop()));
  await closeAllPtys();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Polls `check` until it returns true, at most `ms`; fails with `what` otherwise. */
async function until(what: string, check: () => boolean, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

interface Harness {
  pty: Pty;
  device: SerialDevice;
  inputs: LaneInput[];
  bad: InputError[];
  logs: { level: string; msg: string; obj: object }[];
}

let n = 0;
async function plugIn(kind: SerialDeviceConfig['kind'], extra: Partial<SerialDeviceConfig> = {}): Promise<Harness> {
  const pty = await createPty(dir, `${kind}-${n++}`);
  const inputs: LaneInput[] = [];
  const bad: InputError[] = [];
  const logs: Harness['logs'] = [];
  const log = (level: string) => (obj: object, msg: string) => logs.push({ level, msg, obj });
  const config: SerialDeviceConfig = {
    id: `${kind}-dev`,
    kind,
    path: pty.devicePath,
    baudRate: 9600,
    dataBits: 8,
    parity: 'none',
    stopBits: 1,
    ...extra,
  };
  const device = new SerialDevice(config, {
    onInput: (i) => inputs.push(i),
    onBadFrame: (e) => bad.push(e),
    log: { info: log('info'), warn: log('warn'), error: log('error') },
  });
  devices.push(device);
  device.start();
  await until('the port to open', () => device.status(Date.now()).online);
  return { pty, device, inputs, bad, logs };
}

describe('serial devices on a real pty', () => {
  it('gate controller: loops become LoopInputs; garbage and corrupt sentences are counted and skipped', async () => {
    const h = await plugIn('gate-controller', { silentAfterMs: 15_000 });
    const seq = new GateSequence();
    const before = Date.now();
    await h.pty.write(seq.next(heartbeatFields(1)));
    await h.pty.write(`\x00\xffnoise${seq.next(loopFields('IN-1', 'Q', true))}`); // garbage glued before a sentence
    const corrupt = seq.next(loopFields('IN-1', 'G', true)).replace('LOOP,IN-1,G', 'LOOP,IN-1,X'); // checksum no longer matches
    await h.pty.write(corrupt);
    await h.pty.write(seq.next(loopFields('IN-1', 'Q', false)));
    // One sentence split over two writes, then one that says the gate loop is occupied.
    const split = seq.next(loopFields('IN-1', 'G', true));
    await h.pty.write(split.slice(0, 9));
    await sleep(30);
    await h.pty.write(split.slice(9));

    await until('two loop inputs', () => h.inputs.length >= 2);
    await until('all frames', () => h.device.status(Date.now()).frames + h.device.status(Date.now()).bad_frames >= 6);
    expect(h.inputs.map((i) => (i.type === 'loop' ? `${i.lane}/${i.point}` : i.type))).toEqual(['IN-1/queue', 'IN-1/gate']);
    for (const i of h.inputs) {
      expect(i.ts).toBe(i.rx);
      expect(i.rx).toBeGreaterThanOrEqual(before);
    }
    expect(new Set(h.inputs.map((i) => i.id)).size).toBe(2);
    expect(h.bad.map((e) => e.code)).toEqual(['FRAME_GARBAGE', 'FRAME_CHECKSUM']);
    expect(h.bad[1]?.where).toContain('gate-controller-dev frame');
    const now = Date.now();
    expect(h.device.status(now)).toEqual({ online: true, frames: 4, bad_frames: 2, lost_frames: 1, last_seen_s: 0 });
    // Silent for longer than silentAfterMs: offline although the port is open.
    expect(h.device.status(now + 16_000)).toMatchObject({ online: false, last_seen_s: 16 });
  });

  it('booth scanner and weighbridge: scans identify the unit at the gate, one weighing per truck', async () => {
    const scanner = await plugIn('scanner', { lane: 'IN-1' });
    const bridge = await plugIn('weighbridge', { lane: 'IN-1' });

    await scanner.pty.write(scanLine('云A12345') + scanLine('CSQU3054384') + scanLine('CSQU3054383') + scanLine('105123456789'));
    await until('three scans', () => scanner.inputs.length >= 3);
    expect(scanner.inputs).toMatchObject([
      { type: 'sighting', lane: 'IN-1', point: 'gate', unit: '云A12345', source: 'scanner' },
      { type: 'sighting', lane: 'IN-1', point: 'gate', unit: 'CSQU3054383', source: 'scanner' },
      { type: 'declarationScan', lane: 'IN-1', declaration: '105123456789' },
    ]);
    expect(scanner.bad.map((e) => e.code)).toEqual(['SCAN_INVALID']);

    const truck = (kg: number): string =>
      [weightLine('ST', 'GS', 0), weightLine('US', 'GS', kg / 2), weightLine('ST', 'GS', kg), weightLine('ST', 'GS', kg), 'ST,GS,+00\x01345 kg\r\n', weightLine('ST', 'GS', kg), weightLine('US', 'GS', 100)].join('');
    await bridge.pty.write(truck(24350) + truck(31200) + weightLine('ST', 'GS', 0));
    await until('two weighings and all readings', () => bridge.inputs.length >= 2 && bridge.device.status(Date.now()).frames >= 13);
    expect(bridge.inputs.map((i) => (i.type === 'weight' ? `${i.lane} ${i.kg}` : i.type))).toEqual(['IN-1 24350', 'IN-1 31200']);
    expect(bridge.device.status(Date.now())).toMatchObject({ online: true, frames: 13, bad_frames: 2 });
  });

  it('unplugged: offline; plugged back at the same path: reopens by itself and reads again', async () => {
    const h = await plugIn('gate-controller', { silentAfterMs: 15_000 });
    await h.pty.write(gateSentence(1, loopFields('OUT-1', 'X', true)));
    await until('the first loop input', () => h.inputs.length === 1);

    await h.pty.close();
    await until('offline after unplug', () => !h.device.status(Date.now()).online);
    // serialport reports the port closed (isOpen false) before its 'close' event, which logs.
    await until('the unplug logged', () => h.logs.some((l) => l.level === 'warn' && l.msg === 'serial port closed'));
    // Still unplugged a moment later: it keeps trying without crashing or reporting online.
    await sleep(600);
    expect(h.device.status(Date.now())).toMatchObject({ online: false, frames: 1, last_seen_s: expect.any(Number) });

    await h.pty.replug();
    await until('online again after replug', () => h.device.status(Date.now()).online);
    await h.pty.write(gateSentence(2, loopFields('OUT-1', 'X', false)) + gateSentence(3, loopFields('OUT-1', 'X', true)));
    await until('the loop input after replug', () => h.inputs.length === 2);
    expect(h.inputs.map((i) => i.type === 'loop' && `${i.lane}/${i.point}`)).toEqual(['OUT-1/exit', 'OUT-1/exit']);
    expect(h.inputs[0]?.id).not.toBe(h.inputs[1]?.id);
    expect(h.device.status(Date.now())).toMatchObject({ online: true, frames: 3, bad_frames: 0, lost_frames: 0 });
  });

  it('stop() closes the port and stops reopening it', async () => {
    const h = await plugIn('scanner', { lane: 'IN-2' });
    await h.device.stop();
    expect(h.device.status(Date.now()).online).toBe(false);
    await h.pty.write(scanLine('24C-123.45'));
    await sleep(400);
    expect(h.inputs).toEqual([]);
    expect(h.device.status(Date.now()).online).toBe(false);
  });
});
