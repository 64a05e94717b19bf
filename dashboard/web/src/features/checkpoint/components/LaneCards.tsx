import type { LaneState } from '@gatewatch/shared';
import { useI18n } from '../../../i18n/index.js';
import { PlaceNote, waitText } from '../../../components/PlaceNote.js';
import { formatTimeSeconds } from '../../../lib/time.js';

/**
 * One card per lane, from the shared state model: a closed lane is drawn closed, without a wait
 * (never "0 seconds"), its queue still counted; stale figures are greyed with their age.
 */
export function LaneCards({ lanes }: { lanes: readonly LaneState[] }) {
  const { t, lang } = useI18n();
  return (
    <ul className="lane-cards">
      {lanes.map((l) => (
        <li key={l.lane} className={`lane-card level-${l.level} state-${l.state}`} data-testid={`lane-${l.lane}`} data-state={l.state} data-direction={l.direction} aria-label={t('officer.lane', { lane: l.lane })}>
          <div className="lane-card-head">
            <strong>{t('officer.lane', { lane: l.lane })}</strong>
            <span className="muted">{t(`dir.${l.direction}`)}</span>
          </div>
          <dl>
            <div>
              <dt>{t('officer.laneQueue')}</dt>
              <dd className="big" data-testid={`lane-${l.lane}-queue`}>
                {l.queueLength ?? '–'}
              </dd>
            </div>
            <div>
              <dt>{t('officer.laneWait')}</dt>
              <dd className="big" data-testid={`lane-${l.lane}-wait`}>
                {waitText(l, t, lang)}
              </dd>
            </div>
          </dl>
          <p className="muted small">
            <PlaceNote place={l} />
            {l.state === 'open' && l.updatedAt && formatTimeSeconds(l.updatedAt)}
          </p>
        </li>
      ))}
    </ul>
  );
}
