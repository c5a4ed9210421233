import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      // One seeded Samba DC of the suite's own (127.0.0.81, FAULT.COFFER.TEST; COFFER_TEST_DC_LANE moves it).
      globalSetup: ['./test/setup/test-domain.ts'],
      // Each scenario is one test running dozens of killed and recovering coffer processes.
      testTimeout: 600_000,
    },
  }),
);
