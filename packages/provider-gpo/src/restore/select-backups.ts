import { selectBackups as selectGroupPolicyBackups } from '@coffer/active-directory';
import { searchBackups, type GpmcBackupEntry } from '@coffer/gpmc';

export interface BackupChoice {
  /** A backup id (`{GUID}`, the backup's folder name). */
  backupId?: string | undefined;
  /** A GPO's display name or GUID: its newest backup in the directory. */
  gpo?: string | undefined;
  /** The newest backup of every GPO in the directory. */
  all?: boolean | undefined;
}

/**
 * The GPO backups a restore or import takes (active-directory's backup selector, shared with the Starter GPO
 * provider, in GPO words): one by id, the newest of one GPO, or the newest of each. `source` may be one backup folder.
 */
export async function selectBackups(source: string, choice: BackupChoice): Promise<GpmcBackupEntry[]> {
  return selectGroupPolicyBackups(
    source,
    (directory) => searchBackups(directory, { type: 'GPO' }),
    { backupId: choice.backupId, object: choice.gpo, all: choice.all },
    {
      noun: 'GPO',
      listCommand: 'coffer list gpo <directory>',
      choiceHint: 'Pass --backup-id, --gpo (a name or GUID: its newest backup), or --all.',
    },
  );
}
