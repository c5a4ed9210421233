/**
 * How a prune removes backups so that a kill -9 at any instant leaves the old state or the new one, and
 * readers never see half of either (the same guarantees as a backup's commit; see BackupDestination):
 *
 * 1. under the directory's lock, the journal `.coffer-prune.json` naming every backup to remove, and where
 *    each goes aside, is written whole (temp file, fsync, rename): THE COMMIT POINT. From here on every
 *    reader (listCommittedEntries) hides those backups, and the prune is finished by whoever takes the lock
 *    next — the next prune, or the next backup into the directory — if this process dies;
 * 2. manifest.xml is replaced (temp file, rename) by itself without the removed backups' entries, so GPMC,
 *    which reads only the index, never finds an entry whose folder is gone;
 * 3. each removed backup's folder is renamed aside (an engine name, `.coffer-old-…`), one atomic step;
 * 4. the folders aside are deleted, file by file: what a kill leaves of them is hidden and finished later;
 * 5. the journal is removed.
 *
 * Every step can be repeated: finishing reads the journal, removes from manifest.xml whatever it still lists
 * (nothing, the second time), moves aside what is still in place, deletes what is aside.
 *
 * A journal is checked before anything is done with it: every name must be a plain folder name (no path,
 * not the engine's), every aside name of the engine's own form, and a folder still in place is moved only
 * when its own integrity manifest names it (Coffer wrote it): a planted or edited journal cannot make a
 * prune delete anything else.
 */
import { lstat, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CofferError } from '../errors/coffer-error.js';
import { HRESULT } from '../errors/hresult.js';
import type { StatusMessage } from '../operation/messages.js';
import type { Progress } from '../operation/progress.js';
import { BackupReader } from '../reading/backup-reader.js';
import { sameId } from '../engine/backup-id.js';
import {
  isEngineName,
  OLD_PREFIX,
  PRUNE_JOURNAL_FORMAT,
  PRUNE_JOURNAL_NAME,
  type PruneJournalEntry,
} from '../engine/committed-view.js';
import { fsyncDirectory, writeFileAtomic } from '../engine/durable-fs.js';
import { faultPoint } from '../engine/fault-point.js';
import { INTEGRITY_MANIFEST_NAME, parseIntegrityManifest } from '../engine/integrity-manifest.js';
import { BACKUP_INDEX_FILE } from '../engine/verify.js';
import { readBackupIndex, removeFromBackupIndex } from './backup-index.js';

export const PRUNE_JOURNAL_INVALID = 'PRUNE_JOURNAL_INVALID';
/** The largest integrity manifest or journal a prune reads (manifest.xml's bound grows with the directory: readBackupIndex). */
export const PRUNE_READ_LIMIT = 64 * 1024 * 1024;

const ASIDE_NAME = /^\.coffer-old-[0-9a-f]{16}$/;

/** Writes the journal: the commit point of a prune (see the module comment). */
export async function writePruneJournal(directory: string, entries: readonly PruneJournalEntry[]): Promise<void> {
  await writeFileAtomic(
    join(directory, PRUNE_JOURNAL_NAME),
    JSON.stringify({ format: PRUNE_JOURNAL_FORMAT, version: 1, remove: entries }),
  );
  faultPoint('prune', 'journal-written');
}

/**
 * Steps 2 to 5 for a journal: the index, the renames aside, the deletions, the journal. Runs under the
 * directory's lock. Returns the names of the backups it removed or found removed.
 */
export async function rollPruneForward(
  directory: string,
  entries: readonly PruneJournalEntry[],
  options: { progress?: Progress; report?: (message: StatusMessage) => void } = {},
): Promise<string[]> {
  const indexPath = join(directory, BACKUP_INDEX_FILE);
  const reader = await BackupReader.open(directory);
  const index = await readBackupIndex(reader, BACKUP_INDEX_FILE);
  if (index !== null) {
    const updated = removeFromBackupIndex(
      index.bytes,
      entries.map((entry) => entry.name),
      indexPath,
      index.maxChars,
    );
    if (!updated.equals(index.bytes)) await writeFileAtomic(indexPath, updated);
  }
  faultPoint('prune', 'index-written');
  const removed: string[] = [];
  for (const entry of entries) {
    const path = join(directory, entry.name);
    const info = await lstat(path).catch(() => undefined);
    if (info !== undefined) {
      if (!(await isCofferBackupNamed(reader, entry.name))) {
        options.report?.({
          severity: 'warning',
          code: 'PRUNE_ENTRY_CHANGED',
          message: `${path} was to be removed, but it is no longer the Coffer backup of that name: left in place.`,
          object: path,
        });
        continue;
      }
      await rename(path, join(directory, entry.aside));
      faultPoint('prune', 'renamed');
    }
    removed.push(entry.name);
  }
  await fsyncDirectory(directory);
  options.progress?.phase('removing', entries.length, 'Removing backups');
  for (const entry of entries) {
    await rm(join(directory, entry.aside), { recursive: true, force: true });
    options.progress?.advance(entry.name);
    faultPoint('prune', 'removed');
  }
  await rm(join(directory, PRUNE_JOURNAL_NAME), { force: true });
  await fsyncDirectory(directory);
  faultPoint('prune', 'done');
  return removed;
}

/**
 * Finishes a prune a killed process left (its journal), under the lock the caller holds: the next prune, or
 * BackupDestination.open before a backup. Reports PRUNE_COMPLETED; returns how many backups it removed.
 */
export async function finishInterruptedPrune(
  directory: string,
  report?: (message: StatusMessage) => void,
): Promise<number> {
  const entries = await readPruneJournal(directory);
  if (entries === undefined) return 0;
  const removed = await rollPruneForward(directory, entries, report ? { report } : {});
  report?.({
    severity: 'info',
    code: 'PRUNE_COMPLETED',
    message: `Finished removing ${removed.length} backup(s) that an interrupted prune of ${directory} had committed to remove.`,
    object: directory,
  });
  return removed.length;
}

/** The journal of an unfinished prune, checked (see the module comment); undefined when there is none. */
export async function readPruneJournal(directory: string): Promise<PruneJournalEntry[] | undefined> {
  const path = join(directory, PRUNE_JOURNAL_NAME);
  const info = await lstat(path).catch(() => undefined);
  if (info === undefined) return undefined;
  const invalid = (why: string) =>
    new CofferError(PRUNE_JOURNAL_INVALID, `${path} is not a prune journal Coffer wrote: ${why}.`, {
      hresult: HRESULT.ERROR_INVALID_DATA,
      object: path,
      hint: 'Nothing was changed. Check the directory (coffer verify), then remove the file by hand if it is not yours.',
    });
  if (!info.isFile()) throw invalid('it is not a plain file');
  if (info.size > PRUNE_READ_LIMIT) throw invalid(`it holds ${info.size} bytes`);
  let value: { format?: unknown; version?: unknown; remove?: unknown };
  try {
    value = JSON.parse(await readFile(path, 'utf8')) as typeof value;
  } catch (error) {
    throw invalid(`it does not parse (${(error as Error).message})`);
  }
  if (value?.format !== PRUNE_JOURNAL_FORMAT || value.version !== 1 || !Array.isArray(value.remove))
    throw invalid('its format or version is not known');
  const names = new Set<string>();
  const asides = new Set<string>();
  for (const item of value.remove as unknown[]) {
    const { name, aside } = (item ?? {}) as { name?: unknown; aside?: unknown };
    if (typeof name !== 'string' || !isPlainEntryName(name) || names.has(name))
      throw invalid(`it names ${JSON.stringify(name)}, which is no backup folder's name`);
    if (typeof aside !== 'string' || !ASIDE_NAME.test(aside) || asides.has(aside))
      throw invalid(`it would move ${name} to ${JSON.stringify(aside)}`);
    names.add(name);
    asides.add(aside);
  }
  return (value.remove as PruneJournalEntry[]).map(({ name, aside }) => ({ name, aside }));
}

/** A name that is one entry of the directory and no engine state: no separator, not `.`/`..`, no NUL. */
export function isPlainEntryName(name: string): boolean {
  return (
    name !== '' &&
    name !== '.' &&
    name !== '..' &&
    !/[/\\\0]/.test(name) &&
    !isEngineName(name) &&
    !name.startsWith(OLD_PREFIX)
  );
}

/** Whether `name` is a folder (not a link) whose integrity manifest gives that very id. */
async function isCofferBackupNamed(reader: BackupReader, name: string): Promise<boolean> {
  try {
    if (!(await reader.isDirectory(name))) return false;
    const bytes = await reader.readOptional(`${name}/${INTEGRITY_MANIFEST_NAME}`, { maxBytes: PRUNE_READ_LIMIT });
    if (bytes === null) return false;
    const manifest = parseIntegrityManifest(bytes.toString('utf8'), join(reader.folder, name));
    return manifest.id === name || sameId(manifest.id, name);
  } catch {
    return false;
  }
}
