/**
 * `pruneDirectory`: removes the backups of a directory that a retention policy does not keep, per object,
 * as `restic forget` does (the rules: policy.ts; how removal is made crash-safe: prune-commit.ts).
 *
 * What a prune looks at: the directory's committed backups (listCommittedEntries: never an unfinished
 * commit's), and of those only the folders Coffer's own integrity manifest names (`coffer-manifest.json`
 * whose id is the folder's name). Everything else — another tool's folder or file, a backup GPMC wrote
 * (no Coffer manifest), a symbolic link — is never removed and is listed as skipped. A Coffer manifest that
 * cannot be read safely (damaged, too large, a link, naming another folder, dated in the future) stops the
 * prune before anything is changed (PRUNE_BACKUP_INVALID): its object and time are unknown, and guessing
 * could remove the backups it should have been weighed against.
 *
 * The object of a backup is its provider, its kind and the first of these facts of its manifest's metadata:
 * `objectId` (for any provider that sets it), `gpoId` (GPO), `starterGpoId` (Starter GPO), `storeId` (DRM
 * license set), `source` (the example directory provider). GUIDs compare without braces and case. A backup
 * with none of them is an object of its own, so it is always kept.
 */
import { resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { CofferError, cancelledError, pathNotFound, toCofferError } from '../errors/coffer-error.js';
import { eventLoopTurns } from '../operation/event-loop-turns.js';
import { HRESULT } from '../errors/hresult.js';
import type { StatusMessage } from '../operation/messages.js';
import type { Progress } from '../operation/progress.js';
import { BackupReader } from '../reading/backup-reader.js';
import {
  listCommittedEntries,
  OLD_PREFIX,
  readJournal,
  removeEngineLeftovers,
  type PruneJournalEntry,
} from '../engine/committed-view.js';
import {
  INTEGRITY_MANIFEST_NAME,
  parseIntegrityManifest,
  type IntegrityManifest,
} from '../engine/integrity-manifest.js';
import { lockDirectory, type LockOptions } from '../engine/lock.js';
import { BACKUP_INDEX_FILE } from '../engine/verify.js';
import { readBackupIndex, removeFromBackupIndex } from './backup-index.js';
import { applyRetentionPolicy, checkRetentionPolicy, type KeepReason, type RetentionPolicy } from './policy.js';
import { finishInterruptedPrune, PRUNE_READ_LIMIT, rollPruneForward, writePruneJournal } from './prune-commit.js';
import { sharedTexts } from '../reading/shared-texts.js';

export const PRUNE_BACKUP_INVALID = 'PRUNE_BACKUP_INVALID';
export const PRUNE_COMMIT_PENDING = 'PRUNE_COMMIT_PENDING';

/** A backup dated later than now by more than this is refused as dated in the future (a wrong clock, or a forged manifest). */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** Metadata keys that name a backup's object, first found wins (see the module comment). */
export const OBJECT_METADATA_KEYS = ['objectId', 'gpoId', 'starterGpoId', 'storeId', 'source'] as const;

export interface PruneOptions {
  policy: RetentionPolicy;
  /** Decide and report only: nothing is written, not even the lock (see {@link pruneDirectory}). */
  dryRun?: boolean;
  /** The present, for refusing backups dated in the future (default: the clock). */
  now?: Date;
  signal?: AbortSignal;
  progress?: Progress;
  /** Receives LOCK_TAKEN_OVER, PRUNE_COMPLETED (an interrupted prune finished), PRUNE_ENTRY_CHANGED. */
  report?: (message: StatusMessage) => void;
  lock?: LockOptions;
}

export interface PruneBackup {
  /** The backup's folder name (its id). */
  id: string;
  path: string;
  provider: string;
  kind: string;
  /** The object it is a backup of: the id its metadata gives, and its display name when it has one. */
  object: { id: string; name?: string };
  createdAt: string;
  comment?: string;
  /** Why it is kept; empty for a removed backup (no rule keeps it). */
  reasons: KeepReason[];
}

export interface PruneSkipped {
  name: string;
  reason: string;
}

export interface PruneResult {
  path: string;
  dryRun: boolean;
  /** Kept and removed backups, each newest first by object. */
  kept: PruneBackup[];
  removed: PruneBackup[];
  /** Entries of the directory that are no Coffer backup: never touched. */
  skipped: PruneSkipped[];
  /** How many objects the backups are of. */
  objects: number;
  /** Backups an interrupted prune had committed to remove, removed first by this one. */
  finishedInterrupted: number;
}

/**
 * Applies a retention policy to a backup directory. A real prune takes the directory's lock (as a backup
 * does: a backup running into the directory makes it fail with DESTINATION_LOCKED), finishes an interrupted
 * prune, refuses to run while a backup's commit is unfinished (PRUNE_COMMIT_PENDING: the next backup of that
 * provider finishes it, with its index), decides, and removes what no rule keeps in one crash-safe commit.
 *
 * A dry run takes no lock and writes nothing (it works on read-only media and never delays a backup); it
 * decides on the committed view, as `coffer list` sees it, so while a backup or prune runs its answer is
 * the one the directory had before that run.
 */
export async function pruneDirectory(directory: string, options: PruneOptions): Promise<PruneResult> {
  checkRetentionPolicy(options.policy);
  const path = resolve(directory);
  await BackupReader.open(path).catch((error) => {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as CofferError).code === 'PATH_NOT_FOUND')
      throw pathNotFound(path, 'backup directory', 'Name the directory that holds the backups.');
    throw toCofferError(error, path);
  });
  if (options.dryRun) return { ...(await plan(path, options)), dryRun: true, finishedInterrupted: 0 };
  const lock = await lockDirectory(path, { ...options.lock, ...(options.report ? { report: options.report } : {}) });
  try {
    if (await readJournal(path))
      throw new CofferError(
        PRUNE_COMMIT_PENDING,
        `A backup into ${path} was interrupted during its commit; its backups are not all in place yet.`,
        {
          hresult: HRESULT.ERROR_SHARING_VIOLATION,
          object: path,
          hint: 'Run the backup again (the next backup into this directory finishes that commit, index included), then prune.',
        },
      );
    const finishedInterrupted = await finishInterruptedPrune(path, options.report);
    // What a killed backup or prune left half-written goes now, as a backup's own start would remove it.
    await removeEngineLeftovers(path);
    const decided = await plan(path, options);
    if (decided.removed.length === 0) return { ...decided, dryRun: false, finishedInterrupted };
    // Everything that could refuse is checked before the commit point: the index must take the edit.
    const reader = await BackupReader.open(path);
    const index = await readBackupIndex(reader, BACKUP_INDEX_FILE);
    if (index !== null)
      removeFromBackupIndex(
        index.bytes,
        decided.removed.map((b) => b.id),
        `${path}/${BACKUP_INDEX_FILE}`,
        index.maxChars,
      );
    if (options.signal?.aborted) throw cancelledError(path);
    if (lock.compromised)
      throw new CofferError('DESTINATION_LOCKED', `Lost the lock on ${path}: ${lock.compromised.message}`, {
        hresult: HRESULT.ERROR_LOCK_VIOLATION,
        object: path,
      });
    const journal: PruneJournalEntry[] = decided.removed.map((backup) => ({
      name: backup.id,
      aside: `${OLD_PREFIX}${randomBytes(8).toString('hex')}`,
    }));
    await writePruneJournal(path, journal);
    // Past the commit point: cancellation is no longer honoured (the next run would finish it anyway).
    await rollPruneForward(path, journal, {
      ...(options.progress ? { progress: options.progress } : {}),
      ...(options.report ? { report: options.report } : {}),
    });
    return { ...decided, dryRun: false, finishedInterrupted };
  } finally {
    await lock.release();
  }
}

/** Reads the committed backups and applies the policy per object. */
async function plan(
  path: string,
  options: PruneOptions,
): Promise<Pick<PruneResult, 'path' | 'kept' | 'removed' | 'skipped' | 'objects'>> {
  const now = options.now ?? new Date();
  const { entries } = await listCommittedEntries(path);
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const reader = await BackupReader.open(path);
  options.progress?.phase('reading backups', entries.length, 'Reading backups');
  const skipped: PruneSkipped[] = [];
  const invalid: string[] = [];
  // Each backup's record is made once, as it will be returned (the policy's reasons are filled in when its object is
  // decided), and its time is kept beside it as a number: a directory of 70,000 backups is decided in memory, and
  // records copied on the way, or a Date per record, were held or promoted by the tens of MiB (issue 18).
  const byObject = new Map<string, { backups: PruneBackup[]; times: number[] }>();
  // Texts many backups share (provider, kind, an object's id and name in each of its backups) are kept once.
  const shared = sharedTexts();
  // Each record's path is this and its name: one joined string each, not the directory and '/' joined again for each.
  const folderPrefix = `${path}/`;
  const turn = eventLoopTurns();
  for (const entry of entries) {
    await turn(); // Ctrl-C, the progress bar
    if (options.signal?.aborted) throw cancelledError(path);
    options.progress?.advance(entry.name);
    if (entry.isSymbolicLink()) {
      skipped.push({ name: entry.name, reason: 'a symbolic link: never followed' });
      continue;
    }
    if (entry.isFile()) {
      if (entry.name !== BACKUP_INDEX_FILE) skipped.push({ name: entry.name, reason: 'a file, not a backup' });
      continue;
    }
    if (!entry.isDirectory()) {
      skipped.push({ name: entry.name, reason: 'not a plain file or folder' });
      continue;
    }
    let manifest: IntegrityManifest;
    try {
      const bytes = await reader.readOptional(`${entry.name}/${INTEGRITY_MANIFEST_NAME}`, {
        maxBytes: PRUNE_READ_LIMIT,
      });
      if (bytes === null) {
        skipped.push({
          name: entry.name,
          reason: `no Coffer integrity manifest (${INTEGRITY_MANIFEST_NAME}): not a backup Coffer wrote, left alone`,
        });
        continue;
      }
      manifest = parseIntegrityManifest(bytes.toString('utf8'), `${entry.name}/${INTEGRITY_MANIFEST_NAME}`);
    } catch (error) {
      invalid.push(`${entry.name}: ${(error as Error).message}`);
      continue;
    }
    const time = new Date(String(manifest.createdAt)).getTime();
    if (manifest.id !== entry.name) {
      invalid.push(`${entry.name}: its manifest gives the id ${JSON.stringify(manifest.id)} (moved or forged)`);
      continue;
    }
    if (typeof manifest.provider !== 'string' || typeof manifest.kind !== 'string') {
      invalid.push(`${entry.name}: its manifest names no provider or kind`);
      continue;
    }
    if (Number.isNaN(time)) {
      invalid.push(`${entry.name}: its manifest's createdAt ${JSON.stringify(manifest.createdAt)} is no time`);
      continue;
    }
    if (time > now.getTime() + FUTURE_TOLERANCE_MS) {
      invalid.push(
        `${entry.name}: it is dated ${manifest.createdAt}, after now (${now.toISOString()}): a wrong clock or a forged manifest`,
      );
      continue;
    }
    const object = objectOf(manifest, shared);
    const createdAt = new Date(time).toISOString();
    // In the order the fields have always been returned (--json prints them so).
    const backup: PruneBackup = {
      id: entry.name,
      path: folderPrefix + entry.name,
      provider: shared(manifest.provider),
      kind: shared(manifest.kind),
      object: object.object,
      createdAt,
      ...(typeof manifest.comment === 'string' ? { comment: manifest.comment } : {}),
      reasons: [],
    };
    const group = byObject.get(object.key);
    if (group) {
      group.backups.push(backup);
      group.times.push(time);
    } else byObject.set(object.key, { backups: [backup], times: [time] });
  }
  if (invalid.length > 0)
    throw new CofferError(
      PRUNE_BACKUP_INVALID,
      `${invalid.length} backup${invalid.length === 1 ? '' : 's'} in ${path} cannot be read safely, so nothing was removed: ${invalid.join('; ')}.`,
      {
        hresult: HRESULT.ERROR_FILE_CORRUPT,
        object: path,
        hint: `Run 'coffer verify ${path}', move the damaged folders out of the directory, then prune again.`,
      },
    );
  // The listing's entries are let go (their names live on in the records).
  entries.length = 0;
  const kept: PruneBackup[] = [];
  const removed: PruneBackup[] = [];
  for (const [key, group] of byObject) {
    // The policy sees each backup as a candidate of one object (its Date made now, for the few backups of that object).
    const decisions = applyRetentionPolicy(
      group.backups.map((backup, i) => ({ id: backup.id, createdAt: new Date(group.times[i]!), backup })),
      options.policy,
    );
    for (const { backup: candidate, keep, reasons } of decisions) {
      const { backup } = candidate;
      // A reason dated at the backup's own time (`newest`) shares its text.
      for (const reason of reasons) if (reason.period === backup.createdAt) reason.period = backup.createdAt;
      backup.reasons = reasons;
      (keep ? kept : removed).push(backup);
    }
    // Each object's group is let go once decided.
    byObject.set(key, EMPTY_GROUP);
  }
  return { path, kept, removed, skipped, objects: byObject.size };
}

/** What a decided object's entry in the plan is left holding. */
const EMPTY_GROUP = { backups: [] as PruneBackup[], times: [] as number[] };

/** The object a backup is of (see the module comment): a grouping key and what to show of it. */
function objectOf(
  manifest: IntegrityManifest,
  shared: (text: string) => string,
): { key: string; object: PruneBackup['object'] } {
  const metadata = manifest.metadata ?? {};
  const field = OBJECT_METADATA_KEYS.find((key) => {
    const value = metadata[key];
    return (typeof value === 'string' && value.trim() !== '') || typeof value === 'number';
  });
  const id = shared(field === undefined ? manifest.id : String(metadata[field]).trim());
  const name = typeof metadata.displayName === 'string' ? shared(metadata.displayName) : undefined;
  // GUIDs are compared as Windows does; an object without an id fact is its own group (the backup id is unique).
  const normal = /^\{?[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\}?$/i.test(id)
    ? id.replace(/^\{|\}$/g, '').toUpperCase()
    : id;
  const key = JSON.stringify([manifest.provider, manifest.kind, field === undefined ? `backup:${id}` : normal]);
  return { key, object: { id, ...(name === undefined ? {} : { name }) } };
}
