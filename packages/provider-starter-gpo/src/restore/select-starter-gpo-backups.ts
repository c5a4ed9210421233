/**
 * Picks Starter GPO backups from a GPMC backup directory the way GPMC's restore dialog does: one backup by id,
 * the newest backup of one Starter GPO (name or GUID), or the newest of each. `source` may also be one backup
 * folder. With no choice and backups of a single Starter GPO in the directory, its newest backup is taken.
 * Backups of GPOs in the same directory are never picked (list-starter-gpo-backups decides what is one).
 */
import { lstat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { CofferError, ErrorCode, HRESULT, type BackupListing, type StatusMessage } from '@coffer/core';
import { sameGuid } from '@coffer/gpmc';
import { BKUPINFO_FILE } from '../backup/layout.js';
import { listStarterGpoBackups } from '../list/list-starter-gpo-backups.js';

export interface StarterGpoBackupChoice {
  backupId?: string | undefined;
  starterGpo?: string | undefined;
  all?: boolean | undefined;
}

function notFound(message: string, object: string): CofferError {
  return new CofferError(ErrorCode.NotFound, message, {
    hresult: HRESULT.ERROR_NOT_FOUND,
    object,
    hint: "List the backups with 'coffer list starter-gpo --from <directory>'.",
  });
}

function bare(id: string | undefined): string {
  return (id ?? '').replace(/[{}]/g, '').trim().toUpperCase();
}

async function isBackupFolder(path: string): Promise<boolean> {
  return lstat(join(path, BKUPINFO_FILE)).then(
    (info) => info.isFile(),
    () => false,
  );
}

/** The chosen backups, newest first where several are taken; NOT_FOUND / AMBIGUOUS / INVALID_ARGUMENT otherwise. */
export async function selectStarterGpoBackups(
  source: string,
  choice: StarterGpoBackupChoice,
): Promise<BackupListing[]> {
  const single = await isBackupFolder(source);
  const directory = single ? dirname(source) : source;
  const problems: StatusMessage[] = [];
  let found = await listStarterGpoBackups(directory, undefined, (message) => problems.push(message));
  // Chosen by name or --all, a damaged entry might be the very backup meant: refused, not skipped.
  const suspect = choice.backupId === undefined && !single ? problems[0] : undefined;
  if (suspect)
    throw new CofferError(suspect.code, `${suspect.message} Nothing was restored.`, {
      hresult: HRESULT.ERROR_FILE_CORRUPT,
      object: suspect.object ?? directory,
      hint: "Run 'coffer verify' on the directory, or name an intact backup with --backup-id.",
    });
  if (single) {
    found = found.filter((entry) => sameGuid(entry.id, basename(source)));
    if (found.length === 0) throw notFound(`${source} is not a Starter GPO backup.`, source);
  }
  if (found.length === 0) {
    throwIfBroken(problems, choice.backupId);
    throw notFound(`${directory} holds no Starter GPO backup.`, directory);
  }
  if (choice.backupId !== undefined) {
    const match = found.find((entry) => sameGuid(entry.id, choice.backupId!));
    if (!match) {
      throwIfBroken(problems, choice.backupId);
      throw notFound(`No Starter GPO backup with the id ${choice.backupId} is in ${directory}.`, choice.backupId);
    }
    return [match];
  }
  if (choice.starterGpo !== undefined) {
    const wanted = choice.starterGpo.trim();
    const byGuid = found.filter((entry) => sameGuid(entry.objectId ?? '', wanted));
    const matches =
      byGuid.length > 0
        ? byGuid
        : found.filter((entry) => (entry.objectName ?? '').toLocaleLowerCase() === wanted.toLocaleLowerCase());
    if (matches.length === 0)
      throw notFound(
        `No backup of a Starter GPO named or with the GUID ${JSON.stringify(wanted)} is in ${directory}.`,
        wanted,
      );
    const ids = new Set(matches.map((entry) => bare(entry.objectId)));
    if (ids.size > 1) {
      throw new CofferError(
        ErrorCode.Ambiguous,
        `Backups of ${ids.size} different Starter GPOs are named ${JSON.stringify(wanted)}: ${[...ids].map((id) => `{${id}}`).join(', ')}.`,
        {
          hresult: HRESULT.E_INVALIDARG,
          object: wanted,
          hint: 'Pass the Starter GPO GUID or the backup id instead.',
        },
      );
    }
    return [matches[0]!]; // listed newest first
  }
  const newest = newestPerStarterGpo(found);
  if (choice.all === true || newest.length === 1) return newest;
  throw new CofferError(
    ErrorCode.InvalidArgument,
    `${directory} holds backups of ${newest.length} Starter GPOs; say which to restore.`,
    {
      hresult: HRESULT.E_INVALIDARG,
      object: directory,
      hint: 'Pass --backup-id, --starter-gpo (a name or GUID: its newest backup), or --all.',
    },
  );
}

/** Asked for by id, but its folder is gone, renamed, swapped or unreadable: refused with that reason, not NOT_FOUND. */
function throwIfBroken(problems: readonly StatusMessage[], backupId: string | undefined): void {
  if (backupId === undefined) return;
  const broken = problems.find((p) => p.object !== undefined && sameGuid(basename(p.object), backupId));
  if (broken)
    throw new CofferError(broken.code, `${broken.message} Nothing was restored.`, {
      hresult: HRESULT.ERROR_FILE_CORRUPT,
      object: broken.object!,
      hint: "Run 'coffer verify' on the directory.",
    });
}

function newestPerStarterGpo(entries: readonly BackupListing[]): BackupListing[] {
  const seen = new Set<string>();
  return entries.filter((entry) => {
    const key = bare(entry.objectId);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
