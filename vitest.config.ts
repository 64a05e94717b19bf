import { defineConfig } from 'vitest/config';

// One runner for the whole workspace. Workspace packages resolve to their TypeScript
// sources through the "source" export condition, so tests never need a prior build.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'], externalConditions: ['source'] } },
  test: {
    include: ['shared/src/**/*.test.ts', 'edge/src/**/*.test.ts', 'sim/src/**/*.test.ts', 'infra/src/**/*.test.ts', 'dashboard/server/src/**/*.test.ts', 'dashboard/web/src/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
