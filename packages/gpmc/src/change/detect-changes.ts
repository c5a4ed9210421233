import {
  BACKUP_READ_LIMITS,
  INTEGRITY_MANIFEST_NAME,
  openTrustedBackup,
  parseIntegrityManifest,
  toCofferError,
} from '@coffer/core';
import { readBackupDirectoryUntyped } from '../read/backup-directory.js';
import { sameGuid } from '../write/manifest-xml.js';
import { CHANGE_STATE_FILE, type ChangeState, type ListedEntry, parseChangeState, sha256Hex } from './change-state.js';
import { compareListing, DEFAULT_CLOCK_ALLOWANCE_SECONDS } from './compare-state.js';

/** The live state of one object (a GPO, a Starter GPO) whose newest backup decides whether it is backed up again. */
export interface ChangeCandidate {
  /** Its `{GUID}` as bkupInfo.xml records it (any case, braces optional). */
  id: string;
  /** {@link digestFacts} of its directory-side facts, computed exactly as the backup computed the one it stored. */
  adDigest: string;
  /** Its SYSVOL folder listed now (without content), minus what the backup leaves out; null when it has no folder. */
  listing: readonly ListedEntry[] | null;
}

/** Why an object is (or is not) backed up again. `code` is the status message code to report. */
export type ChangeCode =
  /** Nothing the backup keeps differs from the newest backup. */
  | 'UNCHANGED'
  | 'NO_PREVIOUS_BACKUP'
  /** The newest backup fails verification, cannot be read, or has no (valid) change state: it cannot vouch. */
  | 'PREVIOUS_BACKUP_UNUSABLE'
  | 'AD_STATE_CHANGED'
  | 'SYSVOL_CHANGED';

export interface ChangeDecision {
  id: string;
  changed: boolean;
  code: ChangeCode;
  /** One sentence for the status message (what differs, or why the newest backup could not be used). */
  reason: string;
  /** The newest backup compared with, when there was one. */
  previousBackupId?: string;
}

export interface DetectChangesOptions {
  /** The backup directory (the run's destination). */
  directory: string;
  /** The live domain's DNS name: only backups of this domain count (compared case-insensitively). */
  domain: string;
  /**
   * Reads the live content of files whose listing could not settle it, relative to the object's folder as the backup
   * recorded them. A path missing from the map counts as changed. One call per object, with all its files (over SMB,
   * active-directory's `SysvolSource.readFiles` takes them in one transfer).
   */
  readFiles(id: string, paths: string[]): Promise<Map<string, Buffer>>;
  /** See {@link DEFAULT_CLOCK_ALLOWANCE_SECONDS}. */
  clockAllowanceSeconds?: number;
  /** What the objects are, for messages: `GPO` (default), `Starter GPO`. */
  what?: string;
  signal?: AbortSignal;
}

/**
 * Decides for each candidate whether it differs from its newest backup in `directory`. Every backup consulted is
 * verified first (core's openTrustedBackup: each byte re-hashed against its integrity manifest), and only then is its
 * change state read; a backup that fails, or holds no change state, never vouches for an object: the object is
 * `changed` with `PREVIOUS_BACKUP_UNUSABLE`. Only the newest backup of an object counts (GPMC's order: backup time,
 * then id), so an older, intact backup never hides a damaged newer one. Backups whose identity cannot be read at all
 * (bkupInfo.xml unreadable) name no object and are not considered.
 */
export async function detectChanges(
  candidates: readonly ChangeCandidate[],
  options: DetectChangesOptions,
): Promise<ChangeDecision[]> {
  const newest = await newestBackups(options.directory, options.domain);
  const decisions: ChangeDecision[] = [];
  for (const candidate of candidates) {
    options.signal?.throwIfAborted();
    decisions.push(await decide(candidate, newest.get(guidKey(candidate.id)), options));
  }
  return decisions;
}

function guidKey(id: string): string {
  return id.replace(/[{}]/g, '').toUpperCase();
}

type Listed = Awaited<ReturnType<typeof readBackupDirectoryUntyped>>[number];

/** The newest backup of each object of `domain` in `directory`, damaged ones included (they must not be skipped). */
async function newestBackups(directory: string, domain: string): Promise<Map<string, Listed>> {
  const newest = new Map<string, Listed>();
  for (const entry of await readBackupDirectoryUntyped(directory)) {
    if (entry.domain.toLowerCase() !== domain.toLowerCase() || entry.gpoGuid === '') continue;
    const key = guidKey(entry.gpoGuid);
    const current = newest.get(key);
    if (!current || isNewer(entry, current)) newest.set(key, entry);
  }
  return newest;
}

function isNewer(a: Listed, b: Listed): boolean {
  const at = a.backupTime?.getTime() ?? Number.NEGATIVE_INFINITY;
  const bt = b.backupTime?.getTime() ?? Number.NEGATIVE_INFINITY;
  return at > bt || (at === bt && a.id.localeCompare(b.id) < 0);
}

async function decide(
  candidate: ChangeCandidate,
  previous: Listed | undefined,
  options: DetectChangesOptions,
): Promise<ChangeDecision> {
  const { id } = candidate;
  if (!previous)
    return { id, changed: true, code: 'NO_PREVIOUS_BACKUP', reason: 'it has no backup in this directory yet' };
  const previousBackupId = previous.id;
  const unusable = (why: string): ChangeDecision => ({
    id,
    changed: true,
    code: 'PREVIOUS_BACKUP_UNUSABLE',
    reason: `its newest backup ${previousBackupId} ${why}, so it is backed up again`,
    previousBackupId,
  });
  if (previous.problem) return unusable(`is not usable (${previous.problem.code}: ${previous.problem.message})`);
  let state: ChangeState;
  let hashes: Map<string, string>;
  try {
    const { reader } = await openTrustedBackup(previous.folder, {
      what: options.what ?? 'GPO',
      ...(options.signal ? { signal: options.signal } : {}),
    });
    // Verified just now: the manifest and the state file below are the bytes it vouched for.
    if (!(await reader.isFile(CHANGE_STATE_FILE))) return unusable(`holds no ${CHANGE_STATE_FILE} (an older Coffer)`);
    const limit = { maxBytes: BACKUP_READ_LIMITS.maxXmlBytes };
    state = parseChangeState((await reader.readFile(CHANGE_STATE_FILE, limit)).toString('utf8'), CHANGE_STATE_FILE);
    const manifest = parseIntegrityManifest(
      (await reader.readFile(INTEGRITY_MANIFEST_NAME, limit)).toString('utf8'),
      INTEGRITY_MANIFEST_NAME,
    );
    hashes = new Map(manifest.files.map((file) => [file.path, file.sha256]));
  } catch (error) {
    options.signal?.throwIfAborted();
    const coded = toCofferError(error, previous.folder);
    return unusable(`cannot vouch for it (${coded.code}: ${coded.message})`);
  }
  if (!sameGuid(state.objectId, id)) return unusable(`records the state of ${state.objectId}`);
  if (state.adDigest !== candidate.adDigest)
    return {
      id,
      changed: true,
      code: 'AD_STATE_CHANGED',
      reason: 'its Active Directory state differs from its newest backup',
      previousBackupId,
    };
  if (candidate.listing === null)
    return { id, changed: true, code: 'SYSVOL_CHANGED', reason: 'its SYSVOL folder is missing', previousBackupId };
  const verdict = compareListing(
    state,
    candidate.listing,
    (recorded) => recorded.sha256 ?? hashes.get(`${state.contentRoot}/${recorded.path}`),
    options.clockAllowanceSeconds ?? DEFAULT_CLOCK_ALLOWANCE_SECONDS,
  );
  const sysvolChanged = (reason: string): ChangeDecision => ({
    id,
    changed: true,
    code: 'SYSVOL_CHANGED',
    reason: `its SYSVOL folder differs from its newest backup: ${reason}`,
    previousBackupId,
  });
  if (verdict.verdict === 'changed') return sysvolChanged(verdict.reason);
  if (verdict.verdict === 'hash') {
    const contents = await options.readFiles(
      id,
      verdict.files.map((file) => file.path),
    );
    for (const file of verdict.files) {
      const live = contents.get(file.path);
      if (live === undefined) return sysvolChanged(`${file.path} could not be read back`);
      if (sha256Hex(live) !== file.sha256) return sysvolChanged(`${file.path} has other content`);
    }
  }
  return {
    id,
    changed: false,
    code: 'UNCHANGED',
    reason: `it is unchanged since its newest backup ${previousBackupId}`,
    previousBackupId,
  };
}
