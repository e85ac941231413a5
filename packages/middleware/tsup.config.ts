import { defineConfig } from 'tsup';

export default defineConfig({
  // One entry per framework, so importing `/hono` never loads express or fastify.
  entry: {
    index: 'src/index.ts',
    express: 'src/express.ts',
    fastify: 'src/fastify.ts',
    hono: 'src/hono.ts',
  },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
