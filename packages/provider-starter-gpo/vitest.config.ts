import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

// One real DC for the run; files run one after another because one of them hides the StarterGPOs folder for a while.
export default mergeConfig(
  shared,
  defineConfig({
    test: {
      globalSetup: ['./test/setup/test-domain.ts'],
      fileParallelism: false,
    },
  }),
);
