import { useEffect, useMemo, useState } from 'react';
import type { CorridorLive, WaitEstimate } from '@gatewatch/shared';
import { getSocket } from '../../../lib/socket.js';
import { useFetch } from '../../../lib/useFetch.js';
import { CORRIDOR_URLS, corridorFromEstimates } from '../api.js';
import type { CrossingNow } from '../api.js';

export interface CorridorNow {
  crossings: Map<string, CrossingNow>;
  /** Time of the data (ISO), null before any. */
  time: string | null;
  live: boolean;
  loading: boolean;
  error: Error | undefined;
  reload: () => void;
}

/**
 * The corridor now: the public estimates at once over REST, then every `corridor` event from
 * the socket (sent on joining and whenever an estimate changes).
 */
export function useCorridorLive(): CorridorNow {
  const initial = useFetch<WaitEstimate[]>(CORRIDOR_URLS.waitEstimates);
  const [live, setLive] = useState<CorridorLive | null>(null);

  useEffect(() => {
    const s = getSocket();
    const onCorridor = (c: CorridorLive) => setLive(c);
    s.on('corridor', onCorridor);
    return () => {
      s.off('corridor', onCorridor);
    };
  }, []);

  return useMemo<CorridorNow>(() => {
    const list: CrossingNow[] = live ? live.checkpoints : corridorFromEstimates(initial.data ?? []);
    let time: string | null = live?.time ?? null;
    if (!time) {
      for (const c of list) for (const e of c.estimates) if (e.updatedAt && (!time || e.updatedAt > time)) time = e.updatedAt;
    }
    return {
      crossings: new Map(list.map((c) => [c.checkpoint, c])),
      time,
      live: live !== null,
      loading: !live && initial.loading,
      // a failed REST answer matters only while nothing came live
      error: live ? undefined : initial.error,
      reload: initial.reload,
    };
  }, [live, initial]);
}
