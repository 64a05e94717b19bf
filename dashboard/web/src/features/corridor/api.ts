import type { CheckpointInfo, CheckpointStatus, CorridorLive, Direction, WaitEstimate } from '@gatewatch/shared';

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
