import { CofferError, HRESULT, type CofferErrorOptions } from '@coffer/core';

/**
 * Windows Media DRM HRESULTs (nserror.h) this provider reports. The error code of a
 * CofferError is the NS_E name, so hosts and scripts can match on it.
 */
export const DRM_HRESULT = {
  NS_E_DRM_NEEDS_INDIVIDUALIZATION: 0xc00d2728,
  NS_E_DRM_BACKUP_EXISTS: 0xc00d2742,
  NS_E_DRM_BACKUP_CORRUPT: 0xc00d2743,
  NS_E_DRM_BACKUPRESTORE_BUSY: 0xc00d2744,
  NS_E_DRM_INVALID_PROPERTY: 0xc00d2749,
  NS_E_DRM_RESTORE_FRAUD: 0xc00d2753,
  NS_E_DRM_STORE_NOTALLSTORED: 0xc00d275f,
  NS_E_DRM_OPERATION_CANCELED: 0xc00d2768,
  NS_E_DRM_CHECKPOINT_FAILED: 0xc00d277f,
  NS_E_DRM_DATASTORE_CORRUPT: 0xc00d2783,
  NS_E_DRM_HARDWAREID_MISMATCH: 0xc00d278f,
  E_INVALIDARG: HRESULT.E_INVALIDARG,
} as const;

export type DrmErrorCode = keyof typeof DRM_HRESULT;

/** Codes of this provider that have no WMDRM HRESULT of their own. */
export const DrmLocalCode = {
  StoreNotFound: 'DRM_STORE_NOT_FOUND',
  StoreExists: 'DRM_STORE_EXISTS',
  StoreBusy: 'DRM_STORE_BUSY',
  LicenseNotFound: 'DRM_LICENSE_NOT_FOUND',
  LicenseNotUsable: 'DRM_LICENSE_NOT_USABLE',
  LicensorNotFound: 'DRM_LICENSOR_NOT_FOUND',
  ServiceNotFound: 'DRM_SERVICE_NOT_FOUND',
} as const;

/** A CofferError whose code is the NS_E name and whose hresult is its value. */
export function drmError(
  code: DrmErrorCode,
  message: string,
  options: Omit<CofferErrorOptions, 'hresult'> = {},
): CofferError {
  return new CofferError(code, message, { ...options, hresult: DRM_HRESULT[code] });
}

export function isDrmError(error: unknown, code: DrmErrorCode): boolean {
  return error instanceof CofferError && error.code === code;
}

export function storeBusyForManagement(path: string): CofferError {
  return new CofferError(DrmLocalCode.StoreBusy, `The license store ${path} is in use by another Coffer process.`, {
    hresult: HRESULT.ERROR_SHARING_VIOLATION,
    object: path,
    hint: 'Retry when the backup, restore or command using it has finished.',
  });
}

export function checkpointFailed(path: string, detail: string): CofferError {
  return drmError('NS_E_DRM_CHECKPOINT_FAILED', `The license store ${path} fails its integrity check: ${detail}.`, {
    object: path,
    hint: 'The store was altered outside Coffer. Restore your licenses from a previous backup (coffer restore drm-licenses).',
  });
}

export function datastoreCorrupt(path: string, detail: string, cause?: unknown): CofferError {
  return drmError('NS_E_DRM_DATASTORE_CORRUPT', `The license store ${path} cannot be read: ${detail}.`, {
    object: path,
    hint: 'Restore your licenses from a previous backup into a new store (coffer drm create-store, then coffer restore drm-licenses).',
    ...(cause === undefined ? {} : { cause }),
  });
}
