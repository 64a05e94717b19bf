import { describeSerialFuzz, gateController } from '../serial.fuzz.js';

describeSerialFuzz(gateController);
