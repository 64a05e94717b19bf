import type { Alert } from '@gatewatch/shared';
import { useI18n } from '../../../i18n/index.js';
import type { I18n } from '../../../i18n/index.js';
import { formatDuration, formatTime } from '../../../lib/time.js';

export function alertText(a: Alert, i18n: Pick<I18n, 't' | 'lang'>): string {
  const fmt = (v: number | undefined) =>
    v === undefined ? '–' : a.kind === 'waitTime' ? formatDuration(v, i18n.lang) : String(Math.round(v * 10) / 10);
  return i18n.t(`officer.alert.${a.kind}`, { subject: a.subject, value: fmt(a.value), threshold: fmt(a.threshold) });
}

/** The visible banner over the officer view while any alert is active. */
export function AlertBanner({ alerts }: { alerts: readonly Alert[] }) {
  const i18n = useI18n();
  if (alerts.length === 0) return null;
  return (
    <div className="banner banner-alert" role="alert" data-testid="alert-banner">
      <strong>{i18n.t('officer.alertBanner', { n: alerts.length })}</strong>
      <ul>
        {alerts.slice(0, 4).map((a) => (
          <li key={a.id}>{alertText(a, i18n)}</li>
        ))}
        {alerts.length > 4 && <li>…</li>}
      </ul>
    </div>
  );
}

export function AlertsList({ alerts }: { alerts: readonly Alert[] }) {
  const i18n = useI18n();
  const { t } = i18n;
  if (alerts.length === 0) return <p className="state state-ok">{t('officer.noAlerts')}</p>;
  const sorted = [...alerts].sort((a, b) => (a.since < b.since ? 1 : -1));
  return (
    <ul className="alerts">
      {sorted.map((a) => (
        <li key={a.id} className={`alert-item alert-${a.kind}`}>
          <span className="alert-text">{alertText(a, i18n)}</span>
          <span className="muted small">{t('officer.alertSince', { time: formatTime(a.since) })}</span>
        </li>
      ))}
    </ul>
  );
}
