import { defineConfig } from 'vitest/config';

/**
 * What every package's vitest config shares: where tests live, generous timeouts for the
 * real Samba DC, and a JSON report (test-results.json) that scripts/test-summary.mjs adds up.
 */
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
  },
});
