import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CoreInput } from '../core/inputs.js';
import { ReleaseTicks } from './releaseTicks.js';

const W = 5000;
const SPACING = 50;

function exit(rx: number, type: 'sighting' | 'loop' = 'sighting'): CoreInput {
  return type === 'loop'
    ? { type: 'loop', id: `l${rx}`, ts: rx, rx, lane: 'IN-1', point: 'exit' }
    : { type: 'sighting', id: `s${rx}`, ts: rx, rx, lane: 'IN-1', point: 'exit', unit: `29C-${rx}`, source: 'camera' };
}

describe('release ticks', () => {
  let ticks: number[];
  let rt: ReleaseTicks;
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_000_000 });
    ticks = [];
    rt = new ReleaseTicks({
      latenessWindowMs: W,
      minSpacingMs: SPACING,
      now: () => Date.now(),
      wallDelay: (ms) => Math.max(0, ms),
      // As the agent does: the tick is submitted, then reported back.
      tick: () => {
        ticks.push(Date.now());
        rt.ticked(Date.now());
      },
    });
    rt.start();
  });
  afterEach(() => {
    rt.stop();
    vi.useRealTimers();
  });

  it('ticks once the lateness window after an exit camera reading or exit-loop edge was received', () => {
    const t0 = Date.now();
    rt.noteInput(exit(t0));
    vi.advanceTimersByTime(W);
    expect(ticks).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(ticks).toEqual([t0 + W + 1]);

    rt.noteInput(exit(Date.now(), 'loop'));
    vi.advanceTimersByTime(W + 1);
    expect(ticks).toEqual([t0 + W + 1, t0 + 2 * W + 2]);
  });

  it('asks nothing for inputs that make nothing due', () => {
    const t0 = Date.now();
    rt.noteInput({ type: 'sighting', id: 'q', ts: t0, rx: t0, lane: 'IN-1', point: 'queue', unit: '29C-1', source: 'camera' });
    rt.noteInput({ type: 'loop', id: 'g', ts: t0, rx: t0, lane: 'IN-1', point: 'gate' });
    rt.noteInput({ type: 'decision', id: 'd', ts: t0, rx: t0, unit: '29C-1', channel: 'green' });
    rt.noteInput({ type: 'tick', now: t0 });
    vi.advanceTimersByTime(10 * W);
    expect(ticks).toEqual([]);
  });

  it('a burst of exits: every due moment is ticked within the spacing, ticks at least the spacing apart', () => {
    const t0 = Date.now();
    const due: number[] = [];
    for (let i = 0; i < 200; i++) {
      rt.noteInput(exit(Date.now()));
      due.push(Date.now() + W + 1);
      vi.advanceTimersByTime(2);
    }
    vi.advanceTimersByTime(2 * W);
    expect(ticks.length).toBeGreaterThan(1);
    expect(ticks.length).toBeLessThanOrEqual(Math.ceil((400 + SPACING) / SPACING));
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]! - ticks[i - 1]!).toBeGreaterThanOrEqual(SPACING);
    for (const d of due) {
      const first = ticks.find((t) => t >= d);
      expect(first, `a tick at or after ${d - t0}`).toBeDefined();
      expect(first! - d).toBeLessThanOrEqual(SPACING);
    }
  });

  it("the agent's own tick past the due moment makes this one unnecessary", () => {
    const t0 = Date.now();
    rt.noteInput(exit(t0));
    vi.advanceTimersByTime(W - 10);
    vi.setSystemTime(t0 + W + 1);
    rt.ticked(t0 + W + 1);
    vi.advanceTimersByTime(10 * W);
    expect(ticks).toEqual([]);
  });

  it('stop() cancels what was asked for', () => {
    rt.noteInput(exit(Date.now()));
    rt.stop();
    vi.advanceTimersByTime(2 * W);
    expect(ticks).toEqual([]);
  });
});
