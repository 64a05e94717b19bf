import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Files that assert on elapsed time (a corridor run on a fast clock, with bounds on how late
 * records may come): they run last, alone, so that no other file's work skews their clock.
 */
const ALONE = ['test/sim/fastClock.e2e.test.ts'];
const EVERY_TEST = ['shared/src/**/*.test.ts', 'edge/src/**/*.test.ts', 'sim/src/**/*.test.ts', 'infra/src/**/*.test.ts', 'dashboard/server/src/**/*.test.ts', 'dashboard/web/src/**/*.test.{ts,tsx}', 'test/**/*.test.ts'];

// One runner for the whole workspace. Workspace packages resolve to their TypeScript
// sources through the "source" export condition, so tests never need a prior build.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
    // Two at a time on the 2 cores CI has: the end-to-end files spend most of their time
    // waiting on services, drills and browsers, and overlap well with the unit tests.
    maxWorkers: 2,
    projects: [
      { extends: true, test: { name: 'suite', include: EVERY_TEST, exclude: [...configDefaults.exclude, ...ALONE], sequence: { groupOrder: 0 } } },
      { extends: true, test: { name: 'alone', include: ALONE, maxWorkers: 1, sequence: { groupOrder: 1 } } },
    ],
  },
});
