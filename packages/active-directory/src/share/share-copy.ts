import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CofferError, HRESULT } from '@coffer/core';
import { AdErrorCode } from '../errors.js';
import type { ShareClient } from './share-client.js';
import { SHARE_JOURNAL_NAME, isEngineName } from './share-names.js';

/**
 * Downloads the share folder whole (one tar pass) into `localDir`: folders 0700, files 0600; the lock, staging and
 * old folders and temp files are left out, the journal kept (readers hide what it names); names that would leave
 * the folder are refused. Returns the top-level names written.
 */
export async function copyShareFolder(client: ShareClient, localDir: string): Promise<Set<string>> {
  const tops = new Set<string>();
  for await (const entry of client.tree.readTree(client.location.folder)) {
    const parts = entry.path.split('/');
    const top = parts[0]!;
    // The server names what it sends: nothing may climb out of the copy.
    if (
      parts.some((part) => part === '' || part === '.' || part === '..' || part.includes('\\') || part.includes('\0'))
    )
      throw new CofferError(
        AdErrorCode.UnsupportedPath,
        `The share sent an unsafe name: ${JSON.stringify(entry.path)}.`,
        {
          hresult: HRESULT.ERROR_BAD_PATHNAME,
          object: `${client.location.display}/${entry.path}`,
        },
      );
    if (isEngineName(top) && top !== SHARE_JOURNAL_NAME) continue;
    tops.add(top);
    const local = join(localDir, ...parts);
    if (entry.kind === 'directory') await mkdir(local, { recursive: true, mode: 0o700 });
    else {
      await mkdir(join(local, '..'), { recursive: true, mode: 0o700 });
      await pipeline(entry.content!, createWriteStream(local, { flags: 'wx', mode: 0o600 }));
    }
  }
  return tops;
}
