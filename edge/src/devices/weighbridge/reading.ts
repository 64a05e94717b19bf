/**
 * Weighbridge indicator lines (docs/interfaces.md, "Weighbridge indicator"), A&D style:
 * `ST,GS,+0012345 kg`. Pure.
 */
import { fail, InputError, ok, type Result } from '@gatewatch/shared';
import { frameWhere } from '../framing.js';

/** A&D lines are 17 bytes; anything much longer is not one. */
export const WEIGHT_LINE_MAX_BYTES = 32;

export type ScaleStatus = 'stable' | 'unstable' | 'overload';
export type WeighMode = 'gross' | 'net';

export interface WeightReading {
  status: ScaleStatus;
  mode: WeighMode;
  /** Always kilograms: tonne readings are converted. */
  kg: number;
}

const STATUS: Readonly<Record<string, ScaleStatus>> = { ST: 'stable', US: 'unstable', OL: 'overload' };
const MODE: Readonly<Record<string, WeighMode>> = { GS: 'gross', NT: 'net' };

/**
 * Status, mode, sign, 7 characters of value, unit. The unit field is right-aligned in A&D
 * output (` kg`, `  t`); the blanks before it are not counted on.
 */
const LINE = /^([A-Z]{2}),([A-Z]{2}),([+-])([0-9.]{7}) *(kg|t)$/;
const NUMBER = /^\d+(?:\.\d+)?$/;

/** Decodes one indicator line, bytes [start, end). */
export function parseWeightLine(line: Buffer, device: string, start = 0, end = line.length): Result<WeightReading> {
  const bytes = line.subarray(start, end);
  const err = (code: string, msg: string): Result<never> => fail(InputError.untraced(code, msg, frameWhere(device, bytes)));
  if (bytes.length > WEIGHT_LINE_MAX_BYTES) return err('FRAME_TOO_LONG', `line is longer than ${WEIGHT_LINE_MAX_BYTES} bytes`);
  const m = LINE.exec(bytes.toString('latin1'));
  if (!m) return err('FRAME_SYNTAX', "not a weight line like 'ST,GS,+0012345 kg'");
  const [, st, md, sign, value, unit] = m;
  const status = STATUS[st!];
  if (status === undefined) return err('FRAME_FIELD', `status '${st}' must be ST, US or OL`);
  const mode = MODE[md!];
  if (mode === undefined) return err('FRAME_FIELD', `mode '${md}' must be GS or NT`);
  if (!NUMBER.test(value!)) return err('FRAME_FIELD', `value '${value}' is not a number`);
  const magnitude = Number(value);
  // Tonnes to kg rounded to the gram: 12.345 * 1000 is 12345.000000000002 in binary.
  const kg = unit === 't' ? Math.round(magnitude * 1e6) / 1e3 : magnitude;
  return ok({ status, mode, kg: sign === '-' ? -kg : kg });
}
