import { describe, expect, it } from 'vitest';
import { DICTIONARY, LANGS } from './dictionary.js';
import { translate } from './I18nProvider.js';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('dictionary', () => {
  it('has Vietnamese first and English second', () => {
    expect(LANGS).toEqual(['vi', 'en']);
  });

  it('has every key, non-empty, in both languages', () => {
    const vi = Object.keys(DICTIONARY.vi).sort();
    const en = Object.keys(DICTIONARY.en).sort();
    expect(en).toEqual(vi);
    for (const lang of LANGS) {
      for (const [key, text] of Object.entries(DICTIONARY[lang])) {
        expect(text.trim(), `${lang} ${key}`).not.toBe('');
      }
    }
  });

  it('uses the same placeholders in both languages', () => {
    for (const key of Object.keys(DICTIONARY.vi) as (keyof typeof DICTIONARY.vi)[]) {
      expect(placeholders(DICTIONARY.en[key]), key).toEqual(placeholders(DICTIONARY.vi[key]));
    }
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'officer.unitsMore', { n: 3 })).toBe('And 3 more units not listed.');
    expect(translate('vi', 'officer.lane', { lane: 'IN-1' })).toBe('Làn IN-1');
    expect(translate('en', 'officer.lane')).toBe('Lane {lane}');
  });
});
