import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Property tests and the browser test take a few seconds each; none asserts on time.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
