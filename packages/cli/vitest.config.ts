import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      // The end-to-end tests spawn dist/bin.js: build it first when the sources are newer.
      // The group-policy tests run the CLI against a real seeded Samba DC of the package's own (127.0.0.51).
      globalSetup: ['test/helpers/build-before-tests.ts', 'test/helpers/test-domain-setup.ts'],
      // The files share that DC, and several change it (restores, the diff round trip's edits, the share's restore):
      // one file at a time, so a test that names exactly what changed sees only its own changes.
      fileParallelism: false,
    },
  }),
);
