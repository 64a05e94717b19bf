/**
 * Every MQTT topic of GateWatch, and the payload each carries. Edge, server and web use
 * only these builders and this map, so a topic is spelled in one place.
 */
import type { CameraEvent, DecisionEvent } from './events.js';
import type { UnitsInsideRecord } from './dashboard.js';
import type { CheckpointStatus, ClearanceRecord, DeviceRecord, QueueRecord } from './records.js';

export const TOPIC_ROOT = 'gw/v1';

export const topics = {
  camera: (checkpoint: string, cameraId: string) => `${TOPIC_ROOT}/${checkpoint}/cam/${cameraId}`,
  allCameras: (checkpoint: string) => `${TOPIC_ROOT}/${checkpoint}/cam/+`,
  decision: (checkpoint: string) => `${TOPIC_ROOT}/${checkpoint}/decision`,
  liveClearance: (checkpoint: string) => `${TOPIC_ROOT}/${checkpoint}/live/clearance`,
  liveQueue: (checkpoint: string) => `${TOPIC_ROOT}/${checkpoint}/live/queue`,
  liveDevice: (checkpoint: string) => `${TOPIC_ROOT}/${checkpoint}/live/device`,
  /** Retained: the units now inside the control area (officers only: unit ids). */
  liveUnits: (checkpoint: string) => `${TOPIC_ROOT}/${checkpoint}/live/units`,
  /** Every live topic of every checkpoint (dashboard subscription). */
  allLive: () => `${TOPIC_ROOT}/+/live/+`,
  status: (checkpoint: string) => `${TOPIC_ROOT}/${checkpoint}/status`,
  allStatus: () => `${TOPIC_ROOT}/+/status`,
} as const;

/** Payload type of each topic kind. */
export interface TopicPayloads {
  camera: CameraEvent;
  decision: DecisionEvent;
  liveClearance: ClearanceRecord;
  liveQueue: QueueRecord;
  liveDevice: DeviceRecord;
  liveUnits: UnitsInsideRecord;
  status: CheckpointStatus;
}

export type ParsedTopic =
  | { kind: 'camera'; checkpoint: string; cameraId: string }
  | { kind: 'decision'; checkpoint: string }
  | { kind: 'liveClearance' | 'liveQueue' | 'liveDevice' | 'liveUnits'; checkpoint: string }
  | { kind: 'status'; checkpoint: string };

const LIVE = { clearance: 'liveClearance', queue: 'liveQueue', device: 'liveDevice', units: 'liveUnits' } as const;

/** Reads a GateWatch topic; undefined for anything else. */
export function parseTopic(topic: string): ParsedTopic | undefined {
  const parts = topic.split('/');
  if (parts[0] !== 'gw' || parts[1] !== 'v1') return undefined;
  const checkpoint = parts[2];
  if (!checkpoint) return undefined;
  const [a, b, extra] = parts.slice(3);
  if (extra !== undefined) return undefined;
  if (a === 'cam' && b) return { kind: 'camera', checkpoint, cameraId: b };
  if (a === 'decision' && b === undefined) return { kind: 'decision', checkpoint };
  if (a === 'status' && b === undefined) return { kind: 'status', checkpoint };
  if (a === 'live' && b !== undefined && Object.hasOwn(LIVE, b)) return { kind: LIVE[b as keyof typeof LIVE], checkpoint };
  return undefined;
}
