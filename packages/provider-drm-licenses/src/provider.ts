import { defineProvider } from '@coffer/core';
import { listBackups } from './backup/list-backups.js';
import { restoreLicenses } from './backup/restore-backup.js';
import { PROVIDER_ID, backupLicenses } from './backup/write-backup.js';
import { managementCommands } from './commands/management-commands.js';
import { backupOptionsSchema, restoreOptionsSchema } from './options.js';

/** Windows Media DRM license backup and restore, over Coffer's own license store. */
export const drmLicensesProvider = defineProvider({
  specificationVersion: 2,
  id: PROVIDER_ID,
  aliases: ['drm'],
  displayName: 'Windows Media DRM licenses',
  description:
    'Backs up and restores DRM licenses the way IWMDRMLicenseManagement::BackupLicenses / RestoreLicenses do, over a machine-bound, tamper-evident license store on disk.',
  // Each runs as shown: the CLI's help-examples test runs them.
  examples: {
    backup: ['coffer backup drm --out /srv/backups/drm --overwrite'],
    restore: [
      'coffer restore drm --from /srv/backups/drm',
      'coffer restore drm --from /srv/backups/drm --store ./desktop-store --machine-id desktop --individualize',
    ],
  },
  options: backupOptionsSchema,
  restoreOptions: restoreOptionsSchema,
  backup: backupLicenses,
  restore: restoreLicenses,
  list: listBackups,
  commands: managementCommands,
});
