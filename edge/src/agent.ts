/**
 * The edge agent of one border crossing (zigbee2mqtt lib/controller.ts): builds the features,
 * starts them in dependency order and stops them in reverse. Each feature's constructor only
 * stores its dependencies; the work happens in start() and stop().
 */
import { join } from 'node:path';
import { WALL_CLOCK, wallDelayMs, type Clock } from './clock.js';
import type { SiteConfig } from './config/types.js';
import { coreConfigOf } from './config/coreConfig.js';
import { ClearanceCore, type CoreSnapshot } from './core/index.js';
import { EventBus } from './eventBus.js';
import { DeviceHealth } from './features/deviceHealth.js';
import { LivePublisher } from './features/livePublisher.js';
import { MqttInputs } from './features/mqttInputs.js';
import { RELEASE_TICK_SPACING_MS, ReleaseTicks } from './features/releaseTicks.js';
import { SerialInputs } from './features/serialInputs.js';
import type { Log } from './log.js';
import { MqttLink } from './mqtt/mqttLink.js';
import { ClearancePipeline, StorageFailure } from './pipeline/clearancePipeline.js';
import { FileDeadLetter } from './storage/deadLetter.js';
import { FileOutbox } from './storage/fileOutbox.js';
import { InfluxSender } from './storage/influxSender.js';
import { Journal } from './storage/journal.js';

/** How often the agent's time is fed to the core (releases after the lateness window, timeouts, queue intervals), agent ms. */
export const TICK_MS = 1000;
/** How often the core is snapshotted so that a restart replays at most this much journal, agent ms. */
export const SNAPSHOT_MS = 60_000;

export interface AgentDeps {
  log: Log;
  /**
   * The agent's clock (default: real time). Inputs are stamped with it, ticks and device
   * records follow it, and the periodic tasks on agent time (TICK_MS, SNAPSHOT_MS, the device
   * interval) wait `ms / rate` of wall time. Wall-clock matters (fsync interval, MQTT
   * keepalive, InfluxDB retries and batching, serial reopen backoff) are not scaled.
   */
  clock?: Clock;
  /** Shorthand for a clock at rate 1 (tests); ignored when `clock` is given. */
  now?: () => number;
  /**
   * Storage failed (disk full, I/O error): the agent cannot go on without losing records. The
   * process should exit non-zero so that its supervisor restarts it; the journal replay then
   * rebuilds what was not stored. Default: throw from the failing call.
   */
  onFatal?: (error: unknown) => void;
}

export class Agent {
  readonly bus: EventBus;
  private readonly clock: Clock;
  private readonly now: () => number;
  private readonly timers: NodeJS.Timeout[] = [];
  private outbox!: FileOutbox;
  private journal!: Journal;
  private pipeline!: ClearancePipeline;
  private sender!: InfluxSender;
  private link!: MqttLink;
  private mqttInputs!: MqttInputs;
  private serialInputs!: SerialInputs;
  private live!: LivePublisher;
  private health!: DeviceHealth;
  private releaseTicks!: ReleaseTicks;
  private core!: ClearanceCore;
  private started = false;

  constructor(
    readonly config: SiteConfig,
    private readonly deps: AgentDeps,
  ) {
    this.clock = deps.clock ?? (deps.now ? { now: deps.now, rate: 1 } : WALL_CLOCK);
    this.now = this.clock.now;
    this.bus = new EventBus(deps.log);
  }

  async start(): Promise<void> {
    const { config } = this;
    const log = this.deps.log;
    const checkpoint = config.checkpoint.id;
    log.info({ checkpoint, name: config.checkpoint.name.en, lanes: config.lanes.map((l) => l.id) }, 'agent starting');

    this.outbox = new FileOutbox(join(config.storage.dir, 'outbox'), {
      maxPoints: config.storage.outboxMaxPoints,
      telemetryShare: config.storage.outboxTelemetryShare,
    }, log.child({ feature: 'outbox' }));
    await this.outbox.open();
    this.journal = new Journal(join(config.storage.dir, 'journal'), log.child({ feature: 'journal' }));
    const recovered = await this.journal.recover();
    // The snapshot was written by this core (checkpoint below); the core checks its version and checkpoint.
    this.core = new ClearanceCore(coreConfigOf(this.config), recovered.snapshot as CoreSnapshot | undefined);
    this.pipeline = new ClearancePipeline({
      core: this.core,
      journal: this.journal,
      outbox: this.outbox,
      bus: this.bus,
      log,
      fsync: config.storage.fsync,
      onStorageFailure: (error) => this.deps.onFatal?.(error),
    });
    this.pipeline.replay(recovered.records);
    this.pipeline.checkpoint();

    this.sender = new InfluxSender({
      outbox: this.outbox,
      influx: config.influx,
      batch: config.batch,
      log: log.child({ feature: 'influx' }),
      // Points InfluxDB refuses for good (a field type conflict) are kept beside the outbox.
      deadLetter: new FileDeadLetter(join(config.storage.dir, 'outbox'), log.child({ feature: 'dead-letter' })),
    });
    this.sender.on('state', (state, detail) => this.bus.emit('link', 'influx', state, detail));
    await this.sender.start();

    // Ticks at the agent's now; the broker link's state decides whether they may release.
    const tick = (): void => {
      const now = this.now();
      // Hold releases while the broker may still deliver older messages: disconnected, or
      // reconnected less than a lateness window ago (a persistent session hands over what it
      // queued meanwhile). Serial inputs keep being read and followed.
      const up = this.link.upForMs(now);
      const hold = up === undefined || up < config.clearance.latenessWindowMs;
      this.pipeline.submit(hold ? { type: 'tick', now, hold } : { type: 'tick', now });
      this.releaseTicks.ticked(now);
    };
    this.releaseTicks = new ReleaseTicks({
      latenessWindowMs: config.clearance.latenessWindowMs,
      minSpacingMs: RELEASE_TICK_SPACING_MS,
      now: this.now,
      wallDelay: (ms) => wallDelayMs(this.clock, ms),
      tick: () => this.guard(tick),
    });
    this.releaseTicks.start();
    const submit = (input: Parameters<ClearancePipeline['submit']>[0]): void => {
      this.pipeline.submit(input);
      this.releaseTicks.noteInput(input);
    };
    this.mqttInputs = new MqttInputs({
      checkpoint,
      cameraIds: config.devices.cameras.map((c) => c.id),
      submit,
      bus: this.bus,
      log: log.child({ feature: 'mqtt-inputs' }),
      now: this.now,
    });
    this.link = new MqttLink({
      config: config.mqtt,
      checkpoint,
      log: log.child({ feature: 'mqtt' }),
      bus: this.bus,
      onMessage: this.mqttInputs.handle,
      now: this.now,
    });
    this.live = new LivePublisher({ checkpoint, bus: this.bus, link: this.link, openUnits: () => this.core.openUnits() });
    this.live.start();
    // At log level trace, every decoded input with its ts and reception time: what the core was
    // given, to check stamps and transport delays against the devices (the fast-clock test does).
    if (log.level === 'trace') this.bus.on('input', this, (input) => log.trace({ input }, 'input'));
    this.link.start();

    this.serialInputs = new SerialInputs({ devices: config.devices.serial, submit, bus: this.bus, log, now: this.now });
    this.serialInputs.start();

    this.health = new DeviceHealth({
      checkpoint,
      serial: this.serialInputs,
      mqtt: this.mqttInputs,
      mqttConnected: () => this.link.connected,
      bus: this.bus,
      write: (points) => this.pipeline.appendTelemetry(points),
      now: this.now,
    });

    this.every(wallDelayMs(this.clock, TICK_MS), tick);
    if (config.storage.fsync === 'interval') this.every(config.storage.fsyncIntervalMs, () => this.pipeline.sync());
    this.every(wallDelayMs(this.clock, SNAPSHOT_MS), () => this.pipeline.checkpoint());
    this.everyBoundary(config.clearance.deviceIntervalMs, (at) => this.health.report(at));
    this.everyBoundary(config.clearance.queueIntervalMs, (at) => this.live.publishUnits(at));
    this.started = true;
    log.info({ storage: config.storage.dir, mqtt: config.mqtt.url, influx: config.influx.url, ...this.clockInfo() }, 'agent running');
  }

  /** SIGTERM: stop reading, save the core, drain the outbox to InfluxDB (bounded), close files. */
  async stop(drainTimeoutMs = 15_000): Promise<void> {
    if (!this.started) return;
    this.started = false;
    const log = this.deps.log;
    log.info('agent stopping');
    for (const t of this.timers) clearTimeout(t);
    this.releaseTicks.stop();
    this.bus.removeListeners(this);
    await this.serialInputs.stop();
    await this.link.stop();
    this.live.stop();
    this.pipeline.sync();
    this.pipeline.checkpoint();
    await this.sender.stop({ drain: true, timeoutMs: drainTimeoutMs });
    await this.outbox.close();
    await this.journal.close();
    // The core's counters too: what it made of its inputs (repeats, late inputs, exits from loops).
    log.info({ outbox: this.outbox.stats(), pipeline: this.pipeline.stats(), core: this.core.counters() }, 'agent stopped');
  }

  stats(): object {
    return {
      pipeline: this.pipeline.stats(),
      outbox: this.outbox.stats(),
      core: this.core.counters(),
      mqtt: this.link.stats(),
      influx: this.sender.stats(),
    };
  }

  /** The clock in the 'agent running' line when it is not real time: when agent time is what. */
  private clockInfo(): object {
    if (this.clock === WALL_CLOCK) return {};
    const c = this.clock as Partial<{ startMs: number; anchorMs: number }> & Clock;
    return { clock: { rate: c.rate, now: new Date(c.now()).toISOString(), startMs: c.startMs, anchorMs: c.anchorMs } };
  }

  /** Runs fn every `wallMs` of wall time. */
  private every(wallMs: number, fn: () => void): void {
    this.timers.push(setInterval(() => this.guard(fn), wallMs));
  }

  /** Runs fn at every multiple of ms (agent time) since the epoch, so records of all agents line up. */
  private everyBoundary(ms: number, fn: (atMs: number) => void): void {
    const slot = this.timers.length;
    let last = -Infinity;
    const schedule = (): void => {
      const now = this.now();
      // A timer may fire a little early (the event loop's cached time; at a fast clock a wall ms
      // is `rate` agent ms): never the same boundary twice.
      const next = Math.max(Math.floor(now / ms) * ms + ms, last + ms);
      // One slot per periodic task, reused: the list of timers must not grow with uptime.
      this.timers[slot] = setTimeout(() => {
        last = next;
        this.guard(() => fn(next));
        if (this.started) schedule();
      }, wallDelayMs(this.clock, next - now));
    };
    schedule();
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (error) {
      // A storage failure was reported through onFatal already.
      if (!(error instanceof StorageFailure)) this.deps.log.error({ err: error }, 'periodic task failed');
    }
  }
}
