import type { DeviceRecord } from '@gatewatch/shared';
import { OnlineBadge } from '../../../components/badges.js';
import { useI18n } from '../../../i18n/index.js';
import { formatDuration, formatTimeSeconds } from '../../../lib/time.js';

export function DevicesTable({ devices, silent }: { devices: readonly DeviceRecord[]; silent: ReadonlySet<string> }) {
  const { t, lang } = useI18n();
  // a device that never reported is known only from its silence alert
  const unseen = [...silent].filter((id) => !devices.some((d) => d.device === id));
  const sorted = [...devices].sort((a, b) => a.device.localeCompare(b.device));
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label={t('officer.devices')}>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">{t('officer.device')}</th>
            <th scope="col">{t('officer.deviceOnline')}</th>
            <th scope="col" className="num">
              {t('officer.deviceFrames')}
            </th>
            <th scope="col" className="num">
              {t('officer.deviceBad')}
            </th>
            <th scope="col" className="num">
              {t('officer.deviceLost')}
            </th>
            <th scope="col">{t('officer.deviceLastSeen')}</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((d) => {
            const bad = !d.online || silent.has(d.device);
            return (
              <tr key={d.device} className={bad ? 'row-alert' : undefined}>
                <td className="mono">{d.device}</td>
                <td>
                  <OnlineBadge online={d.online && !silent.has(d.device)} />
                </td>
                <td className="num">{d.frames}</td>
                <td className={`num ${d.bad_frames > 0 ? 'warn' : ''}`}>{d.bad_frames}</td>
                <td className={`num ${d.lost_frames > 0 ? 'warn' : ''}`}>{d.lost_frames}</td>
                <td>
                  {d.last_seen_s < 0 ? t('officer.deviceNever') : t('officer.deviceAgo', { d: formatDuration(d.last_seen_s, lang) })}
                  <span className="sub">{formatTimeSeconds(d.time)}</span>
                </td>
              </tr>
            );
          })}
          {unseen.map((id) => (
            <tr key={id} className="row-alert">
              <td className="mono">{id}</td>
              <td>
                <OnlineBadge online={false} />
              </td>
              <td className="num">–</td>
              <td className="num">–</td>
              <td className="num">–</td>
              <td>{t('officer.deviceNever')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
