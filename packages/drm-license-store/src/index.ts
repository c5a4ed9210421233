// The license store and its license restore service: what a user (and `coffer drm …`) manages.
// What a backup of the store needs besides is in ./backup.ts (`@coffer/drm-license-store/backup`).
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
export { DRM_HRESULT, DrmLocalCode, drmError, type DrmErrorCode } from './errors/drm-codes.js';
