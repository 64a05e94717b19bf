import type { ClearanceRecord } from '@gatewatch/shared';
import { ChannelChip } from '../../../components/badges.js';
import { useI18n } from '../../../i18n/index.js';
import { formatDuration, formatTimeSeconds } from '../../../lib/time.js';

export function ClearancesTable({ clearances }: { clearances: readonly ClearanceRecord[] }) {
  const { t, lang } = useI18n();
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={t('officer.clearances')}>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">{t('officer.clearanceTime')}</th>
            <th scope="col">{t('officer.unit')}</th>
            <th scope="col">{t('officer.unitLane')}</th>
            <th scope="col">{t('officer.unitChannel')}</th>
            <th scope="col">{t('officer.clearanceOutcome')}</th>
            <th scope="col" className="num">
              {t('officer.clearanceTotal')}
            </th>
          </tr>
        </thead>
        <tbody>
          {clearances.map((c) => (
            <tr key={`${c.unit}|${c.timeNs}`}>
              <td className="mono">{formatTimeSeconds(c.time)}</td>
              <td className="mono">{c.unit}</td>
              <td>{c.lane}</td>
              <td>
                <ChannelChip channel={c.channel} />
              </td>
              <td>{t(`officer.outcome.${c.outcome}`)}</td>
              <td className="num">{formatDuration(c.total_s, lang)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
