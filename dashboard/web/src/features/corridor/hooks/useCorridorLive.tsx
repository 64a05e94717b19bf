import { createContext, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { CorridorLive, HeldRecords, WaitEstimate } from '@gatewatch/shared';
import { getSocket, useConnection } from '../../../lib/socket.js';
import { useNow } from '../../../lib/useNow.js';
import { useFetch } from '../../../lib/useFetch.js';
import { CORRIDOR_URLS, corridorFromEstimates, estimateAsShown } from '../api.js';
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

/** How long the socket may take to send the corridor before the public REST answer is asked for. */
export const REST_FALLBACK_MS = 1500;

const Ctx = createContext<CorridorNow | null>(null);

/**
 * The corridor now, for the whole app: every `corridor` event of the socket (sent on joining and
 * whenever an estimate changes). Only when the socket is slow to deliver does it ask the public
 * REST estimates, which are rate-limited per address.
 */
export function CorridorProvider({ children }: { children: ReactNode }) {
  const [live, setLive] = useState<{ corridor: CorridorLive; receivedAtMs: number } | null>(null);
  const connection = useConnection();
  const [lostAtMs, setLostAtMs] = useState<number | undefined>(undefined);
  // Figures age by the second (estimateAsShown): a page that lost the server says so.
  const now = useNow(1000);
  useEffect(() => {
    if (connection.state === 'disconnected') setLostAtMs((t) => t ?? Date.now());
    else if (connection.state === 'connected') setLostAtMs(undefined);
  }, [connection.state]);
  const [wantRest, setWantRest] = useState(false);
  const rest = useFetch<WaitEstimate[]>(wantRest && !live ? CORRIDOR_URLS.waitEstimates : null);

  useEffect(() => {
    const s = getSocket();
    const onCorridor = (c: CorridorLive) => setLive({ corridor: c, receivedAtMs: Date.now() });
    s.on('corridor', onCorridor);
    const timer = setTimeout(() => setWantRest(true), REST_FALLBACK_MS);
    return () => {
      clearTimeout(timer);
      s.off('corridor', onCorridor);
    };
  }, []);

  const value = useMemo<CorridorNow>(() => {
    const link: HeldRecords['link'] = lostAtMs === undefined ? { up: true } : { up: false, sinceMs: lostAtMs };
    const received = live?.receivedAtMs ?? now;
    const list: CrossingNow[] = (live ? live.corridor.checkpoints : corridorFromEstimates(rest.data ?? [])).map((c) => ({
      ...c,
      estimates: c.estimates.map((e) => estimateAsShown(e, received, link, now)),
    }));
    let time: string | null = live?.corridor.time ?? null;
    if (!time) {
      for (const c of list) for (const e of c.estimates) if (e.updatedAt && (!time || e.updatedAt > time)) time = e.updatedAt;
    }
    return {
      crossings: new Map(list.map((c) => [c.checkpoint, c])),
      time,
      live: live !== null,
      loading: !live && !rest.data && !rest.error,
      // a failed REST answer matters only while nothing came live
      error: live ? undefined : rest.error,
      reload: rest.reload,
    };
  }, [live, rest, lostAtMs, now]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useCorridorLive(): CorridorNow {
  const v = useContext(Ctx);
  if (!v) throw new Error('useCorridorLive outside CorridorProvider');
  return v;
}
