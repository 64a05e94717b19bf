/**
 * The dashboard's socket.io events fuzzed against the real built server on real mosquitto and
 * influxd (fuzz/socketEvents.ts): seeded and small in the suite, at least 10^5 messages in
 * `pnpm fuzz`. And the same property run on the server with the original `watch` bug put back
 * (fuzz/mutants/watchBug.mjs), where it must find the crash.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzSettings, runFuzzAsync } from '@gatewatch/shared/fuzzing';
import { startServices, type Services } from './fixture.js';
import { FuzzServer, MUTANTS } from './fuzz/server.js';
import { DASHBOARD_MIN_INPUTS, failureOnMutant, MUTANT_CRASH, serverTestTimeoutMs, SUITE_INPUTS, warmupInputs } from './fuzz/watchdog.js';
import { socketEventsTarget } from './fuzz/socketEvents.js';

const settings = fuzzSettings(process.env, DASHBOARD_MIN_INPUTS);

describe(`dashboard socket.io events fuzz (seed ${settings.seed})`, () => {
  let services: Services;
  beforeAll(async () => {
    services = await startServices('fuzz-sockets');
  });
  afterAll(async () => {
    await services?.close();
  });

  it(
    'the server stays up and healthy, acks are { ok } answers, oversized messages close the socket, the heap comes back',
    async () => {
      const server = await FuzzServer.start({ name: 'sockets', services });
      const target = socketEventsTarget(server, warmupInputs(settings.long));
      try {
        const r = await runFuzzAsync(target, SUITE_INPUTS, settings);
        const memory = await target.watchdog.finish();
        const { closedOversized, closedOther, reconnects } = target.stats;
        console.log(`fuzz ${target.name}: ${memory}; ${closedOversized} sockets closed on oversized messages, ${closedOther} on malformed ones, ${reconnects} connects`);
        expect(r.frames).toBeGreaterThan(0);
        expect(r.badFrames).toBeGreaterThan(0);
        expect(closedOversized).toBeGreaterThan(0);
        if (settings.long) expect(r.inputs).toBeGreaterThanOrEqual(settings.minInputs);
      } finally {
        target.close();
        await server.stop();
      }
    },
    serverTestTimeoutMs(settings.long),
  );

  it(
    "fails on a server with the original watch bug put back (String(checkpoint) unguarded): the process exits",
    async () => {
      const server = await FuzzServer.start({ name: 'sockets-mutant', services, preload: join(MUTANTS, 'watchBug.mjs') });
      const target = socketEventsTarget(server, warmupInputs(false));
      try {
        expect(await failureOnMutant(target, 12)).toMatch(MUTANT_CRASH);
        expect(server.alive).toBe(false);
        // The wrap took on the server's own socket.io (the same module instance).
        expect(server.stderrText).toContain('gatewatch mutant: unguarded watch listener added');
      } finally {
        target.close();
        await server.stop();
      }
    },
    serverTestTimeoutMs(false),
  );
});
