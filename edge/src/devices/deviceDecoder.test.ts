import { describe, expect, it } from 'vitest';
import { GateSequence, loopFields, scanLine, weightLine, type InputError } from '@gatewatch/shared';
import type { SerialDeviceConfig } from '../config/types.js';
import type { LaneInput } from '../core/inputs.js';
import { DeviceDecoder } from './deviceDecoder.js';

const log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const device = (kind: SerialDeviceConfig['kind'], lane?: string): SerialDeviceConfig => {
  const c: SerialDeviceConfig = { id: `${kind}-1`, kind, path: '/dev/null', baudRate: 9600, dataBits: 8, parity: 'none', stopBits: 1 };
  if (lane) c.lane = lane;
  return c;
};

function decoder(config: SerialDeviceConfig) {
  const inputs: LaneInput[] = [];
  const bad: InputError[] = [];
  const d = new DeviceDecoder(config, { onInput: (i) => inputs.push(i), onBadFrame: (e) => bad.push(e), log });
  return { d, inputs, bad };
}

describe('device decoder, without a port (live agent and history backfill)', () => {
  it('stamps every input with the reception time it is fed, wherever the bytes are cut', () => {
    const seq = new GateSequence();
    const bytes = [loopFields('IN-1', 'Q', true), loopFields('IN-1', 'Q', false), loopFields('IN-1', 'G', true)].map((f) => seq.next(f)).join('');
    const whole = decoder(device('gate-controller'));
    whole.d.feed(Buffer.from(bytes), 1000);
    expect(whole.inputs.map((i) => [i.type, i.type === 'loop' && i.point, i.ts, i.rx])).toEqual([
      ['loop', 'queue', 1000, 1000],
      ['loop', 'gate', 1000, 1000],
    ]);
    // Byte by byte on a virtual clock: each input carries the time its last byte arrived.
    const slow = decoder(device('gate-controller'));
    [...Buffer.from(bytes)].forEach((b, i) => slow.d.feed(Uint8Array.of(b), 5000 + i));
    expect(slow.inputs.map((i) => i.type === 'loop' && i.point)).toEqual(['queue', 'gate']);
    // A frame ends at its first line-end byte (CR).
    const ends = [bytes.indexOf('\r'), bytes.lastIndexOf('\r')].map((i) => 5000 + i);
    expect(slow.inputs.map((i) => i.rx)).toEqual(ends);
    expect(slow.d.counters()).toMatchObject({ frames: 3, bad_frames: 0, lost_frames: 0, lastSeenMs: ends[1] });
  });

  it('counts a frame cut off by a disconnect as bad and starts the next connection clean', () => {
    const { d, inputs, bad } = decoder(device('scanner', 'IN-2'));
    d.feed(Buffer.from('24C-1'), 100);
    d.disconnected(200);
    d.connected();
    d.feed(Buffer.from(scanLine('24C-123.45')), 300);
    expect(bad.map((e) => e.code)).toEqual(['FRAME_TRUNCATED']);
    expect(inputs).toMatchObject([{ type: 'sighting', unit: '24C-123.45', lane: 'IN-2', point: 'gate', source: 'scanner', ts: 300 }]);
  });

  it('turns continuous weighbridge output into one weighing per truck', () => {
    const { d, inputs } = decoder(device('weighbridge', 'IN-1'));
    const lines = [weightLine('ST', 'GS', 0), weightLine('US', 'GS', 9000), weightLine('ST', 'GS', 24_350), weightLine('ST', 'GS', 24_350), weightLine('ST', 'GS', 0)];
    lines.forEach((l, i) => d.feed(Buffer.from(l), 1000 * i));
    expect(inputs).toMatchObject([{ type: 'weight', lane: 'IN-1', kg: 24_350, ts: 2000 }]);
  });
});
