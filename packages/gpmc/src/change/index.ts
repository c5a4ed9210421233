/**
 * Change detection for `--changed` backups: is an object (a GPO, a Starter GPO) still as its newest backup in the
 * destination holds it? Provider-neutral; the provider decides what its "state" is.
 *
 * How a provider uses it (the GPO provider does this in provider-gpo/src/backup/changed-gpos.ts):
 *
 * 1. **Record, in every backup.** While backing an object up, collect its SYSVOL folder's entries as the stream gives
 *    them (`SysvolTreeEntry` carries `path`, `kind`, `size`, `mtime`), leaving out what the backup leaves out. Compute
 *    `digestFacts(adFacts)` over the directory-side facts you count as state (sort arrays whose order means nothing).
 *    Write `renderChangeState({ format: CHANGE_STATE_FORMAT, version: 1, objectId, adDigest, readStartedAt,
 *    contentRoot, listing: recordListing(entries, hashesOfFilesNotInTheBackup) })` as {@link CHANGE_STATE_FILE} into
 *    the staged entry before it is sealed: the integrity manifest then covers it. `readStartedAt` is taken before the
 *    SYSVOL read starts (this machine's clock); `contentRoot` is the backup folder holding the object's files.
 * 2. **Decide, in a `--changed` run**, before staging anything: list each candidate's folder without content
 *    (`SysvolSource.statTree`, one smbclient `ls` for a whole folder tree), drop what the backup leaves out, compute
 *    the same digest, and call `detectChanges(candidates, { directory: target.path, domain, readFiles, what })`
 *    (`loadPreviousStates(ids, …)`, passed as `previous`, verifies the newest backups meanwhile: start it before the
 *    listing)
 *    (over SMB also `readAllFiles`: one transfer for every object's files, see provider-gpo's changed-gpos.ts).
 *    Back up the objects with `changed: true`; report the others as info `UNCHANGED` status messages (the decision's
 *    `reason`), and report `PREVIOUS_BACKUP_UNUSABLE` decisions (a damaged newest backup) as warnings.
 *
 * What counts as a change is documented in provider-gpo's README ("What counts as a change").
 */
export {
  CHANGE_STATE_FILE,
  CHANGE_STATE_FORMAT,
  digestFacts,
  parseChangeState,
  recordListing,
  renderChangeState,
  sha256Hex,
  type ChangeState,
  type ListedEntry,
  type RecordedEntry,
} from './change-state.js';
export {
  compareListing,
  DEFAULT_CLOCK_ALLOWANCE_SECONDS,
  type FileToHash,
  type ListingVerdict,
} from './compare-state.js';
export {
  detectChanges,
  loadPreviousStates,
  type PreviousStates,
  type Loaded as PreviousBackup,
  type ChangeCandidate,
  type ChangeCode,
  type ChangeDecision,
  type DetectChangesOptions,
} from './detect-changes.js';
