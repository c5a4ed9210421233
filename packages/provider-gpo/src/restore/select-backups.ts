import { lstat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CofferError, ErrorCode, HRESULT } from '@coffer/core';
import { searchBackups, sameGuid, type GpmcBackupEntry } from '@coffer/gpmc';

export interface BackupChoice {
  /** A backup id (`{GUID}`, the backup's folder name). */
  backupId?: string | undefined;
  /** A GPO's display name or GUID: its newest backup in the directory. */
  gpo?: string | undefined;
  /** The newest backup of every GPO in the directory. */
  all?: boolean | undefined;
}

/**
 * Picks backups from a GPMC backup directory the way GPMC's restore dialogs do: one backup by id,
 * the newest backup of one GPO, or the newest of each. `source` may also be a single backup folder.
 * With no choice and backups of a single GPO in the directory, that GPO's newest backup is taken.
 */
export async function selectBackups(source: string, choice: BackupChoice): Promise<GpmcBackupEntry[]> {
  const single = await isBackupFolder(source);
  const directory = single ? dirname(source) : source;
  const all = await searchBackups(directory, { type: 'GPO' });
  // A backup asked for by id whose folder is gone, renamed or unreadable is refused with that reason, not "not found".
  const broken =
    choice.backupId === undefined
      ? undefined
      : all.find((entry) => entry.problem && sameGuid(entry.id, choice.backupId!));
  if (broken?.problem && !all.some((entry) => !entry.problem && sameGuid(entry.id, choice.backupId!))) {
    throw new CofferError(broken.problem.code, `${broken.problem.message} Nothing was restored.`, {
      hresult: HRESULT.ERROR_FILE_CORRUPT,
      object: broken.folder,
      hint: "Run 'coffer verify' on the directory.",
    });
  }
  // Chosen by GPO or --all, a damaged entry might be the very backup meant (the newest of its GPO): refused, not skipped.
  if (choice.backupId === undefined) {
    const wanted = choice.gpo?.trim();
    const suspect = all.find(
      (entry) =>
        entry.problem &&
        (wanted === undefined ||
          sameGuid(entry.gpoGuid, wanted) ||
          entry.displayName.toLowerCase() === wanted.toLowerCase() ||
          sameGuid(entry.id, wanted)),
    );
    if (suspect?.problem) {
      throw new CofferError(suspect.problem.code, `${suspect.problem.message} Nothing was restored.`, {
        hresult: HRESULT.ERROR_FILE_CORRUPT,
        object: suspect.folder,
        hint: "Run 'coffer verify' on the directory, or name an intact backup with its backup id.",
      });
    }
  }
  let found = all.filter((entry) => entry.hasFolder && !entry.problem);
  if (single) found = found.filter((entry) => sameGuid(entry.id, basename(source)));
  if (found.length === 0) {
    throw new CofferError(ErrorCode.NotFound, `${source} holds no GPO backup.`, {
      hresult: HRESULT.ERROR_NOT_FOUND,
      object: source,
      hint: 'Give the GPMC backup directory (the folder holding manifest.xml and the {backup id} folders).',
    });
  }
  if (choice.backupId !== undefined) {
    const match = found.find((entry) => sameGuid(entry.id, choice.backupId!));
    if (!match) throw notFound(`No backup with the id ${choice.backupId} is in ${directory}.`, choice.backupId);
    return [match];
  }
  if (choice.gpo !== undefined) {
    const wanted = choice.gpo.trim();
    const matches = found.filter(
      (entry) => sameGuid(entry.gpoGuid, wanted) || entry.displayName.toLowerCase() === wanted.toLowerCase(),
    );
    if (matches.length === 0)
      throw notFound(`No backup of a GPO named or with the GUID ${JSON.stringify(wanted)} is in ${directory}.`, wanted);
    const gpoIds = new Set(matches.map((entry) => normalizeGuid(entry.gpoGuid)));
    if (gpoIds.size > 1) {
      throw new CofferError(
        ErrorCode.Ambiguous,
        `Backups of ${gpoIds.size} different GPOs are named ${JSON.stringify(wanted)}: ${[...gpoIds].join(', ')}.`,
        {
          hresult: HRESULT.E_INVALIDARG,
          object: wanted,
          hint: 'Pass the GPO GUID or the backup id instead.',
        },
      );
    }
    return [matches[0]!]; // searchBackups sorts newest first
  }
  const newest = newestPerGpo(found);
  if (choice.all || newest.length === 1) return newest;
  throw new CofferError(
    ErrorCode.InvalidArgument,
    `${directory} holds backups of ${newest.length} GPOs; say which to restore.`,
    {
      hresult: HRESULT.E_INVALIDARG,
      object: directory,
      hint: 'Pass backupId, gpo (a name or GUID: its newest backup), or all.',
    },
  );
}

function newestPerGpo(entries: readonly GpmcBackupEntry[]): GpmcBackupEntry[] {
  const seen = new Set<string>();
  return entries.filter((entry) => {
    const key = normalizeGuid(entry.gpoGuid);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function normalizeGuid(value: string): string {
  return `{${value
    .trim()
    .replace(/^\{|\}$/g, '')
    .toUpperCase()}}`;
}

function notFound(message: string, object: string): CofferError {
  return new CofferError(ErrorCode.NotFound, message, {
    hresult: HRESULT.ERROR_NOT_FOUND,
    object,
    hint: "List the backups with 'coffer list gpo <directory>'.",
  });
}

async function isBackupFolder(path: string): Promise<boolean> {
  return lstat(join(path, 'bkupInfo.xml')).then(
    (info) => info.isFile(),
    () => false,
  );
}
