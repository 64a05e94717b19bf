/**
 * The three crossings of the Lao Cai - Hanoi - Hai Phong corridor as data: lanes (with the
 * hours they are open), the devices on them, how units arrive and how long customs takes.
 * `siteDescription` turns a crossing into the checkpoint, lanes and devices of a SiteConfig,
 * so that the edge agent that reads the simulated devices is configured from the same model.
 */
import type { CameraConfig, CheckpointKind, LaneConfig, SerialDeviceKind, SiteConfig } from '@gatewatch/edge';
import type { Channel, Point, UnitKind } from '@gatewatch/shared';

export type CrossingId = 'lao-cai-rail' | 'kim-thanh-road' | 'dinh-vu-port';
export type Direction = 'inbound' | 'outbound';

/** Open from `from` to `to`, local hours (0..24, fractions allowed). */
export interface OpenHours {
  from: number;
  to: number;
}

export interface LaneModel {
  id: string;
  direction: Direction;
  /** Camera id at each point of the lane that has one. */
  cameras: Partial<Record<Point, string>>;
  /** The crossing's gate controller reports this lane's loops (Q, G, X) and its barrier. */
  loops: boolean;
  /** The booth scanner at this lane's gate: its device id and what it reads. */
  scanner?: { id: string; reads: 'plate-or-declaration' | 'container' };
  /** The weighbridge indicator at this lane's gate. */
  weighbridge?: { id: string; baudRate?: number; dataBits?: 7 | 8; parity?: 'none' | 'even' | 'odd' };
  /** When the lane takes arrivals; outside these hours it only clears the units already in it. */
  open: readonly OpenHours[];
}

export type ArrivalModel =
  /**
   * Road and port: a non-homogeneous Poisson process per direction. The rate is the peak rate
   * per hour times `daily` (relative rate at each full local hour, interpolated linearly in
   * between) times `weekly` (factor by local weekday, Sunday first); 0 while every lane of the
   * direction is closed.
   */
  | {
      kind: 'poisson';
      peakPerHour: Readonly<Record<Direction, number>>;
      daily: readonly number[];
      weekly: readonly number[];
    }
  /**
   * Rail: trains on a timetable (local HH:MM per track), each late by a random number of
   * minutes within `delayMin`, of `wagons[0]..wagons[1]` wagons.
   */
  | {
      kind: 'timetable';
      trains: Readonly<Record<string, readonly string[]>>;
      delayMin: readonly [number, number];
      wagons: readonly [number, number];
      /** Seconds between wagons passing a point (wagon length over train speed). */
      wagonGapS: readonly [number, number];
    };

/** How unit texts are made. */
export type UnitMix =
  | { kind: 'plates'; yunnanShare: Readonly<Record<Direction, number>> }
  | { kind: 'containers' }
  | { kind: 'wagons' };

export interface Crossing {
  id: string;
  name: { vi: string; en: string };
  kind: CheckpointKind;
  unitKind: UnitKind;
  units: UnitMix;
  lanes: readonly LaneModel[];
  /** Device id of the gate controller, when the crossing has one (loops and barriers). */
  gateController?: string;
  arrivals: ArrivalModel;
  /** VNACCS declarations of each direction's traffic: 10 import, 30 export. */
  declarations: Readonly<Record<Direction, '10' | '30'>>;
  /**
   * Time the control point holds a unit (gate to release) by channel, uniform in [min, max]
   * seconds; the next unit moves up only after the release. With a `yard` (road and port) this
   * is the booth: green a document check of a minute or two, yellow the detailed document check,
   * red a short booth time before the truck is sent on to the yard. Without one (rail) the
   * control zone does it all: red is the physical inspection, an hour or more, and the whole
   * train waits for its slowest wagon.
   */
  serviceS: Readonly<Record<Channel, readonly [number, number]>>;
  /**
   * The inspection yard behind the booths: red units go there from the booth for the physical
   * inspection and scanning (driving there and back, waiting for the team, unloading, the
   * scanner), `inspectionS` uniform seconds, then to the exit point. Many bays: no queue.
   * Units therefore leave a lane's exit out of order (its lanes are exitOrder 'any').
   */
  yard?: { inspectionS: readonly [number, number] };
  /** From the release to the exit point, seconds (absent: the exit is the release). */
  exitDriveS?: readonly [number, number];
  /** From the queue point to the gate when nobody is ahead, seconds. */
  approachS: readonly [number, number];
  /** The next unit moves up to the gate after the previous one left, seconds. */
  pullForwardS: readonly [number, number];
}

const ALWAYS: readonly OpenHours[] = [{ from: 0, to: 24 }];

/**
 * Kim Thanh's hours for goods vehicles, local time: 07:00-22:00 (08:00-23:00 in Hekou, China
 * keeps UTC+8). The gate reopened after the pandemic at 07:00-19:00 for goods and has since
 * been kept open into the evening for the fruit export season; both sides must be open, so
 * trucks cross only inside these hours, and the units in a lane at closing are cleared after it.
 */
const KIM_THANH_HOURS: readonly OpenHours[] = [{ from: 7, to: 22 }];

/**
 * Kim Thanh's working day, relative arrival rate at each local hour (1 = the peak rate).
 * Closed 22:00-07:00: trucks that reach the border then wait in the parking lots outside (not
 * monitored) and drive up as the gate opens, a surge well above the day's peak that fades over
 * the first hour and a half. Then the morning peak as trucks from Hanoi and the yards of Lao
 * Cai arrive, a dip over the officers' lunch break (11:30-13:30), the afternoon peak, and a
 * tail in the evening as drivers who would not make it before closing stay in the parking.
 */
export const KIM_THANH_DAILY: readonly number[] = [
  0, 0, 0, 0, 0, 0, 0, 2.4, 1.5, 1.0, 0.95, 0.8, //
  0.55, 0.65, 0.9, 1.0, 0.95, 0.85, 0.7, 0.55, 0.45, 0.3, 0, 0,
];

/**
 * The week at a land border gate, Sunday first: customs and the quarantine services work a
 * reduced weekend service and consignees do not receive goods on Sundays, so Sunday carries
 * about half a weekday, Saturday three quarters; Monday brings part of the weekend's backlog,
 * and Friday the loads to be delivered before the weekend.
 */
export const ROAD_WEEK: readonly number[] = [0.5, 1.1, 1.0, 1.0, 1.0, 1.05, 0.75];

/**
 * Dinh Vu's day: the port works round the clock and container trucks run at night too (the
 * Hanoi - Hai Phong expressway is free then, and export containers must be in before the
 * vessels' cut-off), so nights carry about half of the day's rate. Peaks in the morning and
 * the afternoon, when the shippers' warehouses release their loads; a dip over lunch.
 */
export const PORT_DAILY: readonly number[] = [
  0.5, 0.45, 0.4, 0.4, 0.45, 0.55, 0.7, 0.85, 1.0, 1.0, 0.95, 0.8, //
  0.65, 0.8, 0.95, 1.0, 1.0, 0.9, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55,
];

/** The port's week, Sunday first: shippers' warehouses and the customs offices rest on Sunday, less so on Saturday. */
export const PORT_WEEK: readonly number[] = [0.6, 1.0, 1.0, 1.0, 1.0, 1.0, 0.85];

/**
 * Lao Cai international railway station. Track T1 receives trains from Hekou (inbound), T2
 * sends them (outbound). OCR cameras read each wagon where the train enters the reception
 * track (queue), where it is drawn into the customs control zone (gate), and where it leaves
 * the station; the two directions leave at opposite ends, so each track has its own exit camera.
 *
 * No serial devices: induction loops detect road vehicles, not wagons of a coupled train (the
 * train is one long metal mass over the loop, so a loop would give one edge per train, not per
 * wagon), and there is no booth scanner or weighbridge per wagon at the control zone. The edge
 * therefore counts these lanes' queues from the cameras.
 */
export const LAO_CAI_RAIL: Crossing = {
  id: 'lao-cai-rail',
  name: { vi: 'Ga đường sắt quốc tế Lào Cai', en: 'Lao Cai International Railway Station' },
  kind: 'rail',
  unitKind: 'wagon',
  units: { kind: 'wagons' },
  lanes: [
    { id: 'T1', direction: 'inbound', cameras: { queue: 'cam-t1-q', gate: 'cam-t1-g', exit: 'cam-t1-x' }, loops: false, open: ALWAYS },
    { id: 'T2', direction: 'outbound', cameras: { queue: 'cam-t2-q', gate: 'cam-t2-g', exit: 'cam-t2-x' }, loops: false, open: ALWAYS },
  ],
  arrivals: {
    kind: 'timetable',
    // Freight paths between the passenger trains; fewer at night.
    trains: {
      T1: ['03:30', '07:40', '10:20', '13:50', '16:40', '20:30'],
      T2: ['06:10', '09:30', '12:40', '15:30', '19:10'],
    },
    delayMin: [-5, 25],
    wagons: [15, 40],
    // A 14 m wagon at 10-14 km/h.
    wagonGapS: [3.5, 5],
  },
  declarations: { inbound: '10', outbound: '30' },
  serviceS: { green: [900, 1800], yellow: [1800, 3600], red: [3600, 9000] },
  approachS: [300, 900],
  pullForwardS: [300, 600],
};

/**
 * Kim Thanh international road border gate (No. II), as in infra/sites/kim-thanh-road.yaml:
 * inbound lanes IN-1 and IN-2 with a booth scanner and a weighbridge each, outbound OUT-1; one
 * gate controller for the loops (Q, G, X) and barriers of all three; cameras at queue, gate
 * and exit, except OUT-1's queue, which only its loop sees. All lanes keep the gate's hours.
 *
 * The booth (gate) does the document check and holds the lane meanwhile; red trucks are sent
 * on to the inspection yard and reach the exit an hour or more later, so exits are out of order.
 */
export const KIM_THANH_ROAD: Crossing = {
  id: 'kim-thanh-road',
  name: { vi: 'Cửa khẩu quốc tế đường bộ số II Kim Thành', en: 'Kim Thanh International Road Border Gate' },
  kind: 'road',
  unitKind: 'truck',
  units: { kind: 'plates', yunnanShare: { inbound: 0.5, outbound: 0.35 } },
  gateController: 'gate-ctl',
  lanes: [
    {
      id: 'IN-1',
      direction: 'inbound',
      cameras: { queue: 'cam-q1', gate: 'cam-g1', exit: 'cam-x1' },
      loops: true,
      scanner: { id: 'scanner-IN-1', reads: 'plate-or-declaration' },
      weighbridge: { id: 'weighbridge-IN-1', baudRate: 2400, dataBits: 7, parity: 'even' },
      open: KIM_THANH_HOURS,
    },
    {
      id: 'IN-2',
      direction: 'inbound',
      cameras: { queue: 'cam-q2', gate: 'cam-g2', exit: 'cam-x2' },
      loops: true,
      scanner: { id: 'scanner-IN-2', reads: 'plate-or-declaration' },
      weighbridge: { id: 'weighbridge-IN-2', baudRate: 2400, dataBits: 7, parity: 'even' },
      open: KIM_THANH_HOURS,
    },
    { id: 'OUT-1', direction: 'outbound', cameras: { gate: 'cam-g3', exit: 'cam-x3' }, loops: true, open: KIM_THANH_HOURS },
  ],
  arrivals: { kind: 'poisson', peakPerHour: { inbound: 30, outbound: 15 }, daily: KIM_THANH_DAILY, weekly: ROAD_WEEK },
  declarations: { inbound: '10', outbound: '30' },
  serviceS: { green: [45, 120], yellow: [180, 420], red: [120, 240] },
  yard: { inspectionS: [3600, 7200] },
  exitDriveS: [40, 90],
  approachS: [40, 90],
  pullForwardS: [15, 40],
};

/**
 * Dinh Vu port gate, Hai Phong: container trucks. G1-G3 are gate-in lanes (into the port,
 * mostly export containers), G4 the gate-out lane (import containers leaving). Inbound is into
 * the checkpoint's controlled area, here the port (as LaneConfig defines it), the direction the
 * port's own people name.
 * The unit is the container: cameras OCR its number and the booth scanner reads it from the
 * equipment interchange receipt's barcode. A gate controller reports the loops and barriers.
 * No weighbridge: containers are weighed (VGM) before they reach the gate. As at Kim Thanh,
 * the booth checks the papers and red containers go on to the port's inspection yard.
 */
export const DINH_VU_PORT: Crossing = {
  id: 'dinh-vu-port',
  name: { vi: 'Cổng cảng Đình Vũ, Hải Phòng', en: 'Dinh Vu Port Gate, Hai Phong' },
  kind: 'port',
  unitKind: 'container',
  units: { kind: 'containers' },
  gateController: 'gate-ctl',
  lanes: (
    [
      ['G1', 'inbound', ALWAYS],
      ['G2', 'inbound', ALWAYS],
      // The third gate-in booth is staffed for the day shift.
      ['G3', 'inbound', [{ from: 6, to: 22 }]],
      ['G4', 'outbound', ALWAYS],
    ] as const
  ).map(([id, direction, open], i): LaneModel => ({
    id,
    direction,
    cameras: { queue: `cam-q${i + 1}`, gate: `cam-g${i + 1}`, exit: `cam-x${i + 1}` },
    loops: true,
    scanner: { id: `scanner-${id}`, reads: 'container' },
    open,
  })),
  arrivals: { kind: 'poisson', peakPerHour: { inbound: 90, outbound: 26 }, daily: PORT_DAILY, weekly: PORT_WEEK },
  declarations: { inbound: '30', outbound: '10' },
  serviceS: { green: [30, 90], yellow: [120, 270], red: [60, 180] },
  yard: { inspectionS: [3600, 7200] },
  exitDriveS: [30, 75],
  approachS: [30, 60],
  pullForwardS: [10, 25],
};

export const CROSSINGS: Readonly<Record<CrossingId, Crossing>> = {
  'lao-cai-rail': LAO_CAI_RAIL,
  'kim-thanh-road': KIM_THANH_ROAD,
  'dinh-vu-port': DINH_VU_PORT,
};

export const CROSSING_IDS = Object.keys(CROSSINGS) as CrossingId[];

export function crossing(id: CrossingId | Crossing): Crossing {
  if (typeof id !== 'string') return id;
  const c = CROSSINGS[id];
  if (!c) throw new RangeError(`unknown crossing '${String(id)}'; the crossings are ${CROSSING_IDS.join(', ')}`);
  return c;
}

/** Default customs channel shares. */
export const DEFAULT_CHANNEL_SHARES: Readonly<Record<Channel, number>> = { green: 0.6, yellow: 0.3, red: 0.1 };

/** The mean time the control point holds a unit (gate to release) with the given channel shares, seconds. */
export function meanServiceS(c: Crossing, shares: Readonly<Record<Channel, number>> = DEFAULT_CHANNEL_SHARES): number {
  const total = shares.green + shares.yellow + shares.red;
  let s = 0;
  for (const ch of ['green', 'yellow', 'red'] as const) {
    const [min, max] = c.serviceS[ch];
    s += (shares[ch] / total) * ((min + max) / 2);
  }
  return s;
}

/** A serial device as a site file lists it (port settings only where they differ from 9600 8N1). */
export interface SerialDeviceDescription {
  id: string;
  kind: SerialDeviceKind;
  path: string;
  lane?: string;
  baudRate?: number;
  dataBits?: 7 | 8;
  parity?: 'none' | 'even' | 'odd';
}

/** The checkpoint, lanes and devices of a SiteConfig: what a site file says about the crossing. */
export interface SiteDescription {
  checkpoint: SiteConfig['checkpoint'];
  lanes: LaneConfig[];
  devices: { serial: SerialDeviceDescription[]; cameras: CameraConfig[] };
}

/**
 * The crossing as the `checkpoint`, `lanes` and `devices` sections of a site file; add `mqtt`,
 * `influx` and `storage` and give it to the edge's parseSiteConfig. `devicePath` names the
 * serial port of each device (for the simulator: the agent's end of its pty). Each lane's
 * defaultServiceS is the model's mean time at the control point (the booth where there is a
 * yard), what the estimator should assume before it has measured anything; lanes behind a yard
 * have exitOrder 'any'. The gate controller names no `lanes`: it covers them all.
 */
export function siteDescription(
  c: Crossing,
  devicePath: (deviceId: string) => string = (id) => `/dev/gatewatch/${id}`,
): SiteDescription {
  const serial: SerialDeviceDescription[] = [];
  if (c.gateController !== undefined) serial.push({ id: c.gateController, kind: 'gate-controller', path: devicePath(c.gateController) });
  for (const lane of c.lanes) {
    if (lane.scanner) serial.push({ id: lane.scanner.id, kind: 'scanner', path: devicePath(lane.scanner.id), lane: lane.id });
  }
  for (const lane of c.lanes) {
    const w = lane.weighbridge;
    if (!w) continue;
    const d: SerialDeviceDescription = { id: w.id, kind: 'weighbridge', path: devicePath(w.id), lane: lane.id };
    if (w.baudRate !== undefined) d.baudRate = w.baudRate;
    if (w.dataBits !== undefined) d.dataBits = w.dataBits;
    if (w.parity !== undefined) d.parity = w.parity;
    serial.push(d);
  }
  const cameras: CameraConfig[] = [];
  for (const lane of c.lanes) {
    for (const p of ['queue', 'gate', 'exit'] as const) {
      const id = lane.cameras[p];
      if (id !== undefined && !cameras.some((k) => k.id === id)) cameras.push({ id });
    }
  }
  const service = Math.round(meanServiceS(c));
  // Behind a yard, red units leave long after green ones that entered the booth later.
  const exitOrder = c.yard !== undefined ? 'any' : 'fifo';
  return {
    checkpoint: { id: c.id, name: { ...c.name }, kind: c.kind },
    lanes: c.lanes.map((l) => ({ id: l.id, direction: l.direction, defaultServiceS: service, exitOrder, ...(c.kind === 'rail' ? { service: 'batch' as const } : {}) })),
    devices: { serial, cameras },
  };
}

/** Every device of the crossing with its kind (serial kinds, 'camera'). */
export function deviceIds(c: Crossing): { id: string; kind: SerialDeviceKind | 'camera' }[] {
  const d = siteDescription(c).devices;
  return [...d.serial.map((s) => ({ id: s.id, kind: s.kind })), ...d.cameras.map((k) => ({ id: k.id, kind: 'camera' as const }))];
}
