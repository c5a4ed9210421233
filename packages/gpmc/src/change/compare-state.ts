import type { ChangeState, ListedEntry, RecordedEntry } from './change-state.js';

/**
 * How far this machine's clock and the file server's may disagree (seconds). A recorded write time this close to
 * (or after) the moment the backup began reading cannot prove a file unchanged: a later edit within the same second
 * would leave size and time as recorded. Five minutes is Kerberos' default tolerated skew, which AD domain members
 * keep to.
 */
export const DEFAULT_CLOCK_ALLOWANCE_SECONDS = 300;
/** The coarsest write-time granularity a listing may have (FAT-era servers: 2 s; smbclient prints seconds). */
const TIME_GRANULARITY_SECONDS = 2;

/** A file whose listing cannot tell (time near or after the backup's read), to be settled by its content hash. */
export interface FileToHash {
  /** As the backup recorded it (exact name), relative to the object's folder. */
  path: string;
  /** What the backup holds for it. */
  sha256: string;
}

export type ListingVerdict =
  | { verdict: 'unchanged' }
  | { verdict: 'changed'; reason: string }
  | { verdict: 'hash'; files: FileToHash[] };

/**
 * smbclient's listing pads names and so loses their trailing spaces (see active-directory's gpt-listing.ts): names are
 * compared without them, per path component. Case is kept: a rename that only changes case is a change.
 */
function keyOf(path: string): string {
  return path
    .split('/')
    .map((part) => part.trimEnd())
    .join('/');
}

/**
 * Compares an object's live SYSVOL listing with the one its backup recorded.
 * - `changed` as soon as the listings prove a change: an entry added, removed or renamed (also in case only), a folder
 *   turned file or back, a file's size;
 * - `hash` when they agree but some files' times do not prove them unchanged: a write time that differs, one either
 *   side does not know, or a recorded time at or after `readStartedAt - clockAllowance - 2 s` (an edit in the same
 *   second would leave it as recorded). Those files must be read and hashed; `hashOf` gives what the backup holds (the
 *   state's own sha256, else the integrity manifest's), and a file with no known hash makes the verdict `changed`;
 * - `unchanged` otherwise.
 */
export function compareListing(
  state: ChangeState,
  live: readonly ListedEntry[],
  hashOf: (recorded: RecordedEntry) => string | undefined,
  clockAllowanceSeconds = DEFAULT_CLOCK_ALLOWANCE_SECONDS,
): ListingVerdict {
  const ambiguousFrom =
    Math.floor(Date.parse(state.readStartedAt) / 1000) - clockAllowanceSeconds - TIME_GRANULARITY_SECONDS;
  const recorded = new Map<string, RecordedEntry>();
  for (const entry of state.listing) recorded.set(keyOf(entry.path), entry);
  const seen = new Set<string>();
  const toHash: FileToHash[] = [];
  for (const entry of live) {
    const key = keyOf(entry.path);
    if (seen.has(key)) return { verdict: 'changed', reason: `${entry.path} is listed twice` };
    seen.add(key);
    const before = recorded.get(key);
    if (!before) return { verdict: 'changed', reason: `${entry.path} was added` };
    if (before.kind !== entry.kind) return { verdict: 'changed', reason: `${entry.path} is now a ${entry.kind}` };
    if (entry.kind === 'directory') continue; // a folder's own time moves with its entries, which are compared
    if (before.size !== entry.size)
      return { verdict: 'changed', reason: `${entry.path} changed size (${before.size} -> ${entry.size} bytes)` };
    // Same size and the same time, recorded well before the backup read it: the file was not written since.
    if (before.mtime !== null && before.mtime < ambiguousFrom && entry.mtime === before.mtime) continue;
    // Written since (or too close to the read to tell): the content decides; a rewrite of the same bytes is no change.
    const sha256 = hashOf(before);
    if (sha256 === undefined)
      return { verdict: 'changed', reason: `${entry.path} may have changed and the backup holds no hash of it` };
    toHash.push({ path: before.path, sha256 });
  }
  for (const [key, entry] of recorded)
    if (!seen.has(key)) return { verdict: 'changed', reason: `${entry.path} was removed` };
  return toHash.length === 0 ? { verdict: 'unchanged' } : { verdict: 'hash', files: toHash };
}
