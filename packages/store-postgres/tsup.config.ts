import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // The migrations under sql/ are the single source: bundled as text, shipped as files for DBAs.
  loader: { '.sql': 'text' },
});
