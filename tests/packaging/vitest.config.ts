import { defineConfig, mergeConfig } from 'vitest/config';
import shared from '../../vitest.shared.js';

export default mergeConfig(
  shared,
  defineConfig({
    test: {
      // Packs every package once, and starts one seeded Samba DC on an address of its own (127.0.0.65).
      globalSetup: ['./test/setup/pack-packages.ts', './test/setup/test-domain.ts'],
      // npm installs from the registry and tsc runs dominate; nothing here is a timing assertion.
      testTimeout: 300_000,
      hookTimeout: 600_000,
    },
  }),
);
