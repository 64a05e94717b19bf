import { LevelLegend } from '../../../components/badges.js';
import { Panel } from '../../../components/Panel.js';
import { useI18n } from '../../../i18n/index.js';
import { formatTimeSeconds } from '../../../lib/time.js';
import { useAuth } from '../../auth/hooks/useAuth.js';
import { useCheckpoints } from '../hooks/useCheckpoints.js';
import { useCorridorLive } from '../hooks/useCorridorLive.js';
import { CorridorStrip } from './CorridorStrip.js';

export function CorridorOverview() {
  const { t } = useI18n();
  const cps = useCheckpoints();
  const corridor = useCorridorLive();
  const { canSee } = useAuth();
  const list = cps.list ?? [];
  return (
    <div className="page">
      <h1>{t('overview.title')}</h1>
      <p className="lead">{t('overview.intro')}</p>
      <Panel
        title={t('overview.strip')}
        loading={cps.loading && !cps.list}
        error={cps.error ?? corridor.error}
        onRetry={() => {
          cps.reload();
          corridor.reload();
        }}
        empty={list.length === 0}
        actions={corridor.time ? <span className="muted">{t('overview.updated', { time: formatTimeSeconds(corridor.time) })}</span> : undefined}
        testId="corridor-panel"
      >
        <CorridorStrip
          checkpoints={list}
          crossings={corridor.crossings}
          linkOf={(id) => (canSee(id) ? `#/checkpoint/${encodeURIComponent(id)}` : undefined)}
        />
      </Panel>
      <LevelLegend />
    </div>
  );
}
