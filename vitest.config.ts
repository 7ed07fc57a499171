import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'examples/react/**/*.test.tsx'],
    // Engine tests share one throwaway server per engine (a PostgreSQL cluster, a three-node Trino cluster: test/global-setup.ts).
    globalSetup: ['test/global-setup.ts'],
    // A Trino statement costs tens of milliseconds of coordination, and a test runs dozens of builds of ~70.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: true,
    maxWorkers: 2,
  },
});
