import { describe } from 'vitest';
import { MemoryOutbox } from './memoryOutbox.js';
import { outboxContract } from './outbox.contract.js';

describe('MemoryOutbox', () => {
  outboxContract(async (limits) => {
    const o = new MemoryOutbox(limits);
    await o.open();
    return o;
  });
});
