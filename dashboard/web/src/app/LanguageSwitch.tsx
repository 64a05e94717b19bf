import { useI18n } from '../i18n/index.js';
import { LANGS } from '../i18n/index.js';

const LABELS = { vi: 'VI', en: 'EN' } as const;
const NAMES = { vi: 'Tiếng Việt', en: 'English' } as const;

/** VI/EN as a button group; the choice is kept in localStorage and sets <html lang>. */
export function LanguageSwitch() {
  const { lang, setLang, t } = useI18n();
  return (
    <div className="btn-group lang-switch" role="group" aria-label={t('nav.language')}>
      {LANGS.map((l) => (
        <button key={l} type="button" className="btn btn-toggle" aria-pressed={l === lang} lang={l} title={NAMES[l]} onClick={() => setLang(l)}>
          {LABELS[l]}
        </button>
      ))}
    </div>
  );
}
