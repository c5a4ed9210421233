import { lstat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CofferError, ErrorCode, HRESULT } from '@coffer/core';
import { matchGuidOrName } from './match-guid-or-name.js';

/**
 * One backup of a GPMC backup directory as a restore chooses among them: the fields of GPMC's `<BackupInst>` it
 * needs (gpmc's `GpmcBackupEntry` has them all). GPMC calls the backed-up object's GUID `gpoGuid` for Starter GPOs too.
 */
export interface SelectableBackup {
  /** The backup id, `{GUID}`, also its folder name. */
  id: string;
  gpoGuid: string;
  displayName: string;
  folder: string;
  /** Why the entry cannot be trusted as listed (its folder gone, renamed, unreadable…); such entries are never chosen. */
  problem?: { code: string; message: string } | undefined;
}

/** What a restore asks for: one backup by id, the newest backup of one object (name or GUID), or the newest of each. */
export interface BackupChoice {
  backupId?: string | undefined;
  /** A display name (case-insensitive) or GUID: the newest backup of that object. */
  object?: string | undefined;
  all?: boolean | undefined;
}

export interface SelectBackupsOptions {
  /** What the objects are, in messages: `GPO`, `Starter GPO`. */
  noun: string;
  /** The command listing the backups (NOT_FOUND's hint), e.g. `coffer list gpo <directory>`. */
  listCommand: string;
  /** The options a user chooses with, in the words of the caller (INVALID_ARGUMENT's hint). */
  choiceHint: string;
}

/** GPMC's per-backup file: a folder holding it is one backup, not a backup directory. */
const BKUPINFO_FILE = 'bkupInfo.xml';

function key(guid: string): string {
  return guid.replace(/[{}]/g, '').trim().toUpperCase();
}

function refused(problem: { code: string; message: string }, folder: string, hint: string): CofferError {
  return new CofferError(problem.code, `${problem.message} Nothing was restored.`, {
    hresult: HRESULT.ERROR_FILE_CORRUPT,
    object: folder,
    hint,
  });
}

/**
 * Picks backups the way GPMC's restore dialogs do, for both Group Policy providers: one backup by id, the newest
 * backup of one object, or the newest of each. `source` is a backup directory or one backup folder in it (then only
 * that backup is considered). With no choice and backups of a single object, that object's newest is taken.
 * `list(directory)` gives the entries of the caller's backup type, newest first, damaged ones included with their
 * `problem`: a damaged entry that may be the very backup meant (the id asked for, or an entry of the object asked
 * for, or any with `all` or no choice) is refused with its own code, never skipped in favour of an older backup.
 * Returns newest first; NOT_FOUND, AMBIGUOUS (a name several objects share) or INVALID_ARGUMENT otherwise.
 */
export async function selectBackups<T extends SelectableBackup>(
  source: string,
  list: (directory: string) => Promise<readonly T[]>,
  choice: BackupChoice,
  words: SelectBackupsOptions,
): Promise<T[]> {
  const single = await lstat(join(source, BKUPINFO_FILE)).then(
    (info) => info.isFile(),
    () => false,
  );
  const directory = single ? dirname(source) : source;
  let entries = await list(directory);
  if (single) {
    const name = basename(source);
    entries = entries.filter((entry) => key(entry.id) === key(name) || basename(entry.folder) === name);
  }
  const notFound = (message: string, object: string) =>
    new CofferError(ErrorCode.NotFound, message, {
      hresult: HRESULT.ERROR_NOT_FOUND,
      object,
      hint: `List the backups with '${words.listCommand}'.`,
    });

  if (choice.backupId !== undefined) {
    const wanted = key(choice.backupId);
    const withId = entries.filter((entry) => key(entry.id) === wanted);
    const intact = withId.find((entry) => !entry.problem);
    if (intact) return [intact];
    const broken = withId.find((entry) => entry.problem);
    if (broken?.problem) throw refused(broken.problem, broken.folder, "Run 'coffer verify' on the directory.");
    throw notFound(`No ${words.noun} backup with the id ${choice.backupId} is in ${directory}.`, choice.backupId);
  }

  const wanted = choice.object?.trim();
  const meant = wanted === undefined ? entries : matchGuidOrName(entries.map(asMatchable), wanted).map((m) => m.entry);
  const suspect = meant.find((entry) => entry.problem);
  if (suspect?.problem)
    throw refused(
      suspect.problem,
      suspect.folder,
      "Run 'coffer verify' on the directory, or name an intact backup with its backup id.",
    );
  if (!entries.some((entry) => !entry.problem))
    throw notFound(
      single ? `${source} is not a ${words.noun} backup.` : `${directory} holds no ${words.noun} backup.`,
      source,
    );

  if (wanted !== undefined) {
    if (meant.length === 0)
      throw notFound(
        `No backup of a ${words.noun} named or with the GUID ${JSON.stringify(wanted)} is in ${directory}.`,
        wanted,
      );
    const objects = new Set(meant.map((entry) => key(entry.gpoGuid)));
    if (objects.size > 1)
      throw new CofferError(
        ErrorCode.Ambiguous,
        `Backups of ${objects.size} different ${words.noun}s are named ${JSON.stringify(wanted)}: ${[...objects].map((id) => `{${id}}`).join(', ')}.`,
        {
          hresult: HRESULT.E_INVALIDARG,
          object: wanted,
          hint: `Pass the ${words.noun} GUID or the backup id instead.`,
        },
      );
    return [meant[0]!];
  }

  // Every entry is intact here: a damaged one would have been refused above.
  const seen = new Set<string>();
  const newest = entries.filter((entry) => {
    if (seen.has(key(entry.gpoGuid))) return false;
    seen.add(key(entry.gpoGuid));
    return true;
  });
  if (choice.all === true || newest.length === 1) return newest;
  throw new CofferError(
    ErrorCode.InvalidArgument,
    `${directory} holds backups of ${newest.length} ${words.noun}s; say which to restore.`,
    { hresult: HRESULT.E_INVALIDARG, object: directory, hint: words.choiceHint },
  );
}

function asMatchable<T extends SelectableBackup>(entry: T): { id: string; displayName: string; entry: T } {
  return { id: entry.gpoGuid, displayName: entry.displayName, entry };
}
