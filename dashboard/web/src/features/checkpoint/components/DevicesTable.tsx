import type { DeviceRecord, DeviceState } from '@gatewatch/shared';
import { useI18n } from '../../../i18n/index.js';
import { formatDuration, formatTimeSeconds } from '../../../lib/time.js';

/** One word per device from the shared state model (online, silent, never seen, offline), never "online" beside "last seen: never". */
export function DevicesTable({ states, records }: { states: readonly DeviceState[]; records: readonly DeviceRecord[] }) {
  const { t, lang } = useI18n();
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
          {states.map((s) => {
            const d = records.find((r) => r.device === s.device);
            return (
              // Offline and silent need the officer; never seen is how every device starts (a scanner waits for its first scan).
              <tr key={s.device} className={s.state === 'offline' || s.state === 'silent' ? 'row-alert' : undefined} data-state={s.state}>
                <td className="mono">{s.device}</td>
                <td>
                  <span className={`badge device-${s.state}`}>
                    <span className="dot" aria-hidden="true" />
                    {t(`device.${s.state}`)}
                  </span>
                </td>
                <td className="num">{d ? d.frames : '–'}</td>
                <td className={`num ${d && d.bad_frames > 0 ? 'warn' : ''}`}>{d ? d.bad_frames : '–'}</td>
                <td className={`num ${d && d.lost_frames > 0 ? 'warn' : ''}`}>{d ? d.lost_frames : '–'}</td>
                <td>
                  {s.lastSeenAgeS === null ? t('officer.deviceNever') : t('officer.deviceAgo', { d: formatDuration(s.lastSeenAgeS, lang) })}
                  {d && <span className="sub">{formatTimeSeconds(d.time)}</span>}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
