import type { Lang, PlaceState } from '@gatewatch/shared';
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


/**
 * The wait of a lane or direction in words: closed has none ("Closed"), an open empty queue is
 * "No queue" rather than "0 seconds", nothing known is "–"; stale figures are the last known
 * (PlaceNote says how old).
 */
export function waitText(
  place: Pick<PlaceState, 'state'> & { waitS: number | null; queueLength: number | null },
  t: ReturnType<typeof useI18n>['t'],
  lang: Lang,
): string {
  if (place.state === 'closed') return t('level.closed');
  if (place.waitS === null) return '–';
  if (place.state === 'open' && place.queueLength === 0) return t('place.noQueue');
  return formatDuration(place.waitS, lang);
}
