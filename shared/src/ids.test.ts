import { describe, expect, it } from 'vitest';
import { classifyScan, isCheckpointId, isLaneId, isPlate, iso6346CheckDigit, isValidContainerNumber } from './ids.js';

describe('ISO 6346 container numbers', () => {
  // The standard's letter values (A=10, skipping multiples of 11), written out independently of
  // the implementation, which derives them.
  const LETTER = [10, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 34, 35, 36, 37, 38];
  const reference = (prefix: string): number => {
    let sum = 0;
    for (let i = 0; i < 10; i++) {
      const c = prefix[i]!;
      sum += (/\d/.test(c) ? Number(c) : LETTER[c.charCodeAt(0) - 65]!) * 2 ** i;
    }
    return (sum % 11) % 10;
  };

  it.each([
    ['CSQU305438', 3], // the standard's own example
    ['MSKU123456', 5], // the example of the GateWatch contract
  ])('%s has check digit %i', (prefix, digit) => {
    expect(iso6346CheckDigit(prefix)).toBe(digit);
  });

  it('agrees with the standard for every owner letter and many serials, a remainder of 10 giving 0', () => {
    let remainderTen = 0;
    for (let a = 0; a < 26; a++) {
      for (let serial = 0; serial < 400; serial += 7) {
        const owner = String.fromCharCode(65 + a, 65 + ((a * 7) % 26), 65 + ((a * 11) % 26));
        const prefix = `${owner}U${String(serial * 2477).padStart(6, '0').slice(-6)}`;
        expect(iso6346CheckDigit(prefix)).toBe(reference(prefix));
        let sum = 0;
        for (let i = 0; i < 10; i++) sum += (/\d/.test(prefix[i]!) ? Number(prefix[i]) : LETTER[prefix.charCodeAt(i) - 65]!) * 2 ** i;
        if (sum % 11 === 10) {
          remainderTen++;
          expect(iso6346CheckDigit(prefix)).toBe(0);
        }
      }
    }
    expect(remainderTen).toBeGreaterThan(0);
  });

  it('accepts a container number whose check digit matches and refuses one that does not', () => {
    expect(isValidContainerNumber('CSQU3054383')).toBe(true);
    expect(isValidContainerNumber('CSQU3054384')).toBe(false);
    expect(isValidContainerNumber('csqu3054383')).toBe(false);
    expect(isValidContainerNumber('CSQX3054383')).toBe(false); // category must be U, J or Z
    expect(isValidContainerNumber('CSQU305438')).toBe(false);
  });

  it('refuses to compute a check digit of something that is no prefix', () => {
    expect(() => iso6346CheckDigit('CSQU30543')).toThrow(RangeError);
  });
});

describe('identifiers', () => {
  it('accepts the corridor checkpoints and lanes and refuses others', () => {
    for (const id of ['lao-cai-rail', 'kim-thanh-road', 'dinh-vu-port']) expect(isCheckpointId(id)).toBe(true);
    for (const id of ['Lao-Cai', 'kim thanh', '', 'x'.repeat(49), 'a/b']) expect(isCheckpointId(id)).toBe(false);
    for (const id of ['IN-1', 'OUT-2', 'T3']) expect(isLaneId(id)).toBe(true);
    for (const id of ['IN 1', '', 'x'.repeat(17), 'IN/1', 'IN+1']) expect(isLaneId(id)).toBe(false);
  });

  it('recognises Vietnamese and Yunnan plates', () => {
    for (const p of ['24C-123.45', '29A-12345', '51LD-123.45', '云A12345', '云AD12345']) expect(isPlate(p)).toBe(true);
    for (const p of ['24C', 'ABC-DEF', '云12345']) expect(isPlate(p)).toBe(false);
  });
});

describe('booth scanner codes', () => {
  it('tells containers, declarations and plates apart, keeping them verbatim', () => {
    expect(classifyScan('CSQU3054383')).toEqual({ type: 'container', unit: 'CSQU3054383' });
    expect(classifyScan('105123456789')).toEqual({ type: 'declaration', declaration: '105123456789' });
    expect(classifyScan('云A12345')).toEqual({ type: 'plate', unit: '云A12345' });
    expect(classifyScan('24C-123.45')).toEqual({ type: 'plate', unit: '24C-123.45' });
  });

  it('says why a scan cannot be used', () => {
    expect(classifyScan('CSQU3054384')).toEqual({ type: 'invalid', reason: "container number 'CSQU3054384' fails its ISO 6346 check digit" });
    expect(classifyScan('  ')).toEqual({ type: 'invalid', reason: 'empty scan' });
    expect(classifyScan('hello world')).toMatchObject({ type: 'invalid' });
  });
});
