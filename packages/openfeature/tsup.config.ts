import { defineConfig } from 'tsup';

export default defineConfig({
  // `evaluation` is the SDK-free half (context mapping, value resolution) that
  // @rollout/server shares without depending on @openfeature/server-sdk.
  entry: { index: 'src/index.ts', 'evaluation/index': 'src/evaluation/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
