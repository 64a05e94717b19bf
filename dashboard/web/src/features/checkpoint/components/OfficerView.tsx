import { useMemo } from 'react';
import { DIRECTIONS } from '@gatewatch/shared';
import { LevelBadge, OnlineBadge } from '../../../components/badges.js';
import { Panel } from '../../../components/Panel.js';
import { PlaceNote, waitText } from '../../../components/PlaceNote.js';
import { useI18n } from '../../../i18n/index.js';
import { formatDuration } from '../../../lib/time.js';
import { useNow } from '../../../lib/useNow.js';
import { useAuth } from '../../auth/hooks/useAuth.js';
import { estimateOf } from '../../corridor/api.js';
import { useCheckpoints } from '../../corridor/hooks/useCheckpoints.js';
import { useCheckpointLive } from '../hooks/useCheckpointLive.js';
import { officerState } from '../officerState.js';
import { AlertBanner, AlertsList } from './AlertsPanel.js';
import { ClearancesTable } from './ClearancesTable.js';
import { DevicesTable } from './DevicesTable.js';
import { LaneCards } from './LaneCards.js';
import { LaneChart } from './LaneChart.js';
import { UnitsTable } from './UnitsTable.js';

/** The gate officer's live view of one checkpoint. */
/** A refused watch in the page's language; the server's English message is for logs. */
export function watchRefusalText(code: string, t: ReturnType<typeof useI18n>['t']): string {
  switch (code) {
    case 'FORBIDDEN':
      return t('officer.refused.notYours');
    case 'RATE_LIMITED':
      return t('officer.refused.busy');
    case 'UNAUTHORIZED':
      return t('officer.signInRequired');
    default:
      return t('officer.refused.other');
  }
}

export function OfficerView({ checkpoint }: { checkpoint: string }) {
  const { t, local, lang } = useI18n();
  const { me, canSee } = useAuth();
  const cps = useCheckpoints();
  const info = cps.byId.get(checkpoint);
  const allowed = !!me && canSee(checkpoint);
  const live = useCheckpointLive(checkpoint, allowed);
  const title = info ? local(info.name) : checkpoint;

  const state = live.live;
  const laneRecords = state?.lanes;
  const laneIds = useMemo(() => {
    if (info) return info.lanes.map((l) => l.id);
    return [...new Set((laneRecords ?? []).map((l) => l.lane))].sort();
  }, [info, laneRecords]);
  // the charts re-render only when the series or the set of lanes changes
  const laneKey = laneIds.join(',');
  const lanes = useMemo(() => (laneKey ? laneKey.split(',') : []), [laneKey]);
  const activeAlerts = useMemo(() => (state?.alerts ?? []).filter((a) => a.active), [state]);
  // Every second: figures age, and turn stale when nothing comes (shared state model).
  const now = useNow(1000);
  const shown = useMemo(() => (state ? officerState(checkpoint, info, state, live.link, now) : undefined), [checkpoint, info, state, live.link, now]);

  if (me === undefined) {
    return (
      <div className="page">
        <Panel title={title} loading />
      </div>
    );
  }
  if (!me) {
    return (
      <div className="page page-narrow">
        <h1>{title}</h1>
        <p className="notice">
          {t('officer.signInRequired')} <a href="#/login">{t('nav.signIn')}</a>
        </p>
      </div>
    );
  }
  if (!allowed) {
    return (
      <div className="page page-narrow">
        <h1>{title}</h1>
        <p className="notice" role="alert" data-testid="forbidden">
          {t('officer.forbidden')}
        </p>
      </div>
    );
  }

  const loading = !state && !live.error;
  const error = live.error && watchRefusalText(live.error.code, t);
  const estimates = shown?.directions ?? [];

  return (
    <div className="page">
      <div className="page-title-row">
        <h1>{title}</h1>
        <div className="title-badges">
          {info && <span className="crossing-kind">{t(`kind.${info.kind}`)}</span>}
          <span className="muted">{t('officer.status')}</span>
          {shown?.status === 'stale' ? (
            <span className="badge status-stale" role="status">
              <span className="dot" aria-hidden="true" />
              {t('officer.statusStale', { age: formatDuration(shown.ageS ?? 0, lang) })}
            </span>
          ) : (
            <OnlineBadge online={!shown || shown.status === 'unknown' ? 'unknown' : shown.status === 'online'} />
          )}
        </div>
      </div>

      <AlertBanner alerts={activeAlerts} />

      <section className="direction-summary" aria-label={t('officer.direction')}>
        {DIRECTIONS.map((d) => {
          const e = estimateOf({ checkpoint, status: 'unknown', estimates }, d);
          return (
            <div key={d} className={`dir-card level-${e?.level ?? 'unknown'}`} data-state={e?.state ?? 'unknown'} data-direction={d}>
              <span className="dir-name">{t(`dir.${d}`)}</span>
              <LevelBadge level={e?.level ?? 'unknown'} />
              {e && <PlaceNote place={e} />}
              <span>
                {t('overview.queue')}: <strong>{e ? e.queueLength : '–'}</strong>
              </span>
              <span>
                {t('overview.wait')}: <strong>{e ? waitText({ state: e.state, waitS: e.expectedWaitS, queueLength: e.queueLength }, t, lang) : '–'}</strong>
              </span>
              {e && (
                <span className="muted small">
                  {t('overview.lanesOpen')}: {e.lanesOpen}/{e.lanesTotal}
                </span>
              )}
            </div>
          );
        })}
      </section>

      <Panel title={t('officer.lanes')} loading={loading} error={error} empty={!!state && lanes.length === 0} testId="lanes-panel">
        <LaneCards lanes={shown?.lanes ?? []} />
      </Panel>

      <div className="grid-2">
        <Panel title={t('officer.chartQueue')} loading={loading} error={error} empty={live.series.length === 0} testId="chart-queue">
          <LaneChart series={live.series} lanes={lanes} metric="length" />
        </Panel>
        <Panel title={t('officer.chartWait')} loading={loading} error={error} empty={live.series.length === 0} testId="chart-wait">
          <LaneChart series={live.series} lanes={lanes} metric="waitS" />
        </Panel>
      </div>

      <Panel
        title={t('officer.units')}
        loading={loading}
        error={error}
        empty={!!shown && shown.units.length === 0 && (state?.units?.more ?? 0) === 0}
        testId="units-panel"
      >
        {shown && <UnitsTable units={shown.units} more={state?.units?.more ?? 0} />}
      </Panel>

      <Panel title={t('officer.alerts')} loading={loading} error={error} testId="alerts-panel">
        <AlertsList alerts={activeAlerts} />
      </Panel>

      <Panel title={t('officer.devices')} loading={loading} error={error} empty={!!shown && shown.devices.length === 0} testId="devices-panel">
        {shown && state && <DevicesTable states={shown.devices} records={state.devices} />}
      </Panel>

      <Panel title={t('officer.clearances')} loading={loading} error={error} empty={!!state && state.clearances.length === 0} testId="clearances-panel">
        {state && <ClearancesTable clearances={state.clearances} />}
      </Panel>
    </div>
  );
}
