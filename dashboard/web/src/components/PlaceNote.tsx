import type { PlaceState } from '@gatewatch/shared';
import { useI18n } from '../i18n/index.js';
import { formatDuration, formatTime } from '../lib/time.js';

/**
 * What the state of a lane, a direction or a crossing says in words, in the page's language: closed with its reopening, the age
 * of stale figures, or nothing known. Open lanes need no words: their figures speak.
 */
export function PlaceNote({ place }: { place: Pick<PlaceState, 'state' | 'opensAt' | 'ageS'> }) {
  const { t, lang } = useI18n();
  if (place.state === 'closed') return <span className="place-note">{place.opensAt ? t('place.opensAt', { time: formatTime(place.opensAt) }) : t('place.closed')}</span>;
  if (place.state === 'stale') return <span className="place-note stale">{t('place.stale', { age: formatDuration(place.ageS ?? 0, lang) })}</span>;
  if (place.state === 'unknown') return <span className="place-note">{t('place.unknown')}</span>;
  return null;
}

