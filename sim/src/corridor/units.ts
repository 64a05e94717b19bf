/**
 * What the corridor's units are called, as printed on them and read by cameras and scanners.
 * All seeded; the texts are kept verbatim downstream, so they are made exactly as printed.
 */
import { iso6346CheckDigit, type Channel } from '@gatewatch/shared';
import type { Prng } from '../prng.js';

/** A value drawn from weighted choices. */
export function weighted<T>(rng: Prng, choices: readonly (readonly [T, number])[]): T {
  const total = choices.reduce((s, [, w]) => s + w, 0);
  let r = rng.next() * total;
  for (const [v, w] of choices) {
    r -= w;
    if (r < 0) return v;
  }
  return choices[choices.length - 1]![0];
}

const digits = (rng: Prng, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += String(rng.int(0, 9));
  return s;
};

/**
 * Vietnamese truck plates of the corridor's provinces, in today's 5-digit form `24C-123.45`
 * (province code, series, 3 + 2 digits). Lao Cai (24) dominates at its own border gate, then
 * Hai Phong (15, 16: the port end of the corridor), Hanoi (29, 30) and the provinces along the
 * road (Yen Bai 21, Phu Tho 19, Quang Ninh 14, Bac Giang 98). Series C is the truck series;
 * LD marks vehicles of foreign-invested firms, common among logistics companies.
 */
export function vietnamesePlate(rng: Prng): string {
  const province = weighted(rng, [
    ['24', 40],
    ['15', 10],
    ['16', 8],
    ['29', 8],
    ['30', 5],
    ['21', 8],
    ['19', 7],
    ['14', 7],
    ['98', 7],
  ] as const);
  const series = weighted(rng, [
    ['C', 85],
    ['LD', 10],
    ['H', 5],
  ] as const);
  const d = digits(rng, 5);
  return `${province}${series}-${d.slice(0, 3)}.${d.slice(3)}`;
}

/**
 * Plates of Yunnan (云): the prefecture letter (H Honghe, where Hekou faces Lao Cai, most of
 * all; A Kunming; G Wenshan; K Yuxi) and five characters, mostly digits, sometimes one letter
 * (Chinese plates never use I or O).
 */
export function yunnanPlate(rng: Prng): string {
  const prefecture = weighted(rng, [
    ['H', 60],
    ['A', 25],
    ['G', 8],
    ['K', 7],
  ] as const);
  const chars = [...digits(rng, 5)];
  if (rng.next() < 0.25) chars[rng.int(0, 4)] = rng.pick([...'ABCDEFGHJKLMNPQRSTUVWXYZ']);
  return `云${prefecture}${chars.join('')}`;
}

/**
 * Owner codes (with category U, freight container) of carriers and lessors calling at Hai
 * Phong: Maersk, MSC, CMA CGM, COSCO, OOCL, Evergreen, ONE, Hapag-Lloyd, Yang Ming, Wan Hai
 * and the big lessors (Triton, Textainer, Seaco, Florens, Beacon).
 */
const OWNERS = ['MSKU', 'MSCU', 'CMAU', 'CSNU', 'OOLU', 'EGHU', 'ONEU', 'HLXU', 'YMLU', 'WHLU', 'TRHU', 'TGHU', 'SEGU', 'FCIU', 'BMOU'] as const;

/** An ISO 6346 container number: owner code, category, 6-digit serial and its check digit. */
export function containerNumber(rng: Prng): string {
  const prefix = `${rng.pick(OWNERS)}${digits(rng, 6)}`;
  return `${prefix}${iso6346CheckDigit(prefix)}`;
}

/**
 * Rail wagon numbers as painted on China Railway freight wagons, which make up the
 * international freight trains between Hekou and Lao Cai (the standard-gauge track of the
 * dual-gauge line reaches Lao Cai station): the type code, a space, the 7-digit wagon number
 * (C70 open wagon, P70 covered wagon, NX70 flat wagon for containers, G70 tank wagon), the
 * first digits of the number following the type's number block. Wagon OCR reads the two
 * markings together, so the unit is `C70 1523457`.
 */
export function wagonNumber(rng: Prng): string {
  const [type, block] = weighted(rng, [
    [['C70', '15'], 40],
    [['P70', '36'], 20],
    [['NX70', '50'], 30],
    [['G70', '62'], 10],
  ] as const);
  return `${type} ${block}${digits(rng, 5)}`;
}

/**
 * A 12-digit customs declaration number of VNACCS: import declarations start with 10, export
 * declarations with 30.
 */
export const declarationNumber = (rng: Prng, prefix: '10' | '30'): string => `${prefix}${digits(rng, 10)}`;

/**
 * The wagons' channels of a train whose declarations customs put in `train`'s channel. A rail
 * consignment is declared and risk-profiled for the train, and inspection picks wagons of it:
 * a red train has 1-3 wagons inspected (red), the rest cleared on documents; a yellow train has
 * some wagons' papers checked in detail (2-8, yellow); a green train is green throughout. The
 * train waits for its slowest wagon, so its channel is the one that sets its time.
 */
export function wagonChannels(train: Channel, n: number, rng: Prng): Channel[] {
  const out: Channel[] = Array.from({ length: n }, () => 'green');
  if (train === 'green') return out;
  const picked = train === 'red' ? rng.int(1, 3) : rng.int(2, 8);
  // Distinct wagons, anywhere in the train (a partial Fisher-Yates shuffle of the indices).
  const idx = [...out.keys()];
  for (let k = 0; k < Math.min(picked, n); k++) {
    const j = rng.int(k, n - 1);
    [idx[k], idx[j]] = [idx[j]!, idx[k]!];
    out[idx[k]!] = train;
  }
  return out;
}
