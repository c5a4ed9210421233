import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      // One seeded Samba DC for the package's run, on an address of its own so other packages' DCs can run beside it.
      globalSetup: ['./test/dc/global-setup.ts'],
      // Restore tests delete and re-create the seeded GPOs every test file reads: test files take turns.
      fileParallelism: false,
    },
  }),
);
