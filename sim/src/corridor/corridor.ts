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
  /** VNACCS declarations of this lane's traffic: 10 import, 30 export. */
  declarationPrefix: '10' | '30';
}

export type ArrivalModel =
  /** Road and port: a non-homogeneous Poisson process per direction, peak rates per hour. */
  | { kind: 'poisson'; peakPerHour: Readonly<Record<Direction, number>> }
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
  /**
   * Time at the control point (gate to exit) by channel, uniform in [min, max] seconds. Green:
   * documents only; yellow: documents checked in detail; red: physical inspection and scanning,
   * an hour or more. On rail the whole train waits for its slowest wagon.
   */
  serviceS: Readonly<Record<Channel, readonly [number, number]>>;
  /** From the queue point to the gate when nobody is ahead, seconds. */
  approachS: readonly [number, number];
  /** The next unit moves up to the gate after the previous one left, seconds. */
  pullForwardS: readonly [number, number];
}

const ALWAYS: readonly OpenHours[] = [{ from: 0, to: 24 }];

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
    { id: 'T1', direction: 'inbound', cameras: { queue: 'cam-t1-q', gate: 'cam-t1-g', exit: 'cam-t1-x' }, loops: false, open: ALWAYS, declarationPrefix: '10' },
    { id: 'T2', direction: 'outbound', cameras: { queue: 'cam-t2-q', gate: 'cam-t2-g', exit: 'cam-t2-x' }, loops: false, open: ALWAYS, declarationPrefix: '30' },
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
  serviceS: { green: [900, 1800], yellow: [1800, 3600], red: [3600, 9000] },
  approachS: [300, 900],
  pullForwardS: [300, 600],
};

/**
 * Kim Thanh international road border gate (No. II), as in infra/sites/kim-thanh-road.yaml:
 * inbound lanes IN-1 and IN-2 with a booth scanner and a weighbridge each, outbound OUT-1; one
 * gate controller for the loops (Q, G, X) and barriers of all three; cameras at queue, gate
 * and exit, except OUT-1's queue, which only its loop sees. IN-2 is opened for the day shift;
 * at night one lane each way stays open.
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
      open: ALWAYS,
      declarationPrefix: '10',
    },
    {
      id: 'IN-2',
      direction: 'inbound',
      cameras: { queue: 'cam-q2', gate: 'cam-g2', exit: 'cam-x2' },
      loops: true,
      scanner: { id: 'scanner-IN-2', reads: 'plate-or-declaration' },
      weighbridge: { id: 'weighbridge-IN-2', baudRate: 2400, dataBits: 7, parity: 'even' },
      open: [{ from: 6, to: 22 }],
      declarationPrefix: '10',
    },
    { id: 'OUT-1', direction: 'outbound', cameras: { gate: 'cam-g3', exit: 'cam-x3' }, loops: true, open: ALWAYS, declarationPrefix: '30' },
  ],
  arrivals: { kind: 'poisson', peakPerHour: { inbound: 5, outbound: 2.5 } },
  serviceS: { green: [180, 480], yellow: [720, 1800], red: [3600, 7200] },
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
 * No weighbridge: containers are weighed (VGM) before they reach the gate.
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
      ['G1', 'inbound', ALWAYS, '30'],
      ['G2', 'inbound', [{ from: 6, to: 22 }], '30'],
      ['G3', 'inbound', [{ from: 7, to: 11 }, { from: 13, to: 19 }], '30'],
      ['G4', 'outbound', ALWAYS, '10'],
    ] as const
  ).map(([id, direction, open, declarationPrefix], i): LaneModel => ({
    id,
    direction,
    cameras: { queue: `cam-q${i + 1}`, gate: `cam-g${i + 1}`, exit: `cam-x${i + 1}` },
    loops: true,
    scanner: { id: `scanner-${id}`, reads: 'container' },
    open,
    declarationPrefix,
  })),
  arrivals: { kind: 'poisson', peakPerHour: { inbound: 7, outbound: 2.4 } },
  serviceS: { green: [60, 240], yellow: [480, 1200], red: [3600, 7200] },
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

/** The mean time at the control point with the given channel shares, seconds. */
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
 * defaultServiceS is the model's mean service time, what the estimator should assume before
 * it has measured anything. The gate controller names no `lanes`: it covers them all.
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
  return {
    checkpoint: { id: c.id, name: { ...c.name }, kind: c.kind },
    lanes: c.lanes.map((l) => ({ id: l.id, direction: l.direction, defaultServiceS: service, exitOrder: 'fifo' })),
    devices: { serial, cameras },
  };
}

/** Every device of the crossing with its kind (serial kinds, 'camera'). */
export function deviceIds(c: Crossing): { id: string; kind: SerialDeviceKind | 'camera' }[] {
  const d = siteDescription(c).devices;
  return [...d.serial.map((s) => ({ id: s.id, kind: s.kind })), ...d.cameras.map((k) => ({ id: k.id, kind: 'camera' as const }))];
}
