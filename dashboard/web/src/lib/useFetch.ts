import { useCallback, useEffect, useMemo, useState } from 'react';
import { getJson } from './api.js';

export interface FetchState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/** GET a JSON URL (null: nothing to fetch); refetches when the URL changes, aborts stale ones. */
export function useFetch<T>(url: string | null, refreshMs?: number): FetchState<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(url !== null);
  const [nonce, setNonce] = useState(0);
  const reload = useCallback(() => setNonce((n) => n + 1), []);

  useEffect(() => {
    if (url === null) {
      setLoading(false);
      setData(undefined);
      setError(undefined);
      return;
    }
    const ac = new AbortController();
    setLoading(true);
    setError(undefined);
    getJson<T>(url, ac.signal).then(
      (d) => {
        if (ac.signal.aborted) return;
        setData(d);
        setLoading(false);
      },
      (e: unknown) => {
        if (ac.signal.aborted) return;
        setError(e instanceof Error ? e : new Error(String(e)));
        setLoading(false);
      },
    );
    return () => ac.abort();
  }, [url, nonce]);

  useEffect(() => {
    if (!refreshMs || url === null) return;
    const id = setInterval(reload, refreshMs);
    return () => clearInterval(id);
  }, [refreshMs, url, reload]);

  return useMemo(() => ({ data, error, loading, reload }), [data, error, loading, reload]);
}
