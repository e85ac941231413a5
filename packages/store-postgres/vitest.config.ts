import { defineConfig } from 'vitest/config';

export default defineConfig({
  // src imports the migrations under sql/ as text (tsup's `.sql` text loader does
  // the same for the build), so tests can run from the sources.
  plugins: [
    {
      name: 'sql-as-text',
      enforce: 'pre',
      transform(code, id) {
        return id.endsWith('.sql')
          ? { code: `export default ${JSON.stringify(code)};`, map: null }
          : undefined;
      },
    },
  ],
  test: {
    // The JSON report feeds the closing 'N passed, N failed' line of scripts/test.mjs.
    reporters: ['default', ['json', { outputFile: '.vitest-results.json' }]],
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
