/**
 * The one socket.io connection of the page, typed with the shared contract. Everyone joins the
 * corridor room; views that watch a checkpoint re-send `watch` on every (re)connect. After
 * sign-in or sign-out the socket reconnects so that the server sees the new cookie.
 */
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';
import { useEffect, useMemo, useState } from 'react';
import type { ClientToServerEvents, ServerToClientEvents } from '@gatewatch/shared';

export type GateSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

let socket: GateSocket | null = null;

export function getSocket(): GateSocket {
  if (!socket) {
    socket = io({ path: '/socket.io', withCredentials: true, transports: ['websocket', 'polling'] });
  }
  return socket;
}

/** Reconnect with the current cookie (after sign-in/out). */
export function reconnectSocket(): void {
  if (!socket) return;
  socket.disconnect();
  socket.connect();
}

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

export function useConnection(): { state: ConnectionState } {
  const s = getSocket();
  const [state, setState] = useState<ConnectionState>(s.connected ? 'connected' : 'connecting');
  useEffect(() => {
    const on = () => setState('connected');
    const off = () => setState('disconnected');
    s.on('connect', on);
    s.on('disconnect', off);
    s.on('connect_error', off);
    s.io.on('reconnect_attempt', off);
    if (s.connected) setState('connected');
    return () => {
      s.off('connect', on);
      s.off('disconnect', off);
      s.off('connect_error', off);
      s.io.off('reconnect_attempt', off);
    };
  }, [s]);
  return useMemo(() => ({ state }), [state]);
}
