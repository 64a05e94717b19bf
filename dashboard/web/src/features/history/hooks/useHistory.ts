import type { ClearanceTimeRow, HeatCell, ThroughputRow } from '@gatewatch/shared';
import { useFetch } from '../../../lib/useFetch.js';
import type { FetchState } from '../../../lib/useFetch.js';
import { historyUrl } from '../api.js';
import type { HistoryQuery } from '../api.js';

export const useThroughput = (q: HistoryQuery | null): FetchState<ThroughputRow[]> =>
  useFetch<ThroughputRow[]>(q ? historyUrl('throughput', q) : null);

export const useClearanceTimes = (q: HistoryQuery | null): FetchState<ClearanceTimeRow[]> =>
  useFetch<ClearanceTimeRow[]>(q ? historyUrl('clearance-times', q) : null);

export const useHeatmap = (q: HistoryQuery | null): FetchState<HeatCell[]> =>
  useFetch<HeatCell[]>(q ? historyUrl('heatmap', q) : null);
