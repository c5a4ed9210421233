/**
 * core's IndexMaintainer for a GPMC backup directory: manifest.xml, updated through @coffer/gpmc's renderer.
 * Each committed backup's `<BackupInst>` is read back from its own bkupInfo.xml, so a commit that crash
 * recovery replays (with no memory of what was staged) adds exactly the same entries. Nothing here is
 * Starter-GPO specific: it belongs in @coffer/gpmc and is written so it can move there unchanged.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CommittedEntry, IndexMaintainer } from '@coffer/core';
import { parseBkupInfoXml, renderManifestXml, type BackupInst } from '@coffer/gpmc';

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
