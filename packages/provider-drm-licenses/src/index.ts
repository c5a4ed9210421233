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
export { DRM_HRESULT, DrmLocalCode, drmError, type DrmErrorCode } from './errors/drm-codes.js';
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
export {
  createStore,
  describeStore,
  createLicensor,
  exportLicensor,
  importLicensor,
  issueLicenses,
  importLicenses,
  listLicenses,
  inspectLicense,
  removeLicenses,
  playLicense,
  setLicenseDisabled,
  type StoreLocation,
  type StoreSummary,
  type LicenseSummary,
  type LicenseInspection,
  type IssuedSummary,
  type PlayResult,
} from './management/store-admin.js';
export type { IssueLicenseSpec } from './license/issue-license.js';
export type { LicenseFacts, LicenseState, Right } from './license/license-facts.js';
export { MAX_MACHINES_PER_LICENSE } from './service/license-service.js';
export { resolveStorePath, resolveServicePath, STORE_PATH_ENV, SERVICE_PATH_ENV } from './store/store-location.js';
export { MACHINE_ID_ENV } from './crypto/machine-identity.js';
