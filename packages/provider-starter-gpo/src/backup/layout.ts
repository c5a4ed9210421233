/**
 * Where things go in a Starter GPO backup. GPMC's own layout for IGPMStarterGPO::Backup is not documented and
 * no sample is public (README "Layout"), so this follows GPMC's GPO backups as closely as the content allows:
 *
 *   <dir>/manifest.xml                    shared index; a Starter GPO entry ends with <BackupType>1</BackupType>
 *   <dir>/{BACKUP-ID}/bkupInfo.xml        the same <BackupInst>
 *   <dir>/{BACKUP-ID}/DomainSysvol/GPO/…  the Starter GPO's SYSVOL folder, every file byte for byte
 *   <dir>/{BACKUP-ID}/coffer-starter-gpo-extras.json   what GPMC does not keep (the folder ACL, times)
 *
 * Each constant is the single place to change when a real GPMC sample shows otherwise.
 */
import { posix } from 'node:path';

/** The folder that mirrors the Starter GPO's SYSVOL folder, as `DomainSysvol\GPO` mirrors a GPT in GPO backups. */
export const SYSVOL_COPY_FOLDER = 'DomainSysvol/GPO';
export const BKUPINFO_FILE = 'bkupInfo.xml';
export const MANIFEST_FILE = 'manifest.xml';
export const STARTER_GPO_EXTRAS_FILE = 'coffer-starter-gpo-extras.json';

/** The `<BackupType>` element that marks a Starter GPO entry is the GPMC format's (@coffer/gpmc). */
export { BACKUP_TYPE_ELEMENT, BACKUP_TYPE_STARTER_GPO } from '@coffer/gpmc';

/** Engine entry kind, in coffer-manifest.json. */
export const STARTER_GPO_KIND = 'starter-gpo';

/** Path inside the backup folder of a file or folder of the Starter GPO (relative to its SYSVOL folder). */
export function backupPathOf(relativePath: string): string {
  return posix.join(SYSVOL_COPY_FOLDER, relativePath.replaceAll('\\', '/'));
}
