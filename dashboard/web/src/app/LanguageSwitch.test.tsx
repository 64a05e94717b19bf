// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { I18nProvider, LANG_STORAGE_KEY, useI18n } from '../i18n/index.js';
import { LanguageSwitch } from './LanguageSwitch.js';

function Title() {
  const { t } = useI18n();
  return <h1>{t('overview.title')}</h1>;
}

beforeEach(() => localStorage.clear());
afterEach(cleanup);

describe('LanguageSwitch', () => {
  it('starts in Vietnamese and switches the visible text, <html lang> and the stored choice', () => {
    render(
      <I18nProvider>
        <LanguageSwitch />
        <Title />
      </I18nProvider>,
    );
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Tổng quan hành lang');
    expect(document.documentElement.lang).toBe('vi');
    const group = screen.getByRole('group', { name: 'Ngôn ngữ' });
    expect(group).toBeTruthy();
    expect(screen.getByRole('button', { name: 'VI' }).getAttribute('aria-pressed')).toBe('true');

    fireEvent.click(screen.getByRole('button', { name: 'EN' }));
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Corridor overview');
    expect(screen.getByRole('button', { name: 'EN' }).getAttribute('aria-pressed')).toBe('true');
    expect(screen.getByRole('button', { name: 'VI' }).getAttribute('aria-pressed')).toBe('false');
    expect(screen.getByRole('group', { name: 'Language' })).toBeTruthy();
    expect(document.documentElement.lang).toBe('en');
    expect(localStorage.getItem(LANG_STORAGE_KEY)).toBe('en');
  });

  it('remembers the choice across page loads', () => {
    localStorage.setItem(LANG_STORAGE_KEY, 'en');
    render(
      <I18nProvider>
        <Title />
      </I18nProvider>,
    );
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Corridor overview');
  });
});
