/** Time as the benchmark's processes share it, and what its subscriber process reports. */

/**
 * Milliseconds since the epoch with sub-millisecond resolution, comparable between the
 * benchmark and the processes it starts on this machine (the subscriber stamps its last
 * message with it; the benchmark its first publish).
 */
export const nowMs = (): number => performance.timeOrigin + performance.now();

export type SubscriberMessage =
  | { type: 'ready' }
  | { type: 'progress'; count: number; connects: number }
  | { type: 'done'; count: number; firstAtMs: number; lastAtMs: number; connects: number }
  | { type: 'stopped'; count: number; connects: number };
