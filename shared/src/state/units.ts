/**
 * Where each unit inside the control area is, from the edge's `live/units` record and the clock:
 *
 * - `queued`: seen joining the queue, not yet at the gate;
 * - `atGate`: at the control point, its papers checked (no decision yet, or yellow);
 * - `inInspection`: through the gate on the red channel (the inspection yard, an hour or more);
 * - `leaving`: through the gate and released (green), on its way to the exit.
 *
 * A unit seen at the exit has left: the edge still lists it while it holds the clearance for
 * its lateness window, but it is never shown as inside.
 */
import { timeInsideS, type OverdueLimits, type UnitInside, type UnitsInsideRecord } from '../dashboard.js';

export type UnitStage = 'queued' | 'atGate' | 'inInspection' | 'leaving';

export interface UnitState extends UnitInside {
  stage: UnitStage;
  /** Seconds since its first stage, now. */
  insideS: number;
  overdue: boolean;
}

export function unitStage(u: UnitInside): UnitStage | 'exited' {
  if (u.exitAt !== undefined) return 'exited';
  if (u.gateAt === undefined) return 'queued';
  if (u.channel === 'red') return 'inInspection';
  if (u.channel === 'green') return 'leaving';
  return 'atGate';
}

/** The units inside now, longest inside first; exited ones left out. */
export function unitsInside(record: UnitsInsideRecord | null | undefined, overdue: OverdueLimits, nowMs: number): UnitState[] {
  const out: UnitState[] = [];
  for (const u of record?.units ?? []) {
    const stage = unitStage(u);
    if (stage === 'exited') continue;
    const insideS = timeInsideS(u, nowMs);
    out.push({ ...u, stage, insideS, overdue: insideS > overdue[u.channel] });
  }
  return out.sort((a, b) => b.insideS - a.insideS || a.unit.localeCompare(b.unit));
}
