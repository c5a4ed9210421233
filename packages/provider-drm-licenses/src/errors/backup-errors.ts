import type { CofferError } from '@coffer/core';
import { drmError } from '@coffer/drm-license-store';

// The errors of a backup or restore itself (the store's own are @coffer/drm-license-store's).

export function cancelledDrmError(object?: string): CofferError {
  return drmError(
    'NS_E_DRM_OPERATION_CANCELED',
    'The operation was cancelled.',
    object === undefined ? {} : { object },
  );
}

export function storeBusyForBackupRestore(path: string): CofferError {
  return drmError(
    'NS_E_DRM_BACKUPRESTORE_BUSY',
    `A backup or restore of the license store ${path} is already running.`,
    {
      object: path,
      hint: 'Wait for it to finish. A lock left by a killed process goes stale after about 10 s.',
    },
  );
}

export function backupCorrupt(path: string, detail: string, cause?: unknown): CofferError {
  return drmError('NS_E_DRM_BACKUP_CORRUPT', `The license backup ${path} is damaged: ${detail}.`, {
    object: path,
    hint: 'Nothing was restored. Use another copy of the backup.',
    ...(cause === undefined ? {} : { cause }),
  });
}
