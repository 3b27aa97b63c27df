import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: run test files two at a time so timing-sensitive stream tests are not starved.
    maxWorkers: 2,
    execArgv: ['--experimental-wasm-relaxed-simd'],
  },
});
