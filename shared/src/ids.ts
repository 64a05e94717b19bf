/** Identifiers of the contract (docs/interfaces.md, "Identifiers"). */

export const CHECKPOINT_ID = /^[a-z0-9-]{1,48}$/;
export const LANE_ID = /^[A-Za-z0-9-]{1,16}$/;
export const DECLARATION_NUMBER = /^\d{12}$/;
/** ISO 6346: owner code (3 letters), category (U, J or Z), 6-digit serial, check digit. */
export const CONTAINER_NUMBER = /^[A-Z]{3}[UJZ]\d{7}$/;

export const isCheckpointId = (s: string): boolean => CHECKPOINT_ID.test(s);
export const isLaneId = (s: string): boolean => LANE_ID.test(s);

/** Letter values of ISO 6346: A=10 and upwards, skipping multiples of 11. */
const letterValue = (c: string): number => {
  let v = 10;
  for (let code = 65; code < c.charCodeAt(0); code++) {
    v++;
    if (v % 11 === 0) v++;
  }
  return v;
};
const VALUES: ReadonlyMap<string, number> = new Map(
  [...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((c) => [c, letterValue(c)] as const).concat(
    [...'0123456789'].map((d) => [d, Number(d)] as const),
  ),
);

/** The check digit of the first 10 characters of a container number (ISO 6346 annex A). */
export function iso6346CheckDigit(first10: string): number {
  if (!/^[A-Z]{4}\d{6}$/.test(first10)) throw new RangeError(`not an ISO 6346 prefix: '${first10}'`);
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (VALUES.get(first10[i]!) ?? 0) * 2 ** i;
  return (sum % 11) % 10;
}

/** True for a well-formed container number whose check digit matches. */
export function isValidContainerNumber(s: string): boolean {
  if (!CONTAINER_NUMBER.test(s)) return false;
  return iso6346CheckDigit(s.slice(0, 10)) === Number(s[10]);
}

export type UnitKind = 'truck' | 'container' | 'wagon';
export const UNIT_KINDS: readonly UnitKind[] = ['truck', 'container', 'wagon'];

/** What a line from a gate-booth scanner names. */
export type ScanCode =
  | { type: 'container'; unit: string }
  | { type: 'declaration'; declaration: string }
  | { type: 'plate'; unit: string };

/**
 * Vehicle plates as printed: Vietnamese (`24C-123.45`, `29A-12345`, `51LD-123.45`) and Chinese,
 * Yunnan among them (`云A12345`, `云AD12345`). Kept permissive on spacing and separators because
 * scanners read what is printed; never used to rewrite the plate.
 */
const PLATE = /^(?:\d{2}[A-Z]{1,2}\d?[- ]?\d{3}\.?\d{1,2}|[\u4e00-\u9fff][A-Z][A-Z0-9]{5,6})$/u;
export const isPlate = (s: string): boolean => PLATE.test(s);

/** Classifies a scanned code, or returns the reason it is not usable. */
export function classifyScan(raw: string): ScanCode | { type: 'invalid'; reason: string } {
  const s = raw.trim();
  if (s.length === 0) return { type: 'invalid', reason: 'empty scan' };
  if (DECLARATION_NUMBER.test(s)) return { type: 'declaration', declaration: s };
  if (CONTAINER_NUMBER.test(s)) {
    return isValidContainerNumber(s)
      ? { type: 'container', unit: s }
      : { type: 'invalid', reason: `container number '${s}' fails its ISO 6346 check digit` };
  }
  if (isPlate(s)) return { type: 'plate', unit: s };
  return { type: 'invalid', reason: `'${s}' is neither a container number, a 12-digit declaration nor a plate` };
}
