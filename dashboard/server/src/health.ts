/**
 * `GET /api/health`: whether the broker (subscribed to the live topics) and InfluxDB (a read
 * with the dashboard's account) are reachable, 503 when either is not. For a monitor on this
 * machine (a loopback client) or a signed-in user, also the live records taken and refused; the
 * error answers of every handler (guard.ts: `internal` is bugs, and should stay 0); the
 * process's memory; and warnings about the setup. Not for the internet: the counts would tell an
 * attacker how their attempts fare. The InfluxDB result is reused for a second, so a monitor
 * polling fast does not turn into load on InfluxDB.
 */
import type { Request, Response } from 'express';
import type { HandlerErrors, HandlerErrorStats } from './guard.js';
import type { InfluxClient } from './influx.js';
import type { MqttBridge } from './live/bridge.js';

export interface PublicHealth {
  status: 'up' | 'down';
  broker: 'up' | 'down';
  influx: 'up' | 'down';
  time: string;
}

export interface Health extends PublicHealth {
  mqtt: { received: number; bad: number; ignored: number };
  errors: HandlerErrorStats;
  memory: { rssBytes: number; heapUsedBytes: number };
  warnings: string[];
}

export class HealthCheck {
  private cached: { atMs: number; up: boolean } | undefined;

  constructor(
    private readonly deps: {
      influx: InfluxClient;
      bridge: MqttBridge;
      errors: HandlerErrors;
      warnings: () => string[];
      /** Whether a request may see the details: a loopback client or a signed-in user. */
      insider: (req: Request) => boolean;
    },
  ) {}

  async check(): Promise<Health> {
    const t = Date.now();
    if (!this.cached || t - this.cached.atMs > 1000) this.cached = { atMs: t, up: await this.deps.influx.ping() };
    const { connected, received, bad, ignored } = this.deps.bridge.stats();
    const broker = connected ? 'up' : 'down';
    const influx = this.cached.up ? 'up' : 'down';
    const { rss, heapUsed } = process.memoryUsage();
    return {
      status: broker === 'up' && influx === 'up' ? 'up' : 'down',
      broker,
      influx,
      time: new Date(t).toISOString(),
      mqtt: { received, bad, ignored },
      errors: this.deps.errors.stats(),
      memory: { rssBytes: rss, heapUsedBytes: heapUsed },
      warnings: this.deps.warnings(),
    };
  }

  readonly route = async (req: Request, res: Response): Promise<void> => {
    const h = await this.check();
    const answer: PublicHealth | Health = this.deps.insider(req) ? h : { status: h.status, broker: h.broker, influx: h.influx, time: h.time };
    res.status(h.status === 'up' ? 200 : 503).setHeader('Cache-Control', 'no-store').json(answer);
  };
}
