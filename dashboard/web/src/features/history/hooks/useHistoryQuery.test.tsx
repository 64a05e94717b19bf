// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { act, cleanup, renderHook } from '@testing-library/react';
import { useHistoryQuery } from './useHistoryQuery.js';

afterEach(cleanup);

const ALLOWED = ['lao-cai-rail', 'kim-thanh-road'];

describe('useHistoryQuery', () => {
  it('starts with every allowed checkpoint, the last 7 days, daily', () => {
    const { result } = renderHook(() => useHistoryQuery(ALLOWED));
    expect(result.current.selected).toEqual(ALLOWED);
    expect(result.current.preset).toBe('7d');
    expect(result.current.interval).toBe('day');
    const q = result.current.query!;
    expect(q.checkpoints).toEqual(ALLOWED);
    expect(q.from.endsWith('T00:00:00+07:00')).toBe(true);
    expect((Date.parse(q.to) - Date.parse(q.from)) / 86_400_000).toBe(7);
  });

  it('goes hourly for today and explains what is missing', () => {
    const { result } = renderHook(() => useHistoryQuery(ALLOWED));
    act(() => result.current.choosePreset('today'));
    expect(result.current.interval).toBe('hour');
    expect((Date.parse(result.current.query!.to) - Date.parse(result.current.query!.from)) / 86_400_000).toBe(1);

    act(() => result.current.toggle('lao-cai-rail'));
    expect(result.current.selected).toEqual(['kim-thanh-road']);
    act(() => result.current.toggle('kim-thanh-road'));
    expect(result.current.query).toBeNull();
    expect(result.current.invalid).toBe('noCheckpoint');
    act(() => result.current.toggle('kim-thanh-road'));

    act(() => result.current.setFromDate('2026-11-20'));
    act(() => result.current.setToDate('2026-11-10'));
    expect(result.current.preset).toBeNull();
    expect(result.current.invalid).toBe('badRange');
    act(() => result.current.setToDate('2026-11-22'));
    expect(result.current.query).toMatchObject({ from: '2026-11-20T00:00:00+07:00', to: '2026-11-23T00:00:00+07:00' });
  });
});
