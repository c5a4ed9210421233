import { defineProvider } from '@coffer/core';
import { listBackups } from './backup/list-backups.js';
import { restoreLicenses } from './backup/restore-backup.js';
import { PROVIDER_ID, backupLicenses } from './backup/write-backup.js';
import { managementCommands } from './commands/management-commands.js';
import { backupOptionsSchema, restoreOptionsSchema } from './options.js';

/** Windows Media DRM license backup and restore, over Coffer's own license store. */
export const drmLicensesProvider = defineProvider({
  specificationVersion: 1,
  id: PROVIDER_ID,
  displayName: 'Windows Media DRM licenses',
  description:
    'Backs up and restores DRM licenses the way IWMDRMLicenseManagement::BackupLicenses / RestoreLicenses do, over a machine-bound, tamper-evident license store on disk.',
  capabilities: { backup: true, restore: true, list: true },
  options: backupOptionsSchema,
  restoreOptions: restoreOptionsSchema,
  backup: backupLicenses,
  restore: restoreLicenses,
  list: listBackups,
  commands: managementCommands,
});
