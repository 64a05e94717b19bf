import { useCallback, useEffect, useMemo, useState } from 'react';
import { getJson } from './api.js';

export interface FetchState<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload: () => void;
}

/**
 * GET a JSON URL (null: nothing to fetch); refetches when the URL changes, aborts stale ones.
 * A periodic refresh keeps the data shown meanwhile; a new URL shows none until it answers.
 */
export function useFetch<T>(url: string | null, refreshMs?: number): FetchState<T> {
  // the answer with the URL it answers: a new URL never shows the previous query's data
  const [answer, setAnswer] = useState<{ url: string; data: T } | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [loading, setLoading] = useState(url !== null);
  const [nonce, setNonce] = useState(0);
  const reload = useCallback(() => setNonce((n) => n + 1), []);

  useEffect(() => {
    if (url === null) {
      setLoading(false);
      setAnswer(undefined);
      setError(undefined);
      return;
    }
    const ac = new AbortController();
    setLoading(true);
    setError(undefined);
    getJson<T>(url, ac.signal).then(
      (d) => {
        if (ac.signal.aborted) return;
        setAnswer({ url, data: d });
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

  const data = answer && answer.url === url ? answer.data : undefined;
  return useMemo(() => ({ data, error, loading: loading || (url !== null && data === undefined && !error), reload }), [data, error, loading, url, reload]);
}
