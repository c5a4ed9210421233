/**
 * Whether a backup may be restored or imported at all. A backup Coffer wrote is used only when its
 * integrity manifest is present and every byte matches it. A backup without one is used only when the
 * user says so (`--unverified`), with a warning: that is how a backup GPMC wrote on Windows is restored,
 * and deleting the manifest must never be a way to switch the check off.
 *
 * The rule for "Coffer wrote it": the folder holds `coffer-manifest.json` or any other top-level entry
 * whose name starts with `coffer-` (every provider's extras file does: `coffer-gpo-extras.json`,
 * `coffer-starter-gpo-extras.json`). Such a folder without its manifest is MANIFEST_MISSING, an error even
 * with `--unverified`. GPMC writes no `coffer-*` file, so a Windows backup is "unverifiable", never an error.
 */
import { readdir } from 'node:fs/promises';
import { CofferError, ErrorCode } from '../errors/coffer-error.js';
import { HRESULT } from '../errors/hresult.js';
import type { StatusMessage } from '../operation/messages.js';
import { INTEGRITY_MANIFEST_NAME } from '../engine/integrity-manifest.js';
import { verifyBackup } from '../engine/verify.js';
import { BackupReader } from './backup-reader.js';

/** Names of Coffer's own files in a backup folder start with this. */
export const COFFER_FILE_PREFIX = 'coffer-';

/** The status message code of a backup used without any integrity check. */
export const UNVERIFIED_BACKUP = 'UNVERIFIED_BACKUP';

export type BackupOrigin = 'coffer' | 'foreign';

/** `coffer` when the folder holds any top-level `coffer-*` entry (see the module comment), else `foreign`. */
export async function backupOrigin(folder: string): Promise<BackupOrigin> {
  const names = await readdir(folder).catch(() => [] as string[]);
  return names.some((name) => name.toLowerCase().startsWith(COFFER_FILE_PREFIX)) ? 'coffer' : 'foreign';
}

export interface TrustOptions {
  /** The user accepted a backup without an integrity manifest (`--unverified`). */
  unverified?: boolean;
  signal?: AbortSignal;
  /** Where the UNVERIFIED_BACKUP warning goes. */
  report?: (message: StatusMessage) => void;
  /** What the backup is of, for messages: `GPO`, `Starter GPO`. */
  what?: string;
  /** The provider knows the format is Coffer's own (the DRM license set): without a manifest it is MANIFEST_MISSING. */
  origin?: BackupOrigin;
}

export interface TrustedBackup {
  reader: BackupReader;
  verifiedBy: 'coffer-manifest' | 'unverified';
}

/**
 * Opens a backup for restore or import, or refuses it (before anything is written anywhere):
 * - damaged against its manifest (or holding a symlink, a file over the bound): INTEGRITY_MISMATCH;
 * - Coffer-written without its manifest: MANIFEST_MISSING;
 * - no manifest and not Coffer's, without `unverified`: BACKUP_UNVERIFIED (TRUST_E_NOSIGNATURE).
 */
export async function openTrustedBackup(folder: string, options: TrustOptions = {}): Promise<TrustedBackup> {
  const reader = await BackupReader.open(folder);
  const name = folder.split(/[\\/]/).pop() ?? folder;
  const what = options.what ?? 'backup';
  if (await reader.isFile(INTEGRITY_MANIFEST_NAME)) {
    const verification = await verifyBackup(
      reader.root,
      options.signal === undefined ? {} : { signal: options.signal },
    );
    if (!verification.ok) {
      const problems = verification.problems.slice(0, 8).map((p) => `${p.kind} ${p.path} (${p.detail})`);
      const more = verification.problems.length > 8 ? `, and ${verification.problems.length - 8} more` : '';
      throw new CofferError(
        ErrorCode.IntegrityMismatch,
        `The ${what} backup ${name} is damaged or was changed since it was written: ${problems.join('; ')}${more}. Nothing was restored.`,
        {
          hresult: HRESULT.ERROR_FILE_CORRUPT,
          object: folder,
          hint: `Run 'coffer verify' on the directory, and restore from another backup of this ${what}.`,
        },
      );
    }
    return { reader, verifiedBy: 'coffer-manifest' };
  }
  if ((options.origin ?? (await backupOrigin(reader.root))) === 'coffer') {
    throw new CofferError(
      ErrorCode.ManifestMissing,
      `The ${what} backup ${name} was written by Coffer but has no ${INTEGRITY_MANIFEST_NAME}: it is incomplete or was tampered with. Nothing was restored.`,
      {
        hresult: HRESULT.ERROR_FILE_CORRUPT,
        object: folder,
        hint: `Restore from another backup of this ${what}.`,
      },
    );
  }
  if (!options.unverified) {
    throw new CofferError(
      ErrorCode.BackupUnverified,
      `The ${what} backup ${name} has no Coffer integrity manifest (GPMC or another tool wrote it), so nothing vouches for its files. Nothing was restored.`,
      {
        hresult: HRESULT.TRUST_E_NOSIGNATURE,
        object: folder,
        hint: 'If you trust where this backup came from, run the command again with --unverified.',
      },
    );
  }
  options.report?.({
    severity: 'warning',
    code: UNVERIFIED_BACKUP,
    message: `The ${what} backup ${name} has no Coffer integrity manifest (another tool wrote it): used unverified, as --unverified asked.`,
    object: folder,
  });
  return { reader, verifiedBy: 'unverified' };
}
