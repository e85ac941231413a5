import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // The JSON report feeds the closing 'N passed, N failed' line of scripts/test.mjs.
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
