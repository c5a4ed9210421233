import { defineConfig, type Options } from 'tsup';

/** How every Coffer package builds: ESM for Node 20 with type declarations and source maps. */
export function libraryBuild(overrides: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    ...overrides,
  });
}
