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
      // Every scratch GPO a test makes runs samba-tool ntacl sysvolreset over the whole SYSVOL, whose cost grows with the
      // seeded GPOs' files (a few seconds each on a loaded 2-core machine): the conformance cancel test makes eight and
      // restoring every seeded GPO takes about a minute, so the shared 60 s default is too short here.
      testTimeout: 180_000,
    },
  }),
);
