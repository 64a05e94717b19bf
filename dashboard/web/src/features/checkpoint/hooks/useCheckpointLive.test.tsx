// @vitest-environment jsdom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, cleanup, renderHook } from '@testing-library/react';
import type { CheckpointLive, QueueRecord, WatchReply } from '@gatewatch/shared';
import { useCheckpointLive } from './useCheckpointLive.js';

type Handler = (...args: unknown[]) => void;

/** Just enough of a socket.io client socket: handlers by event, emits recorded. */
const fake = vi.hoisted(() => {
  const handlers = new Map<string, Set<Handler>>();
  const socket = {
    connected: false,
    emitted: [] as unknown[][],
    reply: { ok: true } as WatchReply,
    on(ev: string, h: Handler) {
      if (!handlers.has(ev)) handlers.set(ev, new Set());
      handlers.get(ev)!.add(h);
      return socket;
    },
    off(ev: string, h: Handler) {
      handlers.get(ev)?.delete(h);
      return socket;
    },
    emit(ev: string, ...args: unknown[]) {
      socket.emitted.push([ev, ...args.filter((a) => typeof a !== 'function')]);
      const reply = args.find((a) => typeof a === 'function') as Handler | undefined;
      reply?.(socket.reply);
      return socket;
    },
    /** the server's side: deliver an event */
    fire(ev: string, ...args: unknown[]) {
      for (const h of handlers.get(ev) ?? []) h(...args);
    },
  };
  return socket;
});

vi.mock('../api.js', () => ({ getSocket: () => fake }));

afterEach(() => {
  cleanup();
  fake.emitted = [];
  fake.connected = false;
  fake.reply = { ok: true };
});

const T = '2026-11-25T03:00:00.000Z';
const snapshot: CheckpointLive = {
  checkpoint: 'kim-thanh-road',
  status: 'online',
  lanes: [],
  lastDepartureAt: {},
  series: [],
  units: null,
  devices: [],
  alerts: [],
  clearances: [],
  estimates: [],
};
const queue: QueueRecord = { checkpoint: 'kim-thanh-road', lane: 'IN-1', length: 5, arrivals: 1, departures: 0, wait_estimate_s: 300, time: T, timeNs: '1' };

describe('useCheckpointLive', () => {
  it('sends watch on every (re)connect and takes the whole state again', () => {
    const { result } = renderHook(() => useCheckpointLive('kim-thanh-road', true));
    expect(fake.emitted).toEqual([]);
    act(() => {
      fake.connected = true;
      fake.fire('connect');
    });
    expect(fake.emitted).toEqual([['watch', 'kim-thanh-road']]);
    act(() => fake.fire('checkpoint', snapshot));
    act(() => fake.fire('queue', queue));
    expect(result.current.live?.lanes.map((l) => l.length)).toEqual([5]);
    expect(result.current.series).toHaveLength(1);

    act(() => {
      fake.connected = false;
      fake.fire('disconnect', 'transport close');
    });
    expect(result.current.connected).toBe(false);
    act(() => {
      fake.connected = true;
      fake.fire('connect');
    });
    expect(fake.emitted).toEqual([
      ['watch', 'kim-thanh-road'],
      ['watch', 'kim-thanh-road'],
    ]);
    act(() => fake.fire('checkpoint', { ...snapshot, lanes: [{ ...queue, length: 9 }] }));
    expect(result.current.live?.lanes.map((l) => l.length)).toEqual([9]);
    expect(result.current.connected).toBe(true);
  });

  it('watches at once when already connected, unwatches on leaving, ignores other checkpoints', () => {
    fake.connected = true;
    const { result, unmount } = renderHook(() => useCheckpointLive('kim-thanh-road', true));
    expect(fake.emitted).toEqual([['watch', 'kim-thanh-road']]);
    act(() => fake.fire('checkpoint', { ...snapshot, checkpoint: 'dinh-vu-port' }));
    expect(result.current.live).toBeNull();
    unmount();
    expect(fake.emitted.at(-1)).toEqual(['unwatch', 'kim-thanh-road']);
  });

  it('reports a refused watch by its code and does nothing when not allowed', () => {
    const signedOut = vi.fn();
    window.addEventListener('gatewatch:unauthorized', signedOut);
    fake.connected = true;
    fake.reply = { ok: false, code: 'FORBIDDEN', error: "checkpoint 'kim-thanh-road' is not among yours" };
    const { result } = renderHook(() => useCheckpointLive('kim-thanh-road', true));
    expect(result.current.error).toEqual({ code: 'FORBIDDEN', message: "checkpoint 'kim-thanh-road' is not among yours" });
    // Not a signed-out session: the app must not go to the sign-in page for it.
    expect(signedOut).not.toHaveBeenCalled();
    cleanup();
    fake.reply = { ok: false, code: 'UNAUTHORIZED', error: 'sign in first' };
    renderHook(() => useCheckpointLive('kim-thanh-road', true));
    expect(signedOut).toHaveBeenCalledTimes(1);
    window.removeEventListener('gatewatch:unauthorized', signedOut);
    cleanup();
    fake.emitted = [];
    renderHook(() => useCheckpointLive('kim-thanh-road', false));
    expect(fake.emitted).toEqual([]);
  });

  it('watches again once the wait a RATE_LIMITED refusal names is over, and the live state comes', () => {
    vi.useFakeTimers();
    try {
      fake.connected = true;
      fake.reply = { ok: false, code: 'RATE_LIMITED', error: 'more than 30 watch requests a minute; try again in 4 s', retryAfterS: 4 };
      const { result } = renderHook(() => useCheckpointLive('kim-thanh-road', true));
      expect(result.current.error?.code).toBe('RATE_LIMITED');
      fake.reply = { ok: true };
      act(() => vi.advanceTimersByTime(3_900));
      expect(fake.emitted).toEqual([['watch', 'kim-thanh-road']]);
      act(() => vi.advanceTimersByTime(200));
      expect(fake.emitted).toEqual([['watch', 'kim-thanh-road'], ['watch', 'kim-thanh-road']]);
      expect(result.current.error).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });
});
