// `@coffer/drm-license-store/backup`: the store's side of a backup and a restore, for
// @coffer/provider-drm-licenses (or another backup tool). A backup streams the licenses log
// (LicenseStore.scanLicenseLineRanges over a BufferPool) and judges each license; a restore hands
// the sealed backup key to the license service, which re-issues licenses for this machine.
export { LicenseStore } from './store/license-store.js';
export {
  LicenseLineView,
  decodeLicenseHead,
  decodeLicenseRecord,
  encodeLicenseRecord,
  type LicenseRecord,
} from './store/license-record.js';
export { unescapeField } from './store/field-escaping.js';
export { datastoreCorrupt } from './errors/drm-codes.js';
export { BufferPool } from './io/buffer-pool.js';
export { forEachLine, lineReadBufferBytes, type LineRangeVisitor } from './io/line-reader.js';
export { FRESH_STATE, FactsCache } from './license/license-facts.js';
export { RESTRICTION_TEXT, backupRestriction, type BackupRestriction } from './license/eligibility.js';
export { admitLicense } from './license/admission.js';
export { parseLicenseXml } from './license/license-xml.js';
export {
  LicenseService,
  sealBackupKey,
  serviceUnavailable,
  type BackupKeyPayload,
  type SealedBackupKey,
} from './service/license-service.js';
export { reissueLicense } from './service/reissue-license.js';
export { machineHash, resolveMachineId } from './crypto/machine-identity.js';
export { canonicalJson } from './crypto/canonical-json.js';
export { deriveKey, equalHex, hmacHex, sha256Hex } from './crypto/primitives.js';
