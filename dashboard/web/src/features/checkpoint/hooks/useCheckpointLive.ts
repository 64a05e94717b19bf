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
} from '@gatewatch/shared';
import { signalUnauthorized } from '../../../lib/api.js';
import { getSocket } from '../api.js';
import { initialLiveState, liveReducer } from '../liveState.js';
import type { LiveState } from '../liveState.js';

export interface CheckpointLiveView extends LiveState {
  /** The server refused the watch (e.g. not this user's checkpoint). */
  error: string | undefined;
  connected: boolean;
}

/**
 * Watch one checkpoint: `watch(id)` on every (re)connect, so the whole state comes back at
 * once after a reconnect; the room's events folded in by liveReducer; `unwatch` on leaving.
 */
export function useCheckpointLive(checkpoint: string, enabled: boolean): CheckpointLiveView {
  const [state, dispatch] = useReducer(liveReducer, checkpoint, initialLiveState);
  const [error, setError] = useState<string | undefined>(undefined);
  const [connected, setConnected] = useState(false);

  useEffect(() => {
    dispatch({ type: 'reset', checkpoint });
    setError(undefined);
    if (!enabled) return;
    const s = getSocket();
    let active = true;
    const watch = () => {
      setConnected(true);
      s.emit('watch', checkpoint, (r: WatchReply) => {
        if (!active) return;
        setError(r.ok ? undefined : r.error);
        if (!r.ok) signalUnauthorized();
      });
    };
    const onDisconnect = () => setConnected(false);
    const onCheckpoint = (live: CheckpointLive) => dispatch({ type: 'snapshot', live });
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

  return useMemo(() => ({ ...state, error, connected }), [state, error, connected]);
}
