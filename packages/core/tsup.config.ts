import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'store-kit/index': 'src/store-kit/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // One copy of each class for both entries (`.` and `./store`), in CJS too, so instanceof holds across them.
  splitting: true,
});
