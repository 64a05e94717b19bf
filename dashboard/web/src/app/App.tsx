import { Suspense, lazy, useEffect } from 'react';
import { useI18n } from '../i18n/index.js';
import { useRoute } from '../lib/router.js';
import type { Route } from '../lib/router.js';
import { LoginPage } from '../features/auth/components/LoginPage.js';
import { AuthProvider } from '../features/auth/hooks/useAuth.js';
import { CorridorOverview } from '../features/corridor/components/CorridorOverview.js';
import { CheckpointsProvider, useCheckpoints } from '../features/corridor/hooks/useCheckpoints.js';
import { CorridorProvider } from '../features/corridor/hooks/useCorridorLive.js';
import { I18nProvider } from '../i18n/index.js';
import { Panel } from '../components/Panel.js';
import { Header } from './Header.js';

// The views with charts load on demand: the public overview stays small on a phone.
const OfficerView = lazy(() => import('../features/checkpoint/components/OfficerView.js').then((m) => ({ default: m.OfficerView })));
const ManagerView = lazy(() => import('../features/history/components/ManagerView.js').then((m) => ({ default: m.ManagerView })));
const LogisticsView = lazy(() => import('../features/wait/components/LogisticsView.js').then((m) => ({ default: m.LogisticsView })));

function Page({ route }: { route: Route }) {
  const { t } = useI18n();
  switch (route.name) {
    case 'overview':
      return <CorridorOverview />;
    case 'checkpoint':
      return <OfficerView key={route.id} checkpoint={route.id} />;
    case 'manager':
      return <ManagerView />;
    case 'wait':
      return <LogisticsView />;
    case 'login':
      return <LoginPage />;
    case 'notFound':
      return (
        <div className="page page-narrow">
          <h1>{t('state.notFound')}</h1>
          <p>
            <a href="#/">{t('state.backHome')}</a>
          </p>
        </div>
      );
  }
}

function Shell() {
  const route = useRoute();
  const { t, local } = useI18n();
  const { byId } = useCheckpoints();
  useEffect(() => {
    window.scrollTo?.(0, 0);
  }, [route]);
  const title =
    route.name === 'overview'
      ? t('overview.title')
      : route.name === 'wait'
        ? t('wait.title')
        : route.name === 'manager'
          ? t('manager.title')
          : route.name === 'login'
            ? t('login.title')
            : route.name === 'checkpoint'
              ? local(byId.get(route.id)?.name) || route.id
              : t('state.notFound');
  useEffect(() => {
    document.title = `${title} – GateWatch`;
  }, [title]);
  return (
    <>
      <a href="#main" className="skip-link" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        {t('app.skipToContent')}
      </a>
      <Header route={route} />
      <main id="main" tabIndex={-1}>
        <Suspense
          fallback={
            <div className="page">
              <Panel title={t('app.name')} loading />
            </div>
          }
        >
          <Page route={route} />
        </Suspense>
      </main>
      <footer className="app-footer">
        <span>{t('app.name')}</span> · <span>{t('app.timeZoneNote')}</span>
      </footer>
    </>
  );
}

export function App() {
  return (
    <I18nProvider>
      <AuthProvider>
        <CheckpointsProvider>
          <CorridorProvider>
            <Shell />
          </CorridorProvider>
        </CheckpointsProvider>
      </AuthProvider>
    </I18nProvider>
  );
}
