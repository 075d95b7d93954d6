import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real Prometheus, Alertmanager, restic and borg take seconds to start.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: suites that start servers compete for them.
    maxWorkers: 2,
  },
});
