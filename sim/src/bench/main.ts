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
 *  4. the web app's gzipped JavaScript (webSize.ts; the app must be built).
 *
 * Prints a table (figure, unit, target, ratio where the issue asks for one) and writes the
 * figures as JSON to bench/results/bench-<time>[-quick].json (or --out). Targets are printed,
 * never asserted. A run that loses anything (a message at the broker, a clearance on its way to
 * InfluxDB) fails with exit code 1 and keeps its data folder for the logs.
 *
 * TODO(issue 5), not measured yet; printed as "not measured yet" rows so that the table is not
 * taken for complete:
 *  - live latency: event published → the matching update at a socket.io client of the dashboard
 *    server, p50/p95/p99 at 200 events/s and at 2000 events/s (target: p99 under 250 ms at 2000);
 *  - the manager view's 30-day throughput query over 14 days of backfilled corridor data, from
 *    the raw and from the downsampled measurements (target: under 200 ms from the downsampled);
 *  - then record the figures in the README.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { applySchema, startInfluxd, startMosquitto, type Influxd, type Mosquitto } from '@gatewatch/infra';
import { CHECKPOINT, endToEnd, EVENTS_PER_UNIT, LATENESS_WINDOW_MS, unitEvents, type EndToEndResult } from './endToEnd.js';
import { BATCH_POINTS, rawInfluxLimit, type RawInfluxResult } from './influx.js';
import { rawMqttLimit, type RawMqttResult } from './mqtt.js';
import { table, type Figure, type NotMeasured } from './report.js';
import { serialParsing, type SerialResult } from './serial.js';
import { webJsSize, type WebSizeResult } from './webSize.js';

/** How much each part measures. Full: a few minutes on 2 cores; quick: a smoke test, well under a minute. */
const SIZES = {
  full: { events: 100_000, window: 1000, influxBatches: 100, serialSentences: 1_000_000, serialRounds: 5 },
  quick: { events: 10_000, window: 1000, influxBatches: 10, serialSentences: 100_000, serialRounds: 3 },
} as const;
type Size = (typeof SIZES)[keyof typeof SIZES];

const USAGE = `usage: node sim/dist/bench/main.js [--quick] [--out FILE]
  --quick      small counts (a smoke test, under a minute)
  --out FILE   write the JSON there instead of bench/results/bench-<time>[-quick].json`;

/** The targets of issue 5. */
const TARGETS = { e2eRatio: 0.7, peakRssMB: 150, parserRatio: 0.5 } as const;

const NOT_MEASURED: readonly NotMeasured[] = [
  { id: 'latency.200', label: 'Live latency, event → dashboard socket.io, p50/p95/p99 at 200 events/s', why: 'TODO(issue 5)' },
  { id: 'latency.2000', label: 'Live latency, event → dashboard socket.io, p50/p95/p99 at 2000 events/s', target: 'p99 < 250 ms', why: 'TODO(issue 5)' },
  { id: 'manager.raw', label: "Manager's 30-day throughput query, 14 days backfilled, from raw", why: 'TODO(issue 5)' },
  { id: 'manager.downsampled', label: "Manager's 30-day throughput query, 14 days backfilled, downsampled", target: '< 200 ms', why: 'TODO(issue 5)' },
];

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

    progress(`bench: InfluxDB write limit, ${size.influxBatches} batches of ${BATCH_POINTS} points`);
    const influx = await rawInfluxLimit(influxd.url, size.influxBatches);
    return { mqtt, endToEnd: e2e, influx, broker: brokerSettings };
  } finally {
    for (const s of started.reverse()) await s.stop().catch((e: unknown) => progress(`bench: stopping a service: ${String(e)}`));
  }
}

function figuresOf(m: Measured, serial: SerialResult, web: WebSizeResult): { figures: Figure[]; notMeasured: NotMeasured[] } {
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
  rmSync(dir, { recursive: true, force: true });

  // After the services: nothing else of ours runs while the parsers are timed.
  progress(`bench: serial parsing, ${size.serialSentences} gate-controller sentences, best of ${size.serialRounds} rounds`);
  const serial = serialParsing(size.serialSentences, size.serialRounds);
  const web = webJsSize();
  const { figures, notMeasured } = figuresOf(measured, serial, web);
  const wallSeconds = (performance.now() - t0) / 1000;

  const m = measured;
  console.log(`\nGateWatch benchmark${args.quick ? ' (--quick: small counts, a smoke test)' : ''}, ${startedAt.toISOString()}, ${cpus().length} cores, node ${process.version}`);
  console.log(table(figures, notMeasured));
  console.log(
    [
      '',
      `MQTT: ${m.mqtt.messages} messages of ${m.mqtt.payloadBytes} bytes at QoS 1, ${m.mqtt.window} in flight from the publisher; broker ${Object.entries(m.broker).map(([k, v]) => `${k} ${v}`).join(', ')}.`,
      `End to end: ${m.endToEnd.events} events (${m.endToEnd.units} units x queue camera, decision, gate camera, exit camera) -> ${m.endToEnd.clearancePoints} clearances; ` +
        `broker took them in ${m.endToEnd.publishSeconds.toFixed(1)} s, the last clearance was in InfluxDB ${m.endToEnd.tailSeconds.toFixed(1)} s later ` +
        `(agent lateness window ${LATENESS_WINDOW_MS} ms, 1 s ticks, batches of up to 5000 points or 1 s).`,
      `Serial: ${serial.sentences} sentences (${serial.bytes} bytes) in ${serial.chunkBytes}-byte reads, best of ${serial.rounds} rounds.`,
      `Not measured yet: ${notMeasured.map((n) => n.id).join(', ')}. Targets are printed, not asserted. Run took ${wallSeconds.toFixed(0)} s.`,
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
    details: { mqtt: m.mqtt, endToEnd: m.endToEnd, influx: m.influx, serial, web },
  };
  writeFileSync(file, `${JSON.stringify(json, null, 2)}\n`);
  console.log(`figures: ${file}`);
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exit(1);
});
