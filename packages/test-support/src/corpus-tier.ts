/**
 * The corpus tier: suites that compare Coffer's output with real GPMC output. They run where the corpus is
 * (the maintainers' machines, CI); in a plain clone they are registered as skipped, so the run says how many
 * did not run instead of pretending they passed; in CI (CI=true) a missing corpus is a failure, so a broken
 * CI setup cannot quietly turn the tier off.
 */
import { describe, it } from 'vitest';
import { CORPUS_TIER_PREFIX, corpusAvailable, corpusDir } from './corpus-locator.js';

/** What the CI failure says: where the corpus was looked for and how to point at it. */
export function corpusMissingMessage(): string {
  return `the GPMC corpus is missing at ${corpusDir()}; CI must have it (set COFFER_CORPUS_DIR)`;
}

/**
 * A describe() for tests that need the GPMC corpus. Its name gets the `[corpus]` prefix, by which the test
 * summary counts the tier's skipped tests.
 * - corpus present: runs `body` as an ordinary suite;
 * - corpus absent, CI not 'true': the suite's tests are registered as skipped (`body` still runs to register
 *   them, so it must not read the corpus while collecting; if it does, one skipped placeholder stands in);
 * - corpus absent, CI='true': one test that fails with corpusMissingMessage(); `body` is not run.
 */
export function describeCorpus(name: string, body: () => void): void {
  const title = `${CORPUS_TIER_PREFIX} ${name}`;
  if (corpusAvailable()) {
    describe(title, body);
  } else if (process.env.CI === 'true') {
    describe(title, () => {
      it('has the GPMC corpus to compare with', () => {
        throw new Error(corpusMissingMessage());
      });
    });
  } else {
    describe.skip(title, () => {
      try {
        body();
      } catch {
        // The body read the corpus while collecting: its tests cannot even be named without it.
        it.skip(`needs the GPMC corpus at ${corpusDir()}`, () => {});
      }
    });
  }
}
