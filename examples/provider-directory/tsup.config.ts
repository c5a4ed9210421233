import { defineConfig } from 'tsup';

// Self-contained (no shared config from the Coffer repository), so a copy of this folder builds on its own:
// ESM for Node 20 with type declarations, which is what `coffer` and `loadProvider` load.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
});
