import { describe, expect, it } from 'vitest';
import { weightLine } from '@gatewatch/shared';
import { bytes, feed, feedEveryCut, type Outcome } from '../devices.fixtures.js';
import { WeighbridgeParser } from './parser.js';
import { parseWeightLine, type WeightReading } from './reading.js';
import { stepWeighing, WEIGHING_DEFAULTS, WEIGHING_START, type WeighingState } from './weighing.js';

const DEV = 'weighbridge-IN-1';
const make = (): WeighbridgeParser => new WeighbridgeParser({ device: DEV });
const brief = (out: Outcome<WeightReading>[]): string[] => out.map((o) => ('frame' in o ? `${o.frame.status} ${o.frame.mode} ${o.frame.kg}` : o.error));

const FIXTURES: Record<string, { stream: Buffer; expect: string[] }> = {
  'stable, unstable, overload, gross and net readings': {
    stream: bytes('ST,GS,+0012345 kg\r\n', 'US,GS,+0012000 kg\r\n', 'OL,GS,+9999999 kg\r\n', 'ST,NT,+0008000 kg\r\n', 'ST,GS,-0000040 kg\r\n'),
    expect: ['stable gross 12345', 'unstable gross 12000', 'overload gross 9999999', 'stable net 8000', 'stable gross -40'],
  },
  'tonnes and decimal points': {
    stream: bytes('ST,GS,+024.350  t\r\n', 'ST,GS,+0012.34 kg\r\n', 'ST,GS,+0000.05  t\r\n', 'ST,GS,+012.345 t\r\n'),
    expect: ['stable gross 24350', 'stable gross 12.34', 'stable gross 50', 'stable gross 12345'],
  },
  'corrupt lines and garbage between good readings': {
    stream: bytes(
      weightLine('ST', 'GS', 100),
      'ST,GS,+00123\x0045 kg\r\n',
      'XX,GS,+0012345 kg\r\n',
      'ST,QQ,+0012345 kg\r\n',
      'ST,GS,+00.12.3 kg\r\n',
      'ST,GS,+0012345 lb\r\n',
      Uint8Array.from([0xff, 0xfe, 0x0d, 0x0a]),
      weightLine('ST', 'GS', 200),
    ),
    expect: ['stable gross 100', 'FRAME_SYNTAX', 'FRAME_FIELD', 'FRAME_FIELD', 'FRAME_FIELD', 'FRAME_SYNTAX', 'FRAME_SYNTAX', 'stable gross 200'],
  },
  'an over-long line, then a good reading': {
    stream: bytes('ST,GS,+0012345 kg'.repeat(10), '\r\n', weightLine('US', 'GS', 5000)),
    expect: ['FRAME_TOO_LONG', 'unstable gross 5000'],
  },
  'the stream ends inside a line': {
    stream: bytes(weightLine('ST', 'GS', 0), 'ST,GS,+00'),
    expect: ['stable gross 0', 'FRAME_TRUNCATED'],
  },
};

describe('weighbridge parser', () => {
  for (const [name, f] of Object.entries(FIXTURES)) {
    it(`${name}: the same readings and errors however the reads are cut`, async () => {
      const { whole, differing } = await feedEveryCut(make, f.stream);
      expect(brief(whole)).toEqual(f.expect);
      expect(differing).toEqual([]);
    });
  }

  it('reads what the simulator writes', async () => {
    const out = await feed(make(), [bytes(weightLine('ST', 'GS', 24350), weightLine('US', 'NT', -12))]);
    expect(out).toEqual([{ frame: { status: 'stable', mode: 'gross', kg: 24350 } }, { frame: { status: 'unstable', mode: 'net', kg: -12 } }]);
  });

  it('converts tonnes to whole kilograms without binary noise', () => {
    const r = parseWeightLine(Buffer.from('ST,GS,+012.345  t'), DEV);
    expect(r).toEqual({ ok: true, value: { status: 'stable', mode: 'gross', kg: 12345 } });
  });
});

describe('weighing detector', () => {
  const read = (status: 'ST' | 'US' | 'OL', mode: 'GS' | 'NT', kg: number): WeightReading => ({
    status: ({ ST: 'stable', US: 'unstable', OL: 'overload' } as const)[status],
    mode: mode === 'GS' ? 'gross' : 'net',
    kg,
  });
  /** The weighings a sequence of readings makes, from a fresh start. */
  const weighings = (readings: WeightReading[], state: WeighingState = WEIGHING_START): number[] => {
    const out: number[] = [];
    for (const r of readings) {
      const step = stepWeighing(state, r);
      state = step.state;
      if (step.weighingKg !== undefined) out.push(step.weighingKg);
    }
    return out;
  };

  it('defaults: empty below 200 kg, a vehicle from 1000 kg', () => {
    expect(WEIGHING_DEFAULTS).toEqual({ zeroBandKg: 200, minLoadKg: 1000 });
  });

  it('one weighing per truck: drive on, settle, stand, drive off, next truck', () => {
    const truck = (kg: number): WeightReading[] => [
      read('ST', 'GS', 0),
      read('US', 'GS', 3000), // driving on
      read('US', 'GS', kg - 150),
      read('ST', 'GS', kg), // settled: the weighing
      read('ST', 'GS', kg),
      read('ST', 'GS', kg + 10), // standing, small drift: no second weighing
      read('US', 'GS', 8000), // driving off
      read('US', 'GS', 600),
    ];
    expect(weighings([...truck(24350), ...truck(31200), read('ST', 'GS', 0)])).toEqual([24350, 31200]);
  });

  it('a vehicle already on the bridge at start is not weighed until the bridge was seen empty', () => {
    expect(weighings([read('ST', 'GS', 20000), read('ST', 'GS', 20000), read('US', 'GS', 50), read('ST', 'GS', 18000)])).toEqual([18000]);
  });

  it('unstable, overload and net readings never make a weighing', () => {
    expect(weighings([read('ST', 'GS', 0), read('US', 'GS', 24000), read('OL', 'GS', 99999), read('ST', 'NT', 24000)])).toEqual([]);
  });

  it('the bridge must go back below the zero band before the next weighing', () => {
    // 500 kg is neither empty (>= 200) nor a vehicle (< 1000): it does not re-arm.
    expect(weighings([read('ST', 'GS', 0), read('ST', 'GS', 15000), read('ST', 'GS', 500), read('ST', 'GS', 15000)])).toEqual([15000]);
    // A net reading near zero (tare set) says nothing about an empty bridge.
    expect(weighings([read('ST', 'GS', 0), read('ST', 'GS', 15000), read('ST', 'NT', 0), read('ST', 'GS', 15000)])).toEqual([15000]);
  });

  it('below the minimum load is no vehicle; a stable load at exactly the minimum is', () => {
    expect(weighings([read('ST', 'GS', 0), read('ST', 'GS', 999), read('ST', 'GS', 1000)])).toEqual([1000]);
  });

  it('tonne readings weigh in kilograms', async () => {
    const out = await feed(make(), [bytes('ST,GS,+000.000  t\r\n', 'ST,GS,+024.350  t\r\n')]);
    expect(weighings(out.flatMap((o) => ('frame' in o ? [o.frame] : [])))).toEqual([24350]);
  });
});
