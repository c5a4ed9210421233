import { canonicalJson, deriveKey, hmacHex } from '@coffer/drm-license-store/backup';

/**
 * The backup file set: one folder, committed as one entry by core's engine (which adds its
 * own coffer-manifest.json last). Names follow the drmv2*.bak files Windows Media Player
 * left in its backup folder.
 *
 *   drmv2lic.bak  the licenses as stored (still bound to the source machine), one record a line
 *   drmv2man.bak  the manifest: a header line, then LID, KID, PRIORITY, SHA-256 of the license, one a line
 *   drmv2key.bak  the backup secret and the source binding key, sealed to the license restore service
 *   drmv2mac.bak  what the backup is (source, counts, date) and the size and SHA-256 of the three files
 *                 above, with an HMAC-SHA256 over all of it keyed from the backup secret
 */
export const BACKUP_ENTRY_NAME = 'drm-license-backup';
export const BACKUP_KIND = 'license-set';
export const LICENSES_FILE = 'drmv2lic.bak';
export const MANIFEST_FILE = 'drmv2man.bak';
export const KEY_FILE = 'drmv2key.bak';
export const MAC_FILE = 'drmv2mac.bak';
export const BACKUP_FILES = [LICENSES_FILE, MANIFEST_FILE, KEY_FILE, MAC_FILE] as const;
export const MANIFEST_HEADER = 'COFFER-DRM-MANIFEST\t1\tLID\tKID\tPRIORITY\tSHA256\n';
export const BACKUP_FORMAT = 'coffer-drm-backup';

export interface BackupFileFact {
  name: string;
  size: number;
  sha256: string;
}

/** drmv2mac.bak */
export interface BackupMacFile {
  format: typeof BACKUP_FORMAT;
  version: 1;
  backupId: string;
  createdAt: string;
  comment?: string;
  source: { storeId: string; machine: string; bindingId: string };
  service: { serviceId: string; keyId: string };
  counts: { licenses: number; restricted: number; examined: number };
  files: BackupFileFact[];
  mac: string;
}

export function backupMacKey(backupSecret: Buffer): Buffer {
  return deriveKey(backupSecret, '', 'coffer-drm backup mac v1');
}

export function computeBackupMac(key: Buffer, file: Omit<BackupMacFile, 'mac'>): string {
  return hmacHex(key, canonicalJson(file));
}

export function manifestLine(lid: string, kid: string, priority: number, sha256: string): string {
  return `${lid}\t${kid}\t${priority}\t${sha256}\n`;
}
