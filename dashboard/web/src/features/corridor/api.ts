import type { CheckpointInfo, CheckpointStatus, CorridorLive, Direction, HeldRecords, WaitEstimate } from '@gatewatch/shared';

export const CORRIDOR_URLS = {
  checkpoints: '/api/v1/checkpoints',
  waitEstimates: '/api/v1/wait-estimates',
} as const;

export interface CrossingNow {
  checkpoint: string;
  status: CheckpointStatus | 'unknown';
  estimates: WaitEstimate[];
}

/** The corridor from the public REST estimates (before the first live `corridor` event). */
export function corridorFromEstimates(estimates: readonly WaitEstimate[]): CrossingNow[] {
  const by = new Map<string, CrossingNow>();
  for (const e of estimates) {
    let c = by.get(e.checkpoint);
    if (!c) by.set(e.checkpoint, (c = { checkpoint: e.checkpoint, status: 'unknown', estimates: [] }));
    c.estimates.push(e);
  }
  return [...by.values()];
}

export function estimateOf(c: CrossingNow | undefined, direction: Direction): WaitEstimate | undefined {
  return c?.estimates.find((e) => e.direction === direction);
}

export function sortByOrder(list: readonly CheckpointInfo[]): CheckpointInfo[] {
  return [...list].sort((a, b) => a.order - b.order);
}

export type { CorridorLive };

/**
 * An estimate as the page may show it now (shared state model): the server's state, aged by the
 * page's own clock and link. A page that has lost the server shows every figure stale from the
 * moment it did (a closed crossing stays closed until its opening: the schedule needs no link);
 * a stale figure grows older while it is shown. The server sends the corridor only when it
 * changes, so an open figure is not aged while the link holds.
 */
export function estimateAsShown(e: WaitEstimate, receivedAtMs: number, link: HeldRecords['link'], nowMs: number): WaitEstimate {
  const sinceS = Math.max(0, Math.round((nowMs - receivedAtMs) / 1000));
  if (e.state === 'closed' && (e.opensAt === undefined || Date.parse(e.opensAt) > nowMs)) return e;
  if (!link.up) {
    const lostS = Math.max(0, Math.round((nowMs - link.sinceMs) / 1000));
    const { opensAt: _o, closesAt: _c, ...rest } = e;
    return { ...rest, state: 'stale', level: 'unknown', lanesOpen: 0, ageS: Math.max(lostS, e.state === 'stale' ? (e.ageS ?? 0) + sinceS : 0) };
  }
  if (e.state === 'stale') return { ...e, ageS: (e.ageS ?? 0) + sinceS };
  return e;
}
