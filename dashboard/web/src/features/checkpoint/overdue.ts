import { DEFAULT_OVERDUE_S, timeInsideS } from '@gatewatch/shared';
import type { CheckpointKind, OverdueLimits, UnitInside } from '@gatewatch/shared';

/** A unit is overdue once inside longer than its channel's limit for the checkpoint's kind. */
export function isOverdue(u: UnitInside, kind: CheckpointKind, nowMs: number, limits: OverdueLimits = DEFAULT_OVERDUE_S[kind]): boolean {
  return timeInsideS(u, nowMs) > limits[u.channel];
}

export type Stage = 'queue' | 'gate' | 'exit';

/** The furthest stage seen. */
export function stageOf(u: UnitInside): Stage {
  if (u.exitAt) return 'exit';
  if (u.gateAt) return 'gate';
  return 'queue';
}
