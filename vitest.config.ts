import {defineConfig} from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    disableConsoleIntercept: true,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    // Sandboxed jobs are CPU-bound; two cores are shared by all test files.
    fileParallelism: false,
  },
});
