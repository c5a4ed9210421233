import { defineConfig } from 'vitest/config';

// Self-contained, so a copy of this folder tests on its own. The JSON report is what the Coffer repository's
// test summary (scripts/test-summary.mjs) adds up; elsewhere it is a harmless file (ignored in .gitignore).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    reporters: ['default', ['json', { outputFile: 'test-results.json' }]],
  },
});
