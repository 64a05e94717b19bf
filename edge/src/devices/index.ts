/** Serial device parsers: the only decoders of device bytes (the simulator's tests use them too). */
export { FrameParser, type FramingOptions } from './framing.js';
export { GateControllerParser } from './gate-controller/parser.js';
export { parseGateSentence, type GateFrame } from './gate-controller/sentence.js';
export { GateControllerTracker, lostBetween } from './gate-controller/tracker.js';
export { ScannerParser } from './scanner/parser.js';
export { parseScan } from './scanner/scan.js';
export { WeighbridgeParser } from './weighbridge/parser.js';
export { parseWeightLine, type WeightReading } from './weighbridge/reading.js';
export { stepWeighing, WEIGHING_DEFAULTS, WEIGHING_START, type WeighingState } from './weighbridge/weighing.js';
export { DeviceDecoder, type DeviceCounters, type DeviceDecoderDeps } from './deviceDecoder.js';
export { SerialDevice } from './serialDevice.js';
