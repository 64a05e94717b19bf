/**
 * Cameras and the customs decision feed, over MQTT. A payload that is not a JSON object, has a
 * field of the wrong type or lacks a valid `ts` with an offset is refused, counted and logged:
 * it never creates or changes a unit (contract notes).
 */
import { decodeCameraEvent, decodeDecisionEvent, parseTimestamp, parseTopic, type InputError } from '@gatewatch/shared';
import type { CoreInput, LaneInput } from '../core/inputs.js';
import type { EventBus } from '../eventBus.js';
import type { Log } from '../log.js';
import { RateLimitedLog } from '../log.js';

/** Device id under which the customs decision feed is reported in `device` records. */
export const DECISION_FEED = 'customs-feed';
/** Cameras nobody configured are still heard, but only this many get their own health record. */
const MAX_TRACKED_SOURCES = 64;

export interface SourceCounters {
  frames: number;
  bad_frames: number;
  lastSeenMs: number | undefined;
}

export interface MqttInputsDeps {
  checkpoint: string;
  cameraIds: readonly string[];
  submit(input: CoreInput): void;
  bus: EventBus;
  log: Log;
  now: () => number;
}

export class MqttInputs {
  private readonly sources = new Map<string, SourceCounters>();
  private readonly warnLog: RateLimitedLog;
  unknownTopics = 0;

  constructor(private readonly deps: MqttInputsDeps) {
    this.warnLog = new RateLimitedLog(deps.log);
    for (const id of [...deps.cameraIds, DECISION_FEED]) this.sources.set(id, { frames: 0, bad_frames: 0, lastSeenMs: undefined });
  }

  /** MqttLink's onMessage: synchronous, returns once the input is journaled. */
  readonly handle = (topic: string, payload: Buffer): void => {
    const parsed = parseTopic(topic);
    if (!parsed || parsed.checkpoint !== this.deps.checkpoint || (parsed.kind !== 'camera' && parsed.kind !== 'decision')) {
      this.unknownTopics++;
      this.warnLog.warn('topic', { topic }, 'message on a topic this agent does not read: ignored');
      return;
    }
    const rx = this.deps.now();
    if (parsed.kind === 'camera') {
      const source = this.source(parsed.cameraId);
      const decoded = decodeCameraEvent(payload, topic);
      if (!decoded.ok) return this.refuse(parsed.cameraId, source, decoded.error);
      const e = decoded.value;
      this.accept(source, rx, {
        // Ids are unique per device: two cameras that both number their messages 1, 2, 3 …
        // must not be taken for repeats of each other.
        type: 'sighting', id: `${parsed.cameraId}/${e.id}`, ts: parseTimestamp(e.ts)!, rx, lane: e.lane, point: e.point, unit: e.unit, kind: e.kind, source: 'camera',
      });
    } else {
      const source = this.source(DECISION_FEED);
      const decoded = decodeDecisionEvent(payload, topic);
      if (!decoded.ok) return this.refuse(DECISION_FEED, source, decoded.error);
      const e = decoded.value;
      const input: LaneInput = { type: 'decision', id: `${DECISION_FEED}/${e.id}`, ts: parseTimestamp(e.ts)!, rx, unit: e.unit, channel: e.channel };
      if (e.declaration !== undefined) input.declaration = e.declaration;
      this.accept(source, rx, input);
    }
  };

  counters(): ReadonlyMap<string, SourceCounters> {
    return this.sources;
  }

  private source(id: string): SourceCounters | undefined {
    let s = this.sources.get(id);
    if (!s && this.sources.size < MAX_TRACKED_SOURCES + 1) {
      s = { frames: 0, bad_frames: 0, lastSeenMs: undefined };
      this.sources.set(id, s);
    }
    return s;
  }

  private accept(source: SourceCounters | undefined, rx: number, input: LaneInput): void {
    this.deps.bus.emit('input', input);
    this.deps.submit(input);
    if (source) {
      source.frames++;
      source.lastSeenMs = rx;
    }
  }

  private refuse(sourceId: string, source: SourceCounters | undefined, error: InputError): void {
    if (source) source.bad_frames++;
    this.deps.bus.emit('badInput', sourceId, error);
    // Log keys only for tracked sources: random camera ids in topics must not grow memory.
    this.warnLog.warn(source ? `bad:${sourceId}` : 'bad:untracked', { device: sourceId, code: error.code, error: error.message }, 'message refused');
  }
}
