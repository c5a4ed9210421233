// Backup and restore of a DRM license store. The store itself (creating it, issuing and playing
// licenses, its format and codes) is @coffer/drm-license-store.
export { drmLicensesProvider as default, drmLicensesProvider } from './provider.js';
export { PROVIDER_ID } from './backup/write-backup.js';
export {
  WMDRM_BACKUP_OVERWRITE,
  WMDRM_RESTORE_INDIVIDUALIZE,
  backupOptionsSchema,
  restoreOptionsSchema,
  type BackupOptions,
  type RestoreOptions,
} from './options.js';
export { MSDRM_STATUS, WMT_STATUS, msdrmStatusOf, type MsdrmStatusName } from './status/msdrm-status.js';
export {
  BACKUP_ENTRY_NAME,
  BACKUP_FILES,
  LICENSES_FILE,
  MANIFEST_FILE,
  KEY_FILE,
  MAC_FILE,
  type BackupMacFile,
} from './backup/backup-file-set.js';
