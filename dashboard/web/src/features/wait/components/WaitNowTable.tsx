import { DIRECTIONS } from '@gatewatch/shared';
import type { CheckpointInfo } from '@gatewatch/shared';
import { LevelBadge } from '../../../components/badges.js';
import { PlaceNote, waitText } from '../../../components/PlaceNote.js';
import { useI18n } from '../../../i18n/index.js';
import { formatTime } from '../../../lib/time.js';
import { estimateOf } from '../../corridor/api.js';
import type { CrossingNow } from '../../corridor/api.js';

/** Expected wait now per crossing and direction: estimates only, never a unit. */
export function WaitNowTable({ checkpoints, crossings }: { checkpoints: readonly CheckpointInfo[]; crossings: ReadonlyMap<string, CrossingNow> }) {
  const { t, local, lang } = useI18n();
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={t('wait.now')}>
      <table className="data-table wait-now">
        <thead>
          <tr>
            <th scope="col">{t('common.checkpoint')}</th>
            <th scope="col">{t('wait.direction')}</th>
            <th scope="col" className="num">
              {t('overview.wait')}
            </th>
            <th scope="col" className="num">
              {t('overview.queue')}
            </th>
            <th scope="col" className="num">
              {t('overview.lanesOpen')}
            </th>
            <th scope="col">{t('wait.updated')}</th>
          </tr>
        </thead>
        <tbody>
          {checkpoints.flatMap((c) =>
            DIRECTIONS.map((d, i) => {
              const e = estimateOf(crossings.get(c.id), d);
              return (
                <tr key={`${c.id}|${d}`} data-testid={`wait-${c.id}-${d}`} data-level={e?.level ?? 'unknown'}>
                  {i === 0 && (
                    <th scope="rowgroup" rowSpan={DIRECTIONS.length}>
                      {local(c.name)}
                    </th>
                  )}
                  <td>
                    <span className="dir-name">{t(`dir.${d}`)}</span>
                    <LevelBadge level={e?.level ?? 'unknown'} />
                    {e && <PlaceNote place={e} />}
                  </td>
                  <td className="num strong">{e ? waitText({ state: e.state, waitS: e.expectedWaitS, queueLength: e.queueLength }, t, lang) : '–'}</td>
                  <td className="num">{e ? e.queueLength : '–'}</td>
                  <td className="num">{e ? `${e.lanesOpen}/${e.lanesTotal}` : '–'}</td>
                  <td>{formatTime(e?.updatedAt)}</td>
                </tr>
              );
            }),
          )}
        </tbody>
      </table>
    </div>
  );
}
