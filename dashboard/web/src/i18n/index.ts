export { DICTIONARY, LANGS, DEFAULT_LANG } from './dictionary.js';
export type { MessageKey } from './dictionary.js';
export { I18nProvider, useI18n, translate, LANG_STORAGE_KEY } from './I18nProvider.js';
export type { I18n, Params } from './I18nProvider.js';
