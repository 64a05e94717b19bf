import { useState } from 'react';
import type { FormEvent } from 'react';
import { useI18n } from '../../../i18n/index.js';
import { ApiRequestError } from '../../../lib/api.js';
import { navigate } from '../../../lib/router.js';
import { homeOf } from '../api.js';
import { useAuth } from '../hooks/useAuth.js';

/**
 * What a refused sign-in says, in the page's language: the server's own messages are English,
 * for logs and API clients. A hold (429) says how many minutes to wait, rounded up.
 */
export function signInError(err: unknown, t: ReturnType<typeof useI18n>['t']): string {
  if (!(err instanceof ApiRequestError)) return t('login.failed');
  if (err.status === 401) return t('login.bad');
  if (err.status === 429) return t('login.held', { minutes: Math.max(1, Math.ceil((err.retryAfterS ?? 60) / 60)) });
  if (err.status === 0) return t('login.network');
  return t('login.failed');
}

export function LoginPage() {
  const { t } = useI18n();
  const { me, signIn } = useAuth();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function onSubmit(e: FormEvent) {
    e.preventDefault();
    if (!username || !password) {
      setError(t('login.required'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const m = await signIn(username, password);
      setPassword('');
      navigate(homeOf(m));
    } catch (err) {
      setError(signInError(err, t));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="page page-narrow">
      <h1>{t('login.title')}</h1>
      <p className="lead">{t('login.intro')}</p>
      {me && (
        <p className="notice" role="status">
          {t('login.already', { name: me.displayName })} <a href={homeOf(me)}>{t('login.continue')}</a>
        </p>
      )}
      <form className="form card" onSubmit={onSubmit} noValidate aria-label={t('login.title')}>
        <label className="field">
          <span>{t('login.username')}</span>
          <input
            name="username"
            autoFocus
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            value={username}
            onChange={(e) => setUsername(e.target.value)}
            required
          />
        </label>
        <label className="field">
          <span>{t('login.password')}</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </label>
        {error && (
          <p className="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
    </div>
  );
}
