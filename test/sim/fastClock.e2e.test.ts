/**
 * One simulated hour of Kim Thanh road gate (gate controller, booth scanners, weighbridges,
 * cameras, customs feed) played at a fast clock through real socat ptys, a real mosquitto and
 * a real influxd into the edge agent, run as its own process on the same fast clock
 * (gatewatch-edge --clock-start/--clock-rate/--clock-anchor), at the default fault rates. The
 * `clearance` points in InfluxDB are then judged against the simulator's ground truth
 * (clearanceJudge.ts):
 *
 *  - every unit whose truth is complete and that left in the hour is there once, with its true
 *    lane, channel, wait_s / process_s / total_s to the millisecond and weight, unless a fault
 *    recorded in its truth explains the difference, and then the difference must be one that
 *    fault allows; no clearance of a unit the truth does not know, none twice;
 *  - serial frames are stamped on reception, so their stages are late by the transport delay
 *    times the rate: the delays are measured (the agent's input trace, log level trace, against
 *    the emissions), bounded explicitly, and must keep well inside the lateness window;
 *  - every injected fault is accounted for outside the clearances too: each spoilt serial frame
 *    and each refused message is one bad frame of its device in the last `device` records
 *    (and every good one a frame), each repeated message one duplicate the core dropped, each
 *    silent device sent nothing meanwhile; and every kind of fault occurred.
 *
 * Nothing about the traffic is hard-coded: the hour is the first of a seeded day's busy hours
 * (seeds in order) in which every kind of fault occurs and a camera reading at a gate or an
 * exit of a judged unit is lost (so some stage must come from a serial device), and everything
 * else is derived from the truth and the emissions. The summary line is printed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSiteConfig, type LaneInput } from '@gatewatch/edge';
import { SocatPty, startMosquitto, type Mosquitto } from '@gatewatch/infra';
import { crossing, LiveDriver, localDayStart, siteDescription } from '@gatewatch/sim';
import { AgentProcess } from '../harness/agentProcess.js';
import { startTestInflux, type TestInflux } from '../harness/influx.js';
import { anyOrderLanes, expectedDeviceCounts, FAULT_KINDS, Judge, judgeAll, simulateStretch, summaryLine, transportDelays, type ClearanceRow, type Stretch } from './clearanceJudge.js';

/** Simulated ms per wall ms: the hour takes 3600 / RATE s of wall time. */
const RATE = Number(process.env.GATEWATCH_FAST_CLOCK_RATE ?? 20);
/**
 * The longest a serial frame may take from the player's write to the agent's reception stamp,
 * wall ms (timer lateness of the player, the pty, the agent's event loop, on a shared machine):
 * a serial-stamped stage (loop edge, booth scan) is late by up to this times RATE. Measured on
 * a shared 2-core machine: median about 2 ms, largest 7-46 ms; once 107 ms with one core held
 * by a busy loop. Whatever the bounds, serial plus MQTT delay must stay below the lateness
 * window (5 s of agent time: 250 ms of wall time at 20x), or the core's rules act on transport.
 */
const SERIAL_DELAY_WALL_MS = 200;
/** The same for an MQTT message (player, broker, agent): it moves the reception, not the ts. */
const MQTT_DELAY_WALL_MS = 200;
/** Agent and player read the wall clock in different processes (their time origins): ms apart at most. */
const CLOCK_SKEW_WALL_MS = 2;

const KIM = crossing('kim-thanh-road');
const DAY = '2026-11-25';
const BUSY_HOURS = [8, 9, 14, 15];
/** Road traffic times this: every lane has a queue. How many units leave is bounded by the lanes' service times. */
const RATE_SCALE = 4;
const HOUR = 3600_000;
/** Agent time run on after the hour: releases (lateness window), exit-loop resolution, a last device record. */
const TAIL_MS = 60_000;
/** Wall time between starting the agent and the hour's first emission (it is up long before). */
const LEAD_WALL_MS = 6000;

function chooseHour(): Stretch {
  const day = localDayStart(DAY);
  for (let seed = 1; seed <= 500; seed++) {
    for (const h of BUSY_HOURS) {
      const s = simulateStretch({ crossing: KIM, seed, fromMs: day + h * HOUR, toMs: day + (h + 1) * HOUR, rateScale: RATE_SCALE });
      const stageFromSerial = s.judged.some((u) =>
        u.faults.some((f) => (f.what === 'gate' || f.what === 'exit') && (f.fault === 'missed-read' || f.fault === 'bad-message' || f.fault === 'silent')),
      );
      if (stageFromSerial && FAULT_KINDS.every((k) => s.kinds[k] > 0)) return s;
    }
  }
  throw new Error('no busy hour of seeds 1-500 has every kind of fault: has the fault model changed?');
}

describe(`one simulated hour at ${RATE}x through ptys, broker and InfluxDB, against the truth`, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gw-fast-'));
  let influx: TestInflux;
  let broker: Mosquitto;
  const ptys: SocatPty[] = [];
  let agent: AgentProcess | undefined;
  let driver: LiveDriver | undefined;

  beforeAll(async () => {
    influx = await startTestInflux('fast-clock');
    broker = await startMosquitto({ dataDir: join(dir, 'mosquitto') });
  });
  afterAll(async () => {
    await driver?.stop();
    await agent?.stop().catch(() => undefined);
    for (const p of ptys) await p.stop();
    await broker?.stop();
    await influx?.close();
    if (!process.env.GATEWATCH_KEEP_TEST_DATA) rmSync(dir, { recursive: true, force: true });
  });

  it('writes every unit that left as its truth, or as a fault recorded in its truth allows', { timeout: 15 * 60_000 }, async () => {
    const testStarted = Date.now();
    const hour = chooseHour();
    const devPath = (id: string): string => join(dir, 'dev', id);
    const site = {
      ...siteDescription(KIM, devPath),
      mqtt: { url: broker.url },
      influx: { url: influx.influxd.url },
      storage: { dir: join(dir, 'edge') },
      // trace: the agent logs every input with its reception stamp (transport delays, below).
      log: { level: 'trace' },
    };
    const config = parseSiteConfig(site, dir, {});
    const W = config.clearance.latenessWindowMs;
    for (const d of config.devices.serial) {
      const pty = new SocatPty(d.path, `${d.path}.sim`);
      await pty.start();
      ptys.push(pty);
    }

    // Agent and player on one time line: sim time = fromMs + (wall - wall0) x RATE.
    const wall0 = Date.now() + LEAD_WALL_MS;
    agent = new AgentProcess(join(dir, 'site', `${KIM.id}.yaml`), site, ['--clock-start', String(hour.fromMs), '--clock-rate', String(RATE), '--clock-anchor', String(wall0)]);
    await agent.start();
    expect(Date.now(), 'the agent started within the lead time').toBeLessThan(wall0);
    driver = new LiveDriver({
      mqttUrl: broker.url,
      clientId: 'fast-clock-sim',
      serialPaths: Object.fromEntries(config.devices.serial.map((d) => [d.id, `${d.path}.sim`])),
      emissions: hour.emissions[Symbol.iterator](),
      clock: { simStartMs: hour.fromMs, rate: RATE, wallStartMs: wall0 },
    });
    driver.start();
    const end = driver.wallTimeOf(hour.toMs + TAIL_MS);
    while (!driver.finished || Date.now() < end) await sleep(250);
    const playedS = Math.round((Date.now() - wall0) / 1000);
    expect(await agent.stop(), 'agent exit code').toBe(0);

    // ---- what the agent wrote and logged
    const rowsOf = async (q: string): Promise<Record<string, unknown>[]> => {
      const r = await influx.influxd.query(q, 'gatewatch');
      const s = r.results[0]?.series?.[0];
      return s ? s.values.map((v) => Object.fromEntries(s.columns.map((c, i) => [c, v[i]]))) : [];
    };
    const rows = (await rowsOf('SELECT * FROM clearance')) as unknown as ClearanceRow[];
    const deviceRows = await rowsOf('SELECT * FROM device'); // in time order
    const log = readFileSync(agent.logPath, 'utf8').split('\n');
    const core = log
      .filter((l) => l.includes('"msg":"agent stopped"'))
      .map((l) => (JSON.parse(l) as { core: Record<string, number> }).core)
      .at(-1);
    expect(core, 'the agent logged its counters at stop').toBeDefined();
    const inputs = log.filter((l) => l.includes('"msg":"input"')).map((l) => (JSON.parse(l) as { input: LaneInput }).input);

    // ---- transport delays times the rate: measured, within the bounds, well inside W
    const skewMs = CLOCK_SKEW_WALL_MS * RATE;
    const delays = transportDelays(hour, inputs, skewMs);
    const serialMs = Math.max(...delays.serial);
    const mqttMs = Math.max(...delays.mqtt);
    const pct = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
    const delayText = (xs: number[]): string => `median ${pct(xs, 0.5)}, p99 ${pct(xs, 0.99)}, max ${Math.max(...xs)} ms of ${xs.length}`;

    // ---- the clearances against the truth
    const judge = new Judge(hour, W, { serialMs, mqttMs, skewMs }, anyOrderLanes(config.lanes));
    const { verdicts, strangers, twice } = judgeAll(judge, hour, rows);
    for (const v of verdicts) if (v.status !== 'exact') console.log(`  ${v.status.padEnd(11)} ${v.unit.lane} ${v.unit.unit}: ${v.detail}`);
    const offsets = verdicts.map((v) => v.serialOffsetMs).filter((o): o is number => o !== undefined);

    // ---- every injected fault accounted for outside the clearances
    const last = new Map<string, Record<string, unknown>>();
    for (const d of deviceRows) last.set(String(d.device), d);
    const { devices, goodRepeats } = expectedDeviceCounts(hour);
    const counted = [...devices.keys()].map((device) => ({ device, frames: last.get(device)?.frames, bad_frames: last.get(device)?.bad_frames }));
    // Frame counts of a silent device's records inside its spell (at least two records).
    const silentSpells = hour.outages
      .map((o) => {
        const inside = deviceRows.filter((d) => d.device === o.device && Number(d.time) / 1e6 > o.fromMs && Number(d.time) / 1e6 < o.toMs);
        return { spell: `${o.device} ${new Date(o.fromMs).toISOString()}..${new Date(o.toMs).toISOString()}`, records: inside.length, frames: [...new Set(inside.map((d) => d.frames))] };
      })
      .filter((s) => s.records >= 2);

    const local = new Date(hour.fromMs + 7 * HOUR).toISOString().slice(0, 16).replace('T', ' ');
    console.log(
      `fast clock ${RATE}x, ${KIM.id} ${local} +07 (seed ${hour.seed}, rateScale ${RATE_SCALE}, default faults): ${summaryLine(verdicts)}; ` +
        `faults injected: ${FAULT_KINDS.map((k) => `${hour.kinds[k]} ${k}`).join(', ')}; ` +
        `received late by <= ${serialMs} ms (serial), ${mqttMs} ms (MQTT) of agent time; ` +
        `hour played in ${playedS} s, test ${Math.round((Date.now() - testStarted) / 1000)} s`,
    );
    console.log(`  transport delays (agent ms): serial ${delayText(delays.serial)}; MQTT ${delayText(delays.mqtt)}`);
    console.log(`  core counters: ${JSON.stringify(core)}`);

    expect(delays.serial.length, 'serial frames traced').toBeGreaterThan(hour.judged.length);
    expect(delays.mqtt.length, 'messages traced').toBeGreaterThan(hour.judged.length);
    expect(Math.min(...delays.serial, ...delays.mqtt), 'nothing received before it was sent').toBeGreaterThanOrEqual(-skewMs);
    expect(serialMs, `serial delay, agent ms (bound ${SERIAL_DELAY_WALL_MS} ms wall x ${RATE})`).toBeLessThanOrEqual(SERIAL_DELAY_WALL_MS * RATE);
    expect(mqttMs, `MQTT delay, agent ms (bound ${MQTT_DELAY_WALL_MS} ms wall x ${RATE})`).toBeLessThanOrEqual(MQTT_DELAY_WALL_MS * RATE);
    // Beyond this the lateness window no longer covers the transport: the rules would act on it.
    expect(serialMs + mqttMs + 2 * skewMs, 'transport keeps inside the lateness window').toBeLessThan(W);

    expect(strangers.map((r) => r.unit), 'clearances of units the truth does not know').toEqual([]);
    expect(twice, 'units written more often than they passed').toEqual([]);
    expect(verdicts.filter((v) => v.status === 'unexplained').map((v) => `${v.unit.unit}: ${v.detail}`)).toEqual([]);
    for (const o of offsets) expect(o, 'a serial-stamped stage is late by at most the delays seen').toBeLessThanOrEqual(serialMs + skewMs);
    // Each device counted what it was sent: good frames and messages, one bad frame per spoilt one.
    expect(counted).toEqual([...devices].map(([device, c]) => ({ device, ...c })));
    // Each repeated message was one duplicate the core dropped.
    expect(core!.duplicates, 'duplicates dropped = good messages repeated').toBe(goodRepeats);
    // A silent device sent nothing: its frame count stood still between its records inside the spell.
    for (const s of silentSpells) expect(s.frames, s.spell).toHaveLength(1);

    // Not vacuous: units were judged, some through faults, and every kind of fault occurred.
    expect(hour.judged.length).toBeGreaterThanOrEqual(5);
    expect(verdicts.some((v) => v.status === 'explained')).toBe(true);
    for (const k of FAULT_KINDS) expect(hour.kinds[k], k).toBeGreaterThan(0);
  });
});
