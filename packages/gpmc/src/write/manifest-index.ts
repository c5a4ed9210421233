/**
 * @coffer/core's IndexMaintainer for a GPMC backup directory: keeps manifest.xml listing every
 * committed backup. A backup's `<BackupInst>` is the one its provider set as the staged entry's
 * index record (`entry.seal(inst)`: what it rendered into bkupInfo.xml; the committed entry's `indexEntry`), or else is read back from its own bkupInfo.xml,
 * so a commit that crash recovery replays (with no memory of what was staged) adds exactly the same
 * entries, and an entry already listed is not added twice.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import pMap from 'p-map';
import { backupIndexByteLimit, type CommittedEntry, type IndexMaintainer } from '@coffer/core';
import type { BackupInst } from '../model.js';
import { parseBkupInfoXml } from '../read/parse-manifest.js';
import { renderManifestWithin, sameGuid } from './manifest-xml.js';

export const GPMC_MANIFEST_FILE = 'manifest.xml';
const CONCURRENT_READS = 16;

export function gpmcManifestIndex(): IndexMaintainer {
  return {
    fileName: GPMC_MANIFEST_FILE,
    async update(current: Buffer | null, added: CommittedEntry[]): Promise<Buffer> {
      // One commit may add hundreds of backups: their bkupInfo.xml files are read a few at a time, in order.
      const insts: BackupInst[] = await pMap(
        added,
        async (entry) => {
          if (isBackupInstOf(entry.indexEntry, entry.name)) return entry.indexEntry;
          const inst = parseBkupInfoXml(await readFile(join(entry.path, 'bkupInfo.xml')));
          return { ...inst, id: inst.id === '' ? entry.name : inst.id };
        },
        { concurrency: CONCURRENT_READS },
      );
      // The index lists every backup of the directory: its bound grows with the entries there (a directory of
      // 70,000 backups holds a 36 MB manifest.xml, over the 16 MiB bound of other XML files).
      const folders = current === null || added.length === 0 ? 0 : (await readdir(dirname(added[0]!.path))).length;
      return renderManifestWithin(current, insts, backupIndexByteLimit(folders));
    },
  };
}

/** The `<BackupInst>` a provider passed as the entry's index record (BackupEntry.seal), naming this backup. */
function isBackupInstOf(value: unknown, backupId: string): value is BackupInst {
  if (typeof value !== 'object' || value === null) return false;
  const inst = value as Partial<BackupInst>;
  return typeof inst.gpoGuid === 'string' && typeof inst.id === 'string' && sameGuid(inst.id, backupId);
}
