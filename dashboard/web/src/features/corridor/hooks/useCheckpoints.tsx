import { createContext, useContext, useMemo } from 'react';
import type { ReactNode } from 'react';
import type { CheckpointInfo } from '@gatewatch/shared';
import { useFetch } from '../../../lib/useFetch.js';
import { CORRIDOR_URLS, sortByOrder } from '../api.js';

export interface CheckpointsState {
  /** In corridor order, Lao Cai → Hai Phong. */
  list: CheckpointInfo[] | undefined;
  byId: Map<string, CheckpointInfo>;
  loading: boolean;
  error: Error | undefined;
  reload: () => void;
}

const Ctx = createContext<CheckpointsState | null>(null);

/** The public list of checkpoints, fetched once for the whole app. */
export function CheckpointsProvider({ children }: { children: ReactNode }) {
  const f = useFetch<CheckpointInfo[]>(CORRIDOR_URLS.checkpoints);
  const value = useMemo<CheckpointsState>(() => {
    const list = f.data ? sortByOrder(f.data) : undefined;
    return { list, byId: new Map((list ?? []).map((c) => [c.id, c])), loading: f.loading, error: f.error, reload: f.reload };
  }, [f]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

/** For tests and previews: a fixed list. */
export function StaticCheckpointsProvider({ list, children }: { list: CheckpointInfo[]; children: ReactNode }) {
  const value = useMemo<CheckpointsState>(
    () => ({ list: sortByOrder(list), byId: new Map(list.map((c) => [c.id, c])), loading: false, error: undefined, reload: () => {} }),
    [list],
  );
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useCheckpoints(): CheckpointsState {
  const v = useContext(Ctx);
  if (!v) throw new Error('useCheckpoints outside CheckpointsProvider');
  return v;
}
