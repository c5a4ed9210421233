import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      // The end-to-end tests spawn dist/bin.js: build it first when the sources are newer.
      globalSetup: ['test/helpers/build-before-tests.ts'],
    },
  }),
);
