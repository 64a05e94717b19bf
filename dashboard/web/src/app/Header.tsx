import type { ReactNode } from 'react';
import { useI18n } from '../i18n/index.js';
import { href, navigate, sameRoute } from '../lib/router.js';
import type { Route } from '../lib/router.js';
import { useConnection } from '../lib/socket.js';
import { useAuth } from '../features/auth/hooks/useAuth.js';
import { useCheckpoints } from '../features/corridor/hooks/useCheckpoints.js';
import { LanguageSwitch } from './LanguageSwitch.js';

function NavLink({ to, current, children }: { to: Route; current: Route; children: ReactNode }) {
  const active = sameRoute(to, current);
  return (
    <a href={href(to)} className={`nav-link${active ? ' active' : ''}`} aria-current={active ? 'page' : undefined}>
      {children}
    </a>
  );
}

export function Header({ route }: { route: Route }) {
  const { t, local } = useI18n();
  const { me, signOut } = useAuth();
  const { byId } = useCheckpoints();
  const conn = useConnection();
  return (
    <header className="app-header">
      <div className="app-header-top">
        <a href="#/" className="brand">
          <svg className="brand-mark" viewBox="0 0 32 32" width="26" height="26" aria-hidden="true">
            <rect x="3" y="6" width="5" height="22" rx="1" fill="#4dabf7" />
            <rect x="8" y="11" width="22" height="4" rx="2" fill="#ffd43b" />
            <rect x="12" y="11" width="4" height="4" fill="#d62828" />
            <rect x="20" y="11" width="4" height="4" fill="#d62828" />
          </svg>
          <span className="brand-name">{t('app.name')}</span>
          <span className="brand-tagline">{t('app.tagline')}</span>
        </a>
        <div className="header-tools">
          <span className={`conn conn-${conn.state}`} role="status" title={t(`live.${conn.state}`)}>
            <span className="dot" aria-hidden="true" />
            <span className="conn-text">{t(`live.${conn.state}`)}</span>
          </span>
          <LanguageSwitch />
          {me ? (
            <div className="user">
              <span className="user-name" title={t(`role.${me.role}`)}>
                {t('nav.signedInAs', { name: me.displayName })}
              </span>
              <button
                type="button"
                className="btn btn-small"
                onClick={() => {
                  navigate('#/');
                  void signOut();
                }}
              >
                {t('nav.signOut')}
              </button>
            </div>
          ) : (
            me === null &&
            route.name !== 'login' && (
              <a className="btn btn-small btn-primary" href="#/login">
                {t('nav.signIn')}
              </a>
            )
          )}
        </div>
      </div>
      <nav aria-label={t('nav.label')} className="app-nav">
        <NavLink to={{ name: 'overview' }} current={route}>
          {t('nav.overview')}
        </NavLink>
        <NavLink to={{ name: 'wait' }} current={route}>
          {t('nav.wait')}
        </NavLink>
        {me?.checkpoints.map((id) => (
          <NavLink key={id} to={{ name: 'checkpoint', id }} current={route}>
            {local(byId.get(id)?.name) || id}
          </NavLink>
        ))}
        {me && (
          <NavLink to={{ name: 'manager' }} current={route}>
            {t('nav.manager')}
          </NavLink>
        )}
      </nav>
    </header>
  );
}
