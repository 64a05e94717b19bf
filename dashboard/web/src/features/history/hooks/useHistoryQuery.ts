import { useCallback, useMemo, useState } from 'react';
import type { HistoryInterval } from '@gatewatch/shared';
import { presetDates, rangeOf } from '../api.js';
import type { HistoryQuery, RangePreset } from '../api.js';

export interface HistoryQueryState {
  selected: string[];
  toggle: (checkpoint: string) => void;
  preset: RangePreset | null;
  choosePreset: (p: RangePreset) => void;
  fromDate: string;
  toDate: string;
  setFromDate: (d: string) => void;
  setToDate: (d: string) => void;
  interval: HistoryInterval;
  setInterval: (i: HistoryInterval) => void;
  /** The query to run, or the reason there is none. */
  query: HistoryQuery | null;
  invalid: 'noCheckpoint' | 'badRange' | null;
}

/** The manager view's filters: checkpoints, range (preset or dates), interval. */
export function useHistoryQuery(allowed: readonly string[]): HistoryQueryState {
  const [deselected, setDeselected] = useState<ReadonlySet<string>>(new Set());
  const [preset, setPreset] = useState<RangePreset | null>('7d');
  const [dates, setDates] = useState(() => presetDates('7d', Date.now()));
  const [interval, setInterval] = useState<HistoryInterval>('day');

  const selected = useMemo(() => allowed.filter((c) => !deselected.has(c)), [allowed, deselected]);
  const toggle = useCallback((c: string) => {
    setDeselected((s) => {
      const n = new Set(s);
      if (n.has(c)) n.delete(c);
      else n.add(c);
      return n;
    });
  }, []);
  const choosePreset = useCallback((p: RangePreset) => {
    setPreset(p);
    setDates(presetDates(p, Date.now()));
    setInterval(p === 'today' ? 'hour' : p === '30d' ? 'day' : (i) => i);
  }, []);
  const setFromDate = useCallback((d: string) => {
    setPreset(null);
    setDates((x) => ({ ...x, fromDate: d }));
  }, []);
  const setToDate = useCallback((d: string) => {
    setPreset(null);
    setDates((x) => ({ ...x, toDate: d }));
  }, []);

  return useMemo(() => {
    let invalid: HistoryQueryState['invalid'] = null;
    if (selected.length === 0) invalid = 'noCheckpoint';
    else if (!dates.fromDate || !dates.toDate || dates.fromDate > dates.toDate) invalid = 'badRange';
    const query: HistoryQuery | null = invalid ? null : { checkpoints: selected, ...rangeOf(dates.fromDate, dates.toDate), interval };
    return {
      selected,
      toggle,
      preset,
      choosePreset,
      fromDate: dates.fromDate,
      toDate: dates.toDate,
      setFromDate,
      setToDate,
      interval,
      setInterval,
      query,
      invalid,
    };
  }, [selected, toggle, preset, choosePreset, dates, setFromDate, setToDate, interval]);
}
