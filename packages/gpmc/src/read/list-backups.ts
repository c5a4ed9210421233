import type { StatusMessage } from '@coffer/core';
import type { GpmBackupTypeName } from '../model.js';
import { sameGuid } from '../write/manifest-xml.js';
import { visitBackupsOfType, type GpmcBackupEntry } from './backup-directory.js';

export interface ListBackupsOfTypeOptions {
  /** A GPO or backup GUID, or text the display name contains (case-insensitive); everything when omitted or blank. */
  query?: string;
  /** Gets a warning (with the entry's code) for each entry of this type left out as damaged. */
  report?: (message: StatusMessage) => void;
}

/**
 * The backups of one GPMBackupType in a GPMC backup directory (ours or GPMC's own), newest first: what `list`
 * shows and restore chooses from, for GPOs and Starter GPOs alike. An entry whose folder is gone, renamed,
 * swapped or unreadable is left out (it would point at a path that does not hold it) and reported.
 */
export async function listBackupsOfType(
  directory: string,
  type: GpmBackupTypeName,
  options: ListBackupsOfTypeOptions = {},
): Promise<GpmcBackupEntry[]> {
  const query = options.query?.trim() ?? '';
  const wanted = query.toLocaleLowerCase();
  const listed: GpmcBackupEntry[] = [];
  // Only the entries of this type (and query) are kept: a directory of 70,000 backups is read a piece at a time.
  await visitBackupsOfType(directory, type, (entry) => {
    if (
      query !== '' &&
      !entry.displayName.toLocaleLowerCase().includes(wanted) &&
      !sameGuid(entry.gpoGuid, query) &&
      !sameGuid(entry.id, query)
    )
      return;
    if (entry.problem) {
      options.report?.({
        severity: 'warning',
        code: entry.problem.code,
        message: `${entry.problem.message} Not listed.`,
        object: entry.folder,
      });
      return;
    }
    listed.push(entry);
  });
  return listed.sort(
    (a, b) =>
      (b.backupTime?.getTime() ?? -Infinity) - (a.backupTime?.getTime() ?? -Infinity) || a.id.localeCompare(b.id),
  );
}
