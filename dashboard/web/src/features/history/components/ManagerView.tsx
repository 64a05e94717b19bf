import { useMemo } from 'react';
import { DEFAULT_CONGESTION, DEFAULT_RECORD_INTERVALS } from '@gatewatch/shared';
import { Panel } from '../../../components/Panel.js';
import { useI18n } from '../../../i18n/index.js';
import { useAuth } from '../../auth/hooks/useAuth.js';
import { useCheckpoints } from '../../corridor/hooks/useCheckpoints.js';
import { useHistoryQuery } from '../hooks/useHistoryQuery.js';
import { ClearanceTimesPanel } from './ClearanceTimesPanel.js';
import { HeatmapPanel } from './HeatmapPanel.js';
import { HistoryFilters } from './HistoryFilters.js';
import { ThroughputPanel } from './ThroughputPanel.js';

/** History of the user's checkpoints (a manager's region; an officer's own). */
export function ManagerView() {
  const { t } = useI18n();
  const { me } = useAuth();
  const cps = useCheckpoints();
  const allowedIds = useMemo(() => {
    const mine = new Set(me?.checkpoints ?? []);
    const ordered = (cps.list ?? []).filter((c) => mine.has(c.id)).map((c) => c.id);
    // checkpoints the list does not know (yet) still count
    for (const id of me?.checkpoints ?? []) if (!ordered.includes(id)) ordered.push(id);
    return ordered;
  }, [me, cps.list]);
  const q = useHistoryQuery(allowedIds);
  const infos = useMemo(
    () => allowedIds.map((id) => cps.byId.get(id) ?? { id, name: { vi: id, en: id }, kind: 'road' as const, region: '', order: 0, lanes: [], congestion: DEFAULT_CONGESTION, ...DEFAULT_RECORD_INTERVALS, laneOpenMinutes: 30 }),
    [allowedIds, cps.byId],
  );

  if (me === undefined) return <div className="page"><Panel title={t('manager.title')} loading /></div>;
  if (!me) {
    return (
      <div className="page page-narrow">
        <h1>{t('manager.title')}</h1>
        <p className="notice">
          {t('manager.signInRequired')} <a href="#/login">{t('nav.signIn')}</a>
        </p>
      </div>
    );
  }
  return (
    <div className="page">
      <h1>{t('manager.title')}</h1>
      <HistoryFilters q={q} checkpoints={infos} />
      <ThroughputPanel query={q.query} checkpoints={cps.byId} />
      <ClearanceTimesPanel query={q.query} checkpoints={cps.byId} />
      <HeatmapPanel query={q.query} checkpoints={cps.byId} />
    </div>
  );
}
