import { describeSerialFuzz, weighbridge } from '../serial.fuzz.js';

describeSerialFuzz(weighbridge);
