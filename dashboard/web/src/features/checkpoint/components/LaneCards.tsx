import { DEFAULT_CONGESTION } from '@gatewatch/shared';
import type { CongestionLevel, CongestionThresholds, LaneInfo, QueueRecord } from '@gatewatch/shared';
import { useI18n } from '../../../i18n/index.js';
import { formatDuration, formatTimeSeconds } from '../../../lib/time.js';

/** The checkpoint's own thresholds (as the server colours the crossing), the defaults until known. */
export function laneLevel(r: QueueRecord | undefined, t: CongestionThresholds = DEFAULT_CONGESTION): CongestionLevel {
  if (!r) return 'unknown';
  if (r.wait_estimate_s >= t.congestedWaitS) return 'congested';
  if (r.wait_estimate_s >= t.busyWaitS) return 'busy';
  return 'normal';
}

/** One card per lane: live queue length and wait estimate. */
export function LaneCards({
  lanes,
  records,
  thresholds,
}: {
  lanes: readonly LaneInfo[];
  records: readonly QueueRecord[];
  thresholds?: CongestionThresholds | undefined;
}) {
  const { t, lang } = useI18n();
  const ids = lanes.length ? lanes : records.map((r) => ({ id: r.lane, direction: undefined }));
  return (
    <ul className="lane-cards">
      {ids.map((l) => {
        const r = records.find((x) => x.lane === l.id);
        const level = laneLevel(r, thresholds);
        return (
          <li key={l.id} className={`lane-card level-${level}`} data-testid={`lane-${l.id}`} aria-label={t('officer.lane', { lane: l.id })}>
            <div className="lane-card-head">
              <strong>{t('officer.lane', { lane: l.id })}</strong>
              {l.direction && <span className="muted">{t(`dir.${l.direction}`)}</span>}
            </div>
            <dl>
              <div>
                <dt>{t('officer.laneQueue')}</dt>
                <dd className="big" data-testid={`lane-${l.id}-queue`}>
                  {r ? r.length : '–'}
                </dd>
              </div>
              <div>
                <dt>{t('officer.laneWait')}</dt>
                <dd className="big" data-testid={`lane-${l.id}-wait`}>
                  {r ? formatDuration(r.wait_estimate_s, lang) : '–'}
                </dd>
              </div>
            </dl>
            <p className="muted small">
              {r ? `${t('officer.laneArrivals')}: ${r.arrivals} / ${r.departures} · ${formatTimeSeconds(r.time)}` : t('state.empty')}
            </p>
          </li>
        );
      })}
    </ul>
  );
}
