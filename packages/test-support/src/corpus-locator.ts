/**
 * THE locator of the GPMC corpus: real backups GPMC wrote, kept beside the repository on the maintainers'
 * machines and in CI, never in a clone a user makes. This is the only code in the repository that may name
 * the folder beside the checkout; everything else asks here. It imports nothing from vitest, so plain
 * scripts (scripts/test-summary.mjs) can use it too.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The checkout's root: the nearest folder above `from` whose package.json declares workspaces. */
export function repoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = resolve(from); ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const workspaces = (JSON.parse(readFileSync(manifest, 'utf8')) as { workspaces?: unknown }).workspaces;
      if (workspaces !== undefined) return dir;
    }
    if (dirname(dir) === dir)
      throw new Error(`no package.json with workspaces above ${from}: is this inside the Coffer checkout?`);
  }
}

/** Where the corpus is looked for: COFFER_CORPUS_DIR when set, else the corpus folder beside the checkout. */
export function corpusDir(): string {
  return process.env.COFFER_CORPUS_DIR
    ? resolve(process.env.COFFER_CORPUS_DIR)
    : resolve(repoRoot(), '..', 'shared', 'corpus', 'gpmc-backups');
}

/** True when the corpus folder exists (a plain clone has none: its corpus tests are skipped, or fail in CI). */
export function corpusAvailable(): boolean {
  return statSync(corpusDir(), { throwIfNoEntry: false })?.isDirectory() === true;
}

/** The prefix of every corpus-tier suite's name, by which scripts/test-summary.mjs counts what was skipped. */
export const CORPUS_TIER_PREFIX = '[corpus]';

/** How to run the corpus tier, for skip notices and the test summary. */
export function corpusHowTo(): string {
  return `set COFFER_CORPUS_DIR=/path/to/gpmc-backups to run them`;
}
