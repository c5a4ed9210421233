import { rm } from 'node:fs/promises';
import { CofferError, HRESULT } from '@coffer/core';
import { AdErrorCode } from '../errors.js';
import { openShareClient, type ShareAccount } from './share-client.js';
import { copyShareFolder } from './share-copy.js';
import { requireShareFolder } from './share-destination.js';
import { SHARE_GENERATION_NAME } from './share-names.js';
import { ShareErrorCode } from './share-errors.js';
import { makeShareTemp } from './share-temp.js';
import { inShareFolder, parseSmbSharePath, type SmbShareLocation } from './share-path.js';

export interface ShareSnapshotOptions {
  account: ShareAccount;
  tempRoot?: string;
  /** Downloads tried while writers keep publishing, before giving up with SHARE_BUSY (default 5). */
  attempts?: number;
}

/** A private local copy (0700 folders, 0600 files) of a share folder, whole: read it with core's local code. */
export interface ShareSnapshot {
  readonly location: SmbShareLocation;
  readonly localDir: string;
  close(): Promise<void>;
}

/**
 * Downloads a share folder (smbclient tar mode: one streamed pass) into a private temp folder, consistent with the
 * publish protocol: the generation token is read before and after the download, and a copy is kept only when
 * they agree. A publish bumps the token before its first rename and after its last, with its journal on the share
 * the whole time, so a kept copy either saw none of a publish's renames or holds its journal, and core's
 * committed view (listCommittedEntries, which list, verify and restore read through) hides every entry the journal
 * names. Readers take no lock, as core's do not. The lock, staging and old folders are not copied.
 */
export async function downloadShareFolder(
  target: string | SmbShareLocation,
  options: ShareSnapshotOptions,
): Promise<ShareSnapshot> {
  const location = typeof target === 'string' ? parseSmbSharePath(target) : target;
  const client = await openShareClient(location, options.account);
  await requireShareFolder(client);
  const attempts = options.attempts ?? 5;
  const generation = inShareFolder(location, SHARE_GENERATION_NAME);
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const before = await client.readFileOrNull(generation);
    const localDir = await makeShareTemp(options.tempRoot);
    try {
      await copyShareFolder(client, localDir);
      const after = await client.readFileOrNull(generation);
      if (sameToken(before, after))
        return { location, localDir, close: () => rm(localDir, { recursive: true, force: true }) };
    } catch (error) {
      // A writer working beside the transfer (uploading its staging folder, renaming, removing the old copies after
      // its last rename, when the token no longer changes) makes smbclient's tar fail on a name that has just moved
      // or gone: tried again like a copy that saw a publish. The folder itself was found above, so a failure that
      // outlasts every attempt is reported as it is; a name the server should never send is reported at once.
      if (attempt === attempts || (error instanceof CofferError && error.code === AdErrorCode.UnsupportedPath)) {
        await rm(localDir, { recursive: true, force: true });
        throw error;
      }
    }
    await rm(localDir, { recursive: true, force: true });
    await new Promise((resolve) => setTimeout(resolve, attempt * 200));
  }
  throw new CofferError(
    ShareErrorCode.Busy,
    `Backups kept being published to ${location.display} while it was read; no consistent copy after ${attempts} tries.`,
    { hresult: HRESULT.ERROR_SHARING_VIOLATION, object: location.display, hint: 'Retry once the backups finish.' },
  );
}

function sameToken(a: Buffer | null, b: Buffer | null): boolean {
  return a === null ? b === null : b !== null && a.equals(b);
}
