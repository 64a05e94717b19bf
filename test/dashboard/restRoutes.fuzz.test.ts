/**
 * The dashboard's REST routes fuzzed against the real built server on real mosquitto and influxd
 * (fuzz/restRoutes.ts): seeded and small in the suite, at least 10^5 requests in `pnpm fuzz`. And
 * the same property run on the server with the REST twin of the original `watch` bug put back
 * (fuzz/mutants/restBug.mjs), where it must find the crash.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fuzzSettings, runFuzzAsync } from '@gatewatch/shared/fuzzing';
import { startServices, type Services } from './fixture.js';
import { FuzzServer, MUTANTS } from './fuzz/server.js';
import { DASHBOARD_MIN_INPUTS, failureOnMutant, MUTANT_CRASH, serverTestTimeoutMs, SUITE_INPUTS, warmupInputs } from './fuzz/watchdog.js';
import { restRoutesTarget } from './fuzz/restRoutes.js';

const settings = fuzzSettings(process.env, DASHBOARD_MIN_INPUTS);
/** Per minute per address: the busiest fuzz address meets it in a long run. */
const REQUESTS_PER_MINUTE = 120;

describe(`dashboard REST routes fuzz (seed ${settings.seed})`, () => {
  let services: Services;
  beforeAll(async () => {
    services = await startServices('fuzz-rest');
  });
  afterAll(async () => {
    await services?.close();
  });

  it(
    'the server stays up and healthy, answers documented statuses with JSON errors and no 500, the heap comes back',
    async () => {
      const server = await FuzzServer.start({ name: 'rest', services, requestsPerMinute: REQUESTS_PER_MINUTE });
      const target = restRoutesTarget(server, warmupInputs(settings.long));
      try {
        const r = await runFuzzAsync(target, SUITE_INPUTS, settings);
        const memory = await target.watchdog.finish();
        const { byStatus, resets, relogins } = target.stats;
        console.log(`fuzz ${target.name}: ${memory}; statuses ${JSON.stringify(byStatus)}; ${resets} connections reset before an answer; ${relogins} sign-ins again`);
        expect(r.frames).toBeGreaterThan(0);
        expect(r.badFrames).toBeGreaterThan(0);
        if (settings.long) expect(r.inputs).toBeGreaterThanOrEqual(settings.minInputs);
      } finally {
        target.close();
        await server.stop();
      }
    },
    serverTestTimeoutMs(settings.long),
  );

  it(
    'fails on a server with the REST twin of the watch bug put back (a body field String()-ed after the answer): the process exits',
    async () => {
      const server = await FuzzServer.start({ name: 'rest-mutant', services, preload: join(MUTANTS, 'restBug.mjs'), requestsPerMinute: REQUESTS_PER_MINUTE });
      const target = restRoutesTarget(server, warmupInputs(false));
      try {
        expect(await failureOnMutant(target, 16)).toMatch(MUTANT_CRASH);
        expect(server.alive).toBe(false);
        expect(server.stderrText).toContain('gatewatch mutant: request hook added');
      } finally {
        target.close();
        await server.stop();
      }
    },
    serverTestTimeoutMs(false),
  );
});
