import type { Channel, CongestionLevel } from '@gatewatch/shared';
import { useI18n } from '../i18n/index.js';

export const LEVELS: readonly CongestionLevel[] = ['normal', 'busy', 'congested', 'closed', 'unknown'];

export function LevelBadge({ level }: { level: CongestionLevel }) {
  const { t } = useI18n();
  return (
    <span className={`badge level-${level}`} data-level={level}>
      <span className="dot" aria-hidden="true" />
      {t(`level.${level}`)}
    </span>
  );
}

export function LevelLegend() {
  const { t } = useI18n();
  return (
    <div className="legend" role="group" aria-label={t('level.legend')}>
      <span className="legend-title">{t('level.legend')}:</span>
      <ul>
        {LEVELS.map((l) => (
          <li key={l}>
            <LevelBadge level={l} />
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ChannelChip({ channel }: { channel: Channel | 'unknown' }) {
  const { t } = useI18n();
  return (
    <span className={`chip channel-${channel}`} data-channel={channel}>
      <span className="dot" aria-hidden="true" />
      {t(`channel.${channel}`)}
    </span>
  );
}

export function OnlineBadge({ online }: { online: boolean | 'unknown' }) {
  const { t } = useI18n();
  const key = online === 'unknown' ? 'unknown' : online ? 'online' : 'offline';
  return (
    <span className={`badge status-${key}`}>
      <span className="dot" aria-hidden="true" />
      {t(`status.${key}`)}
    </span>
  );
}
