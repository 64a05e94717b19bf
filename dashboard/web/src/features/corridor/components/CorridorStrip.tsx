import { useId } from 'react';
import { DIRECTIONS } from '@gatewatch/shared';
import type { CheckpointInfo, CongestionLevel, WaitEstimate } from '@gatewatch/shared';
import { LevelBadge } from '../../../components/badges.js';
import { PlaceNote, waitText } from '../../../components/PlaceNote.js';
import { useI18n } from '../../../i18n/index.js';
import { formatTime } from '../../../lib/time.js';
import { estimateOf } from '../api.js';
import type { CrossingNow } from '../api.js';

const SEVERITY: Record<CongestionLevel, number> = { congested: 4, busy: 3, normal: 2, closed: 1, unknown: 0 };

/** The crossing's colour: its worst direction. */
export function crossingLevel(estimates: readonly WaitEstimate[]): CongestionLevel {
  let worst: CongestionLevel = 'unknown';
  for (const e of estimates) if (SEVERITY[e.level] > SEVERITY[worst]) worst = e.level;
  return worst;
}

export interface CorridorStripProps {
  checkpoints: readonly CheckpointInfo[];
  crossings: ReadonlyMap<string, CrossingNow>;
  /** A link to each crossing's detail page, when the user may open it. */
  linkOf?: (checkpoint: string) => string | undefined;
}

/** The crossings in corridor order, Lao Cai → Hai Phong, each with its colour, queue and wait per direction. */
export function CorridorStrip({ checkpoints, crossings, linkOf }: CorridorStripProps) {
  const { t } = useI18n();
  return (
    <ol className="strip" aria-label={t('overview.strip')}>
      {checkpoints.map((cp) => (
        <CrossingCard key={cp.id} info={cp} now={crossings.get(cp.id)} link={linkOf?.(cp.id)} />
      ))}
    </ol>
  );
}

function CrossingCard({ info, now, link }: { info: CheckpointInfo; now: CrossingNow | undefined; link: string | undefined }) {
  const { t, local, lang } = useI18n();
  const id = useId();
  const level = crossingLevel(now?.estimates ?? []);
  const updated = (now?.estimates ?? []).reduce<string | null>((a, e) => (e.updatedAt && (!a || e.updatedAt > a) ? e.updatedAt : a), null);
  return (
    <li className={`crossing level-${level}`} data-testid={`crossing-${info.id}`} data-level={level}>
      <article aria-labelledby={id}>
        <header className="crossing-header">
          <h3 id={id}>{local(info.name)}</h3>
          <span className="crossing-kind">{t(`kind.${info.kind}`)}</span>
        </header>
        <table className="crossing-table">
          <caption className="sr-only">{local(info.name)}</caption>
          <thead>
            <tr>
              <th scope="col" className="sr-only">
                {t('wait.direction')}
              </th>
              <th scope="col">{t('overview.queue')}</th>
              <th scope="col">{t('overview.wait')}</th>
            </tr>
          </thead>
          <tbody>
            {DIRECTIONS.map((d) => {
              const e = estimateOf(now, d);
              return (
                <tr key={d} data-direction={d}>
                  <th scope="row">
                    <span className="dir-name">{t(`dir.${d}`)}</span>
                    <LevelBadge level={e?.level ?? 'unknown'} />
                    {e && <PlaceNote place={e} />}
                  </th>
                  <td className="num">{e ? e.queueLength : '–'}</td>
                  <td className="num wait">
                    {e ? waitText({ state: e.state, waitS: e.expectedWaitS, queueLength: e.queueLength }, t, lang) : '–'}
                    {e && (
                      <span className="sub">
                        {t('overview.lanesOpen')}: {e.lanesOpen}/{e.lanesTotal}
                      </span>
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <footer className="crossing-footer">
          <span>{updated ? t('overview.updated', { time: formatTime(updated) }) : t('overview.noEstimate')}</span>
          {link && (
            <a href={link} className="link-more">
              {t('overview.openCheckpoint')}
              <span className="sr-only">: {local(info.name)}</span>
            </a>
          )}
        </footer>
      </article>
    </li>
  );
}
