import type { TypicalWait, WaitPoint } from '@gatewatch/shared';
import { useFetch } from '../../../lib/useFetch.js';
import type { FetchState } from '../../../lib/useFetch.js';
import { trendUrl, typicalUrl } from '../api.js';

/** The wait trend of the last hours (1-minute aggregates), refreshed every minute. */
export const useWaitTrend = (checkpoint: string | undefined, hours: number): FetchState<WaitPoint[]> =>
  useFetch<WaitPoint[]>(checkpoint ? trendUrl(checkpoint, hours) : null, 60_000);

/** Typical wait by local hour of day over the last weeks. */
export const useTypicalWait = (checkpoint: string | undefined, weeks: number): FetchState<TypicalWait[]> =>
  useFetch<TypicalWait[]>(checkpoint ? typicalUrl(checkpoint, weeks) : null);
