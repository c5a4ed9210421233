import { ENGINE_PREFIX, LOCK_NAME } from '@coffer/core';

/** Core's journal name and prefixes (committed-view.ts): a downloaded copy of the share folder reads as a local one. */
export const SHARE_JOURNAL_NAME = '.coffer-journal.json';
export const STAGING_PREFIX = '.coffer-staging-';
export const OLD_PREFIX = '.coffer-old-';
/** Bumped (a new random token, renamed into place) before a commit's first rename and after its last: see readers. */
export const SHARE_GENERATION_NAME = '.coffer-generation';

/** Engine state (staging, old copies, journal, temp files, generation, lock): never a backup entry. */
export function isEngineName(name: string): boolean {
  return name.startsWith(ENGINE_PREFIX) || name === LOCK_NAME || name.startsWith(`${LOCK_NAME}.`);
}
