import { useMemo } from 'react';
import type { UnitState } from '@gatewatch/shared';
import { ChannelChip } from '../../../components/badges.js';
import { useI18n } from '../../../i18n/index.js';
import { formatDuration } from '../../../lib/time.js';

/**
 * Units inside the control area (shared state model: exited ones never listed), longest inside
 * first, each with its time inside in words ("2 giờ 37 phút": a clock's "2:37" read as minutes
 * and seconds as often as hours and minutes).
 */
export function UnitsTable({ units, more }: { units: readonly UnitState[]; more: number }) {
  const { t, lang } = useI18n();
  const rows = useMemo(() => units.map((u) => ({ u, inside: u.insideS, overdue: u.overdue })), [units]);
  const overdue = rows.filter((r) => r.overdue).length;
  return (
    <>
      {overdue > 0 && (
        <p className="overdue-count" role="status">
          <span className="badge level-congested">{t('officer.unitsOverdue', { n: overdue })}</span>
        </p>
      )}
      <div className="table-scroll" tabIndex={0} role="region" aria-label={t('officer.units')}>
        <table className="data-table">
          <thead>
            <tr>
              <th scope="col">{t('officer.unit')}</th>
              <th scope="col" className="num">
                {t('officer.unitTime')}
              </th>
              <th scope="col">{t('officer.unitChannel')}</th>
              <th scope="col">{t('officer.unitLane')}</th>
              <th scope="col">{t('officer.unitStage')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ u, inside, overdue: late }) => (
              <tr key={`${u.unit}|${u.lane}`} className={late ? 'row-overdue' : undefined} data-overdue={late || undefined}>
                <td className="mono">{u.unit}</td>
                <td className="num mono">
                  {late && <span className="badge level-congested overdue-tag">{t('officer.overdue')}</span>}
                  {formatDuration(inside, lang)}
                </td>
                <td>
                  <ChannelChip channel={u.channel} />
                </td>
                <td>{u.lane}</td>
                <td>{t(`officer.stage.${u.stage}`)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {more > 0 && <p className="muted small">{t('officer.unitsMore', { n: more })}</p>}
    </>
  );
}
