import { useEffect, useMemo, useReducer, useState } from 'react';
import type {
  Alert,
  CheckpointLive,
  CheckpointStatus,
  ClearanceRecord,
  DeviceRecord,
  QueueRecord,
  UnitsInsideRecord,
  WatchReply,
  HeldRecords,
} from '@gatewatch/shared';
import { signalUnauthorized } from '../../../lib/api.js';
import { getSocket } from '../api.js';
import { initialLiveState, liveReducer } from '../liveState.js';
import type { LiveState } from '../liveState.js';

/** Why the server refused to watch: its code (the view says it in the page's language) and its English message. */
export interface WatchRefusal {
  code: string;
  message: string;
}

export interface CheckpointLiveView extends LiveState {
  /** The server refused the watch (e.g. not this user's checkpoint). */
  error: WatchRefusal | undefined;
  connected: boolean;
  /**
   * Whether the page receives this checkpoint's live records: from the whole state after a
   * (re)connect until the socket is lost; if not, since when (the state model ages every figure).
   */
  link: HeldRecords['link'];
}

/** A refusal without a wait the server named: try again after this long. */
const RETRY_DEFAULT_S = 10;

/**
 * Watch one checkpoint: `watch(id)` on every (re)connect, so the whole state comes back at
 * once after a reconnect; the room's events folded in by liveReducer; `unwatch` on leaving.
 */
export function useCheckpointLive(checkpoint: string, enabled: boolean): CheckpointLiveView {
  const [state, dispatch] = useReducer(liveReducer, checkpoint, initialLiveState);
  const [error, setError] = useState<WatchRefusal | undefined>(undefined);
  const [connected, setConnected] = useState(false);
  const [link, setLink] = useState<HeldRecords['link']>(() => ({ up: false, sinceMs: Date.now() }));

  useEffect(() => {
    dispatch({ type: 'reset', checkpoint });
    setError(undefined);
    if (!enabled) return;
    const s = getSocket();
    let active = true;
    let retry: ReturnType<typeof setTimeout> | undefined;
    const watch = () => {
      clearTimeout(retry);
      setConnected(true);
      s.emit('watch', checkpoint, (r: WatchReply) => {
        if (!active) return;
        setError(r.ok ? undefined : { code: r.code ?? 'REFUSED', message: r.error });
        if (r.ok) return;
        // Signed out (the session ended): the app goes to sign-in. Too many watches: again once
        // the wait is over, so that the page does not stay empty until the next reconnect.
        if (r.code === 'UNAUTHORIZED') signalUnauthorized();
        else if (r.code === 'RATE_LIMITED') retry = setTimeout(watch, (r.retryAfterS ?? RETRY_DEFAULT_S) * 1000);
      });
    };
    const onDisconnect = () => {
      setConnected(false);
      setLink((l) => (l.up ? { up: false, sinceMs: Date.now() } : l));
    };
    const onCheckpoint = (live: CheckpointLive) => {
      dispatch({ type: 'snapshot', live });
      if (live.checkpoint === checkpoint) setLink({ up: true });
    };
    const onQueue = (r: QueueRecord) => dispatch({ type: 'queue', r });
    const onClearance = (r: ClearanceRecord) => dispatch({ type: 'clearance', r });
    const onDevice = (r: DeviceRecord) => dispatch({ type: 'device', r });
    const onUnits = (r: UnitsInsideRecord) => dispatch({ type: 'units', r });
    const onStatus = (cp: string, status: CheckpointStatus) => dispatch({ type: 'status', checkpoint: cp, status });
    const onAlert = (a: Alert) => dispatch({ type: 'alert', a });
    s.on('checkpoint', onCheckpoint);
    s.on('queue', onQueue);
    s.on('clearance', onClearance);
    s.on('device', onDevice);
    s.on('units', onUnits);
    s.on('status', onStatus);
    s.on('alert', onAlert);
    s.on('connect', watch);
    s.on('disconnect', onDisconnect);
    if (s.connected) watch();
    return () => {
      active = false;
      clearTimeout(retry);
      s.off('checkpoint', onCheckpoint);
      s.off('queue', onQueue);
      s.off('clearance', onClearance);
      s.off('device', onDevice);
      s.off('units', onUnits);
      s.off('status', onStatus);
      s.off('alert', onAlert);
      s.off('connect', watch);
      s.off('disconnect', onDisconnect);
      if (s.connected) s.emit('unwatch', checkpoint);
    };
  }, [checkpoint, enabled]);

  return useMemo(() => ({ ...state, error, connected, link }), [state, error, connected, link]);
}
