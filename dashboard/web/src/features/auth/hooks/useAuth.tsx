import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import type { Me } from '@gatewatch/shared';
import { fetchMe, login as apiLogin, logout as apiLogout } from '../api.js';
import { UNAUTHORIZED_EVENT } from '../../../lib/api.js';
import { getSocket, reconnectSocket } from '../../../lib/socket.js';

export interface Auth {
  /** undefined while the first /me is under way */
  me: Me | null | undefined;
  signIn: (username: string, password: string) => Promise<Me>;
  signOut: () => Promise<void>;
  /** Whether the user may see this checkpoint's officer view and history. */
  canSee: (checkpoint: string) => boolean;
}

const AuthContext = createContext<Auth | null>(null);

export function AuthProvider({ children, initialMe }: { children: ReactNode; initialMe?: Me | null }) {
  const [me, setMe] = useState<Me | null | undefined>(initialMe);

  useEffect(() => {
    if (initialMe !== undefined) return;
    let live = true;
    fetchMe().then(
      (m) => live && setMe(m),
      () => live && setMe(null),
    );
    return () => {
      live = false;
    };
  }, [initialMe]);

  // A session that ends (idle, shift over, server restart) is disconnected by the server:
  // reconnect as the public and ask who we are, so the views fall back to "sign in".
  useEffect(() => {
    // After a reconnect (a server restart ends every session) ask again too.
    const s = getSocket();
    let dropped = false;
    const recheck = () => fetchMe().then(setMe, () => setMe(null));
    const onDisconnect = (reason: string) => {
      dropped = true;
      if (reason === 'io server disconnect') s.connect();
    };
    const onConnect = () => {
      if (!dropped) return;
      dropped = false;
      void recheck();
    };
    s.on('disconnect', onDisconnect);
    s.on('connect', onConnect);
    // a 401 or a refused watch elsewhere: the session may be over
    const onUnauthorized = () => void recheck();
    globalThis.addEventListener?.(UNAUTHORIZED_EVENT, onUnauthorized);
    return () => {
      globalThis.removeEventListener?.(UNAUTHORIZED_EVENT, onUnauthorized);
      s.off('disconnect', onDisconnect);
      s.off('connect', onConnect);
    };
  }, []);

  const signIn = useCallback(async (username: string, password: string) => {
    const m = await apiLogin(username, password);
    setMe(m);
    reconnectSocket();
    return m;
  }, []);

  const signOut = useCallback(async () => {
    try {
      await apiLogout();
    } finally {
      setMe(null);
      reconnectSocket();
    }
  }, []);

  const value = useMemo<Auth>(
    () => ({ me, signIn, signOut, canSee: (cp) => !!me && me.checkpoints.includes(cp) }),
    [me, signIn, signOut],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): Auth {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}
