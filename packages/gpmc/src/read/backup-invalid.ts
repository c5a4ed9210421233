import { CofferError, HRESULT } from '@coffer/core';

/** The code of a GPMC backup that reads but cannot be restored as it stands. */
export const BACKUP_INVALID = 'BACKUP_INVALID';

/**
 * A backup folder whose files contradict each other or lack what a restore needs (an edited bkupInfo.xml, a
 * Backup.xml without a domain, a missing SYSVOL copy…). One code and one HRESULT for both Group Policy providers:
 * ERROR_INVALID_DATA, as for every other GPMC-format error (GPMC_FILE_MALFORMED); ERROR_FILE_CORRUPT stays with
 * the integrity checks (INTEGRITY_MISMATCH, MANIFEST_MISSING), which prove bytes changed.
 */
export function backupInvalid(folder: string, detail: string, object: 'GPO' | 'Starter GPO' = 'GPO'): CofferError {
  return new CofferError(BACKUP_INVALID, `Backup ${folder}: ${detail} Nothing was restored.`, {
    hresult: HRESULT.ERROR_INVALID_DATA,
    object: folder,
    hint: `The backup was edited or damaged; restore from another backup of this ${object}.`,
  });
}
