import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { Lang, LocalText } from '@gatewatch/shared';
import { DEFAULT_LANG, DICTIONARY } from './dictionary.js';
import type { MessageKey } from './dictionary.js';

export const LANG_STORAGE_KEY = 'gatewatch.lang';

export type Params = Record<string, string | number>;

/** Fill `{name}` placeholders; an unknown one stays visible rather than vanishing. */
export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const text = DICTIONARY[lang][key];
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m));
}

export interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: (key: MessageKey, params?: Params) => string;
  /** A configured name (checkpoint, region) in the current language. */
  local: (text: LocalText | undefined) => string;
}

function storedLang(): Lang {
  try {
    const v = globalThis.localStorage?.getItem(LANG_STORAGE_KEY);
    if (v === 'vi' || v === 'en') return v;
  } catch {
    // storage blocked (private mode): the default
  }
  return DEFAULT_LANG;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children, initialLang }: { children: ReactNode; initialLang?: Lang }) {
  const [lang, setLangState] = useState<Lang>(() => initialLang ?? storedLang());

  const setLang = useCallback((next: Lang) => {
    setLangState(next);
    try {
      globalThis.localStorage?.setItem(LANG_STORAGE_KEY, next);
    } catch {
      // not persisted; the choice still holds for this page
    }
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang;
  }, [lang]);

  const value = useMemo<I18n>(
    () => ({
      lang,
      setLang,
      t: (key, params) => translate(lang, key, params),
      local: (text) => (text ? text[lang] || text.vi || text.en : ''),
    }),
    [lang, setLang],
  );
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const v = useContext(I18nContext);
  if (!v) throw new Error('useI18n outside I18nProvider');
  return v;
}
