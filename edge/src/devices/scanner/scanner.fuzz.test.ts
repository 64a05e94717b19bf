import { describeSerialFuzz, scanner } from '../serial.fuzz.js';

describeSerialFuzz(scanner);
