/**
 * @coffer/core's IndexMaintainer for a GPMC backup directory: keeps manifest.xml listing every
 * committed backup. Each backup's `<BackupInst>` is read back from its own bkupInfo.xml, so a commit
 * that crash recovery replays (with no memory of what was staged) adds exactly the same entries, and
 * an entry already listed is not added twice.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommittedEntry, IndexMaintainer } from '@coffer/core';
import type { BackupInst } from '../model.js';
import { parseBkupInfoXml } from '../read/parse-manifest.js';
import { renderManifestXml } from './manifest-xml.js';

export const GPMC_MANIFEST_FILE = 'manifest.xml';

export function gpmcManifestIndex(): IndexMaintainer {
  return {
    fileName: GPMC_MANIFEST_FILE,
    async update(current: Buffer | null, added: CommittedEntry[]): Promise<Buffer> {
      const insts: BackupInst[] = [];
      for (const entry of added) {
        const inst = parseBkupInfoXml(await readFile(join(entry.path, 'bkupInfo.xml')));
        insts.push({ ...inst, id: inst.id === '' ? entry.name : inst.id });
      }
      return renderManifestXml(current, insts);
    },
  };
}
