import { defineConfig } from 'tsup';

// An app, not a library: one ESM entry point run with `node dist/index.js`.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  clean: true,
  sourcemap: true,
  target: 'node20',
});
