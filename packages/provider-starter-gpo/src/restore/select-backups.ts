/**
 * The Starter GPO backups a restore takes (active-directory's backup selector, shared with the GPO provider, in
 * Starter GPO words): one by id, the newest of one Starter GPO (name or GUID), or the newest of each. `source` may be
 * one backup folder. Backups of GPOs in the same directory are never picked: only entries gpmc types as Starter GPO
 * backups are offered (the `<BackupType>` Coffer writes, or a StarterGPO.tmplx in a backup written by another tool).
 */
import { selectBackups as selectGroupPolicyBackups } from '@coffer/active-directory';
import { searchBackups, type GpmcBackupEntry } from '@coffer/gpmc';

export interface BackupChoice {
  backupId?: string | undefined;
  starterGpo?: string | undefined;
  all?: boolean | undefined;
}

export async function selectBackups(source: string, choice: BackupChoice): Promise<GpmcBackupEntry[]> {
  return selectGroupPolicyBackups(
    source,
    (directory) => searchBackups(directory, { type: 'StarterGPO' }),
    { backupId: choice.backupId, object: choice.starterGpo, all: choice.all },
    {
      noun: 'Starter GPO',
      listCommand: 'coffer list starter-gpo --from <directory>',
      choiceHint: 'Pass --backup-id, --starter-gpo (a name or GUID: its newest backup), or --all.',
    },
  );
}
