import { defineConfig } from 'tsup';

export default defineConfig({
  // index: the programmatic API (main); bin: the executable, which tsup marks executable because of its shebang.
  entry: ['src/index.ts', 'src/bin.ts'],
  format: ['esm'],
  dts: { entry: 'src/index.ts' },
  sourcemap: true,
  clean: true,
  target: 'node20',
});
