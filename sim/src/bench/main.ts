/**
 * `pnpm bench [--quick] [--out FILE]`: GateWatch against the raw limits of its parts, measured
 * in one run on this machine (issue 5, "Benchmark"). It starts its own mosquitto and influxd on
 * free ports of 127.0.0.1 with data in a temporary folder (infra/src, as the tests do) and stops
 * them afterwards; a system-wide broker or database is never used.
 *
 *  1. raw limits: Mosquitto QoS 1 publish → subscribe with plain MQTT.js clients (mqtt.ts), and
 *     InfluxDB writes of 5000-point line-protocol batches over HTTP (influx.ts);
 *  2. end to end: camera and decision events through a real edge agent process until every
 *     clearance is in InfluxDB, beside the raw MQTT limit of the same run; the agent's peak RSS
 *     and CPU seconds per 10 000 events (endToEnd.ts, agent.ts);
 *  3. serial parsing: gate-controller sentences/s through the edge's parser beside a bare line
 *     split of the same bytes (serial.ts);
 *  4. live latency: exit event published → the clearance at a signed-in officer's socket.io
 *     client of a real dashboard server, p50/p95/p99 at 200 and 2000 events/s (latency.ts);
 *  5. the manager view's 30-day throughput query over backfilled corridor history, from the raw
 *     and from the downsampled measurement (manager.ts; its own database, after the rest);
 *  6. the web app's gzipped JavaScript (webSize.ts; the app must be built).
 *
 * Prints a table (figure, unit, target, ratio where the issue asks for one) and writes the
 * figures as JSON to bench/results/bench-<time>[-quick].json (or --out). Targets are printed,
 * never asserted. A run that loses anything (a message at the broker, a clearance on its way to
 * InfluxDB or to the dashboard) or gets a wrong count fails with exit code 1 and keeps its data
 * folder for the logs.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applySchema, startInfluxd, startMosquitto, type Influxd, type Mosquitto } from '@gatewatch/infra';
import { CHECKPOINT, endToEnd, EVENTS_PER_UNIT, LATENESS_WINDOW_MS, unitEvents, type EndToEndResult } from './endToEnd.js';
import { BATCH_POINTS, rawInfluxLimit, type RawInfluxResult } from './influx.js';
import { managerQuery, type ManagerQueryResult } from './manager.js';
import { rawMqttLimit, type RawMqttResult } from './mqtt.js';
import { formatNumber, table, type Figure, type NotMeasured } from './report.js';
import { liveLatency, type LatencyResult } from './latency.js';
import { serialParsing, type SerialResult } from './serial.js';
import { webJsSize, type WebSizeResult } from './webSize.js';

/** How much each part measures. Full: a few minutes on 2 cores; quick: a smoke test, well under a minute. */
const SIZES = {
  full: { events: 100_000, window: 1000, influxBatches: 100, serialSentences: 1_000_000, serialRounds: 5, latencySeconds: 20, managerDays: 14, managerCrossings: undefined, managerRounds: 7 },
  quick: { events: 10_000, window: 1000, influxBatches: 10, serialSentences: 100_000, serialRounds: 3, latencySeconds: 3, managerDays: 1, managerCrossings: ['lao-cai-rail'], managerRounds: 3 },
} as const;
type Size = (typeof SIZES)[keyof typeof SIZES];

const USAGE = `usage: node sim/dist/bench/main.js [--quick] [--out FILE]
  --quick      small counts (a smoke test, under a minute)
  --out FILE   write the JSON there instead of bench/results/bench-<time>[-quick].json`;

/** The targets of issue 5. */
const TARGETS = { e2eRatio: 0.7, peakRssMB: 150, parserRatio: 0.5, latencyP99Ms: 250, managerDownsampledMs: 200 } as const;

/** Event rates of the live latency runs (issue 5). */
const LATENCY_RATES = [200, 2000] as const;

const NOT_MEASURED: readonly NotMeasured[] = [];

interface Args {
  quick: boolean;
  out: string | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { quick: false, out: undefined };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') args.quick = true;
    else if (a === '--out') {
      const v = argv[++i];
      if (v === undefined || v === '') usage('--out needs a file');
      args.out = v;
    } else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else usage(`unknown argument: ${a}`);
  }
  return args;
}

function usage(message: string): never {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}

const progress = (line: string): void => console.error(line);

/** The first line a command prints about its version, or why there is none. */
function version(command: string, args: string[]): string {
  const r = spawnSync(command, args, { encoding: 'utf8', timeout: 5000 });
  if (r.error) return `unknown (${r.error.message})`;
  return `${r.stdout}${r.stderr}`.split('\n').find((l) => l.trim() !== '')?.trim() ?? 'unknown';
}

/** The broker settings that bound what it queues and sends unacknowledged (infra/mosquitto/gatewatch.conf). */
function brokerLimits(confPath: string): Record<string, string> {
  const conf = readFileSync(confPath, 'utf8');
  const out: Record<string, string> = {};
  for (const key of ['max_inflight_messages', 'max_queued_messages', 'max_queued_bytes']) {
    // The last setting wins in mosquitto, as it does here.
    const values = [...conf.matchAll(new RegExp(`^${key}\\s+(\\S+)`, 'gm'))].map((m) => m[1]!);
    out[key] = values.at(-1) ?? 'mosquitto default';
  }
  return out;
}

interface Measured {
  mqtt: RawMqttResult;
  endToEnd: EndToEndResult;
  influx: RawInfluxResult;
  latency: LatencyResult;
  broker: Record<string, string>;
}

/** Parts 1 and 2: everything that needs the services, on one broker and one database. */
async function withServices(dir: string, size: Size): Promise<Measured> {
  const started: { stop(): Promise<void> }[] = [];
  try {
    progress('bench: starting influxd and mosquitto');
    const influxd: Influxd = await startInfluxd({ dataDir: join(dir, 'influxdb') });
    started.push(influxd);
    const broker: Mosquitto = await startMosquitto({ dataDir: join(dir, 'mosquitto') });
    started.push(broker);
    // As the run command does: the agent writes into the schema's retention policies.
    await applySchema(influxd.url);
    const brokerSettings = brokerLimits(join(broker.dataDir, 'mosquitto.conf'));

    const units = Math.ceil(size.events / EVENTS_PER_UNIT);
    // The raw limit carries the end-to-end run's own payloads, on topics no agent reads.
    const raw = unitEvents(units, Date.now(), (point) => `bench/raw/${CHECKPOINT}/${point}`);
    progress(`bench: raw MQTT limit, ${raw.length} messages at QoS 1, window ${size.window}`);
    const mqtt = await rawMqttLimit(broker.url, raw, size.window);

    progress(`bench: end to end, ${units * EVENTS_PER_UNIT} events (${units} units) through an edge agent into InfluxDB`);
    const e2e = await endToEnd({ dir, mqttUrl: broker.url, influxUrl: influxd.url, units, window: size.window, log: progress });

    const latency = await liveLatency({ dir, mqttUrl: broker.url, influxUrl: influxd.url, rates: LATENCY_RATES, seconds: size.latencySeconds, log: progress });

    progress(`bench: InfluxDB write limit, ${size.influxBatches} batches of ${BATCH_POINTS} points`);
    const influx = await rawInfluxLimit(influxd.url, size.influxBatches);
    return { mqtt, endToEnd: e2e, influx, latency, broker: brokerSettings };
  } finally {
    for (const s of started.reverse()) await s.stop().catch((e: unknown) => progress(`bench: stopping a service: ${String(e)}`));
  }
}

function figuresOf(m: Measured, serial: SerialResult, mq: ManagerQueryResult, web: WebSizeResult): { figures: Figure[]; notMeasured: NotMeasured[] } {
  const e2eRatio = m.endToEnd.eventsPerS / m.mqtt.messagesPerS;
  const rssMB = m.endToEnd.peakRssBytes / 1e6;
  const parserRatio = serial.parserPerS / serial.bareSplitPerS;
  const figures: Figure[] = [
    { id: 'mqtt.raw', label: 'MQTT QoS 1 publish → subscribe, raw (MQTT.js, Mosquitto)', value: m.mqtt.messagesPerS, unit: 'msg/s' },
    { id: 'influx.raw', label: `InfluxDB writes, ${BATCH_POINTS}-point batches over HTTP`, value: m.influx.pointsPerS, unit: 'points/s' },
    {
      id: 'e2e.events',
      label: 'End to end: events → edge agent → InfluxDB',
      value: m.endToEnd.eventsPerS,
      unit: 'events/s',
      ratio: e2eRatio,
      ratioOf: 'raw MQTT',
      target: `ratio >= ${TARGETS.e2eRatio}`,
      met: e2eRatio >= TARGETS.e2eRatio,
    },
    { id: 'e2e.peakRss', label: 'Edge agent peak RSS (VmHWM) during the run', value: rssMB, unit: 'MB', target: `< ${TARGETS.peakRssMB} MB`, met: rssMB < TARGETS.peakRssMB },
    {
      id: 'e2e.rssAtStart',
      label: 'Edge agent RSS before the first event',
      value: m.endToEnd.rssAtStartBytes / 1e6,
      unit: 'MB',
      note: 'informative: what the peak grew from',
    },
    { id: 'e2e.cpuPer10k', label: 'Edge agent CPU per 10 000 events', value: m.endToEnd.cpuSecondsPer10kEvents, unit: 'CPU s' },
    { id: 'serial.bareSplit', label: 'Serial: bare line split, one core', value: serial.bareSplitPerS, unit: 'sentences/s' },
    {
      id: 'serial.parser',
      label: 'Serial: gate-controller parser, one core',
      value: serial.parserPerS,
      unit: 'sentences/s',
      ratio: parserRatio,
      ratioOf: 'bare split',
      target: `ratio >= ${TARGETS.parserRatio}`,
      met: parserRatio >= TARGETS.parserRatio,
    },
    {
      id: 'serial.decoder',
      label: 'Serial: gate-controller decoder (parser + loop tracking)',
      value: serial.decoderPerS,
      unit: 'sentences/s',
      ratio: serial.decoderPerS / serial.bareSplitPerS,
      ratioOf: 'bare split',
      note: 'informative: what the agent runs per serial port',
    },
  ];
  for (const r of m.latency.runs) {
    const b = r.beyondHold;
    const target = r.rate === 2000 ? { target: `p99 < ${TARGETS.latencyP99Ms} ms`, met: b.p99Ms < TARGETS.latencyP99Ms } : {};
    const note = `${r.units} clearances at ${formatNumber(r.publishedRate)} events/s published; beyond the agent's ${r.holdMs} ms lateness hold`;
    figures.push(
      { id: `latency.${r.rate}.p50`, label: `Live latency at ${r.rate} events/s, exit event → officer's socket.io, p50`, value: b.p50Ms, unit: 'ms', note },
      { id: `latency.${r.rate}.p95`, label: `Live latency at ${r.rate} events/s, p95`, value: b.p95Ms, unit: 'ms' },
      { id: `latency.${r.rate}.p99`, label: `Live latency at ${r.rate} events/s, p99`, value: b.p99Ms, unit: 'ms', ...target },
      {
        id: `latency.${r.rate}.p99WithHold`,
        label: `Live latency at ${r.rate} events/s, p99 with the ${r.holdMs} ms hold`,
        value: r.p99Ms,
        unit: 'ms',
        note: 'informative: what an officer sees after a truck leaves',
      },
    );
  }
  const history = `${mq.days} day${mq.days === 1 ? '' : 's'} of ${mq.crossings.length === 3 ? 'the corridor' : mq.crossings.join(', ')} backfilled`;
  figures.push(
    { id: 'manager.raw', label: `Manager's 30-day throughput query, ${history}, from raw`, value: mq.rawMs, unit: 'ms', note: `median of ${mq.rounds}; first ${formatNumber(mq.rawFirstMs)} ms` },
    {
      id: 'manager.downsampled',
      label: `Manager's 30-day throughput query, ${history}, downsampled`,
      value: mq.downsampledMs,
      unit: 'ms',
      ratio: mq.downsampledMs / mq.rawMs,
      ratioOf: 'raw',
      target: `< ${TARGETS.managerDownsampledMs} ms`,
      met: mq.downsampledMs < TARGETS.managerDownsampledMs,
      note: `median of ${mq.rounds}; first ${formatNumber(mq.downsampledFirstMs)} ms`,
    },
  );
  const notMeasured = [...NOT_MEASURED];
  if (web.built) {
    figures.push(
      { id: 'web.totalGzip', label: `Web app JavaScript, gzip -9, total of ${web.files} files`, value: web.totalGzipBytes / 1024, unit: 'KiB' },
      { id: 'web.largestGzip', label: `Web app JavaScript, gzip -9, largest (${web.largest.file})`, value: web.largest.gzipBytes / 1024, unit: 'KiB' },
    );
  } else {
    notMeasured.push(
      { id: 'web.totalGzip', label: 'Web app JavaScript, gzip -9, total', why: web.why },
      { id: 'web.largestGzip', label: 'Web app JavaScript, gzip -9, largest', why: web.why },
    );
  }
  return { figures, notMeasured };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const size: Size = args.quick ? SIZES.quick : SIZES.full;
  const startedAt = new Date();
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'gw-bench-'));
  // Exit through process.exit, so that the exit hooks stop what this run started (infra's for
  // the services in their own process groups, mqtt.ts's for the agent and the subscriber): a
  // signal's default action would leave them running.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.error(`\nbench: ${signal}: stopped; data and logs kept in ${dir}`);
      process.exit(1);
    });
  }
  let measured: Measured;
  try {
    measured = await withServices(dir, size);
  } catch (error) {
    // The logs of the agent and the services stay for whoever looks into it.
    console.error(`\nbench: ${error instanceof Error ? error.message : String(error)}\nbench: data and logs kept in ${dir}`);
    process.exit(1);
  }

  // After the services: nothing else of ours runs while the parsers are timed.
  progress(`bench: serial parsing, ${size.serialSentences} gate-controller sentences, best of ${size.serialRounds} rounds`);
  const serial = serialParsing(size.serialSentences, size.serialRounds);
  // Last: the backfill keeps both cores busy for minutes.
  let manager: ManagerQueryResult;
  try {
    manager = await managerQuery({ dir, days: size.managerDays, ...(size.managerCrossings ? { crossings: size.managerCrossings } : {}), rounds: size.managerRounds, log: progress });
  } catch (error) {
    console.error(`\nbench: ${error instanceof Error ? error.message : String(error)}\nbench: data and logs kept in ${dir}`);
    process.exit(1);
  }
  rmSync(dir, { recursive: true, force: true });
  const web = webJsSize();
  const { figures, notMeasured } = figuresOf(measured, serial, manager, web);
  const wallSeconds = (performance.now() - t0) / 1000;

  const m = measured;
  const mq = manager;
  console.log(`\nGateWatch benchmark${args.quick ? ' (--quick: small counts, a smoke test)' : ''}, ${startedAt.toISOString()}, ${cpus().length} cores, node ${process.version}`);
  console.log(table(figures, notMeasured));
  console.log(
    [
      '',
      `MQTT: ${m.mqtt.messages} messages of ${m.mqtt.payloadBytes} bytes at QoS 1, ${m.mqtt.window} in flight from the publisher; broker ${Object.entries(m.broker).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
      `End to end: ${m.endToEnd.events} events (${m.endToEnd.units} units x queue camera, decision, gate camera, exit camera) -> ${m.endToEnd.clearancePoints} clearances; ` +
        `broker took them in ${m.endToEnd.publishSeconds.toFixed(1)} s, the last clearance was in InfluxDB ${m.endToEnd.tailSeconds.toFixed(1)} s later ` +
        `(agent lateness window ${LATENESS_WINDOW_MS} ms, each unit written the window after its exit, batches of up to 5000 points or 1 s: a fixed tail of up to 2 s).`,
      `Serial: ${serial.sentences} sentences (${serial.bytes} bytes) in ${serial.chunkBytes}-byte reads, best of ${serial.rounds} rounds.`,
      `Live latency: ${m.latency.runs.map((r) => `${r.units} clearances at ${formatNumber(r.publishedRate)} events/s`).join(' and ')}, each from its exit event's publish to the officer's socket.io client, less the agent's ${LATENESS_WINDOW_MS} ms lateness hold (with it in the 'with the hold' rows).`,
      `Manager's query: ${formatNumber(mq.points)} points backfilled in ${mq.backfillSeconds.toFixed(0)} s; both queries count ${formatNumber(mq.units)} released units in ${mq.rawRows} rows (checkpoint x channel x local day); median of ${mq.rounds} runs after a first one.`,
      `${notMeasured.length > 0 ? `Not measured: ${notMeasured.map((n) => n.id).join(', ')}. ` : ''}Targets are printed, not asserted. Run took ${wallSeconds.toFixed(0)} s.`,
    ].join('\n'),
  );

  const resultsDir = fileURLToPath(new URL('../../../bench/results/', import.meta.url));
  const file = args.out ?? join(resultsDir, `bench-${startedAt.toISOString().slice(0, 19).replace(/:/g, '')}Z${args.quick ? '-quick' : ''}.json`);
  mkdirSync(join(file, '..'), { recursive: true });
  const json = {
    kind: 'gatewatch-bench',
    startedAt: startedAt.toISOString(),
    wallSeconds,
    quick: args.quick,
    machine: {
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      loadavg: loadavg(),
      node: process.version,
      mosquitto: version('mosquitto', ['-h']),
      influxd: version('influxd', ['version']),
    },
    settings: { ...size, latenessWindowMs: LATENESS_WINDOW_MS, broker: m.broker, serialChunkBytes: serial.chunkBytes },
    figures,
    notMeasured,
    details: { mqtt: m.mqtt, endToEnd: m.endToEnd, influx: m.influx, latency: m.latency, serial, manager, web },
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`figures: ${file}`);
  // Done: a timer of a finished query (fetch's AbortSignal.timeout) must not hold the exit for minutes.
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
