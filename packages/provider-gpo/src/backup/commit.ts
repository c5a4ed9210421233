import { join } from 'node:path';
import {
  type BackupEntry,
  type BackupOutput,
  type BackupRecord,
  CofferError,
  HRESULT,
  type OperationContext,
} from '@coffer/core';
import type { GpoBackupPlan } from './plan.js';
import type { GpoPassItem } from './sysvol-pass.js';
import type { WritePool } from './write-pool.js';

/**
 * The last step: reports the GPOs the pass never saw (`GPT_NOT_FOUND`), waits for every write, discards the entries
 * not to be kept, and commits the others together (core seals nothing twice: each entry was sealed by its entry step;
 * the journal is the commit point, then manifest.xml). Nothing backed up at all is `NOTHING_BACKED_UP`.
 */
export async function commitGpoBackups(
  plan: GpoBackupPlan,
  items: Map<string, GpoPassItem>,
  pool: WritePool,
  context: OperationContext,
): Promise<BackupOutput> {
  const destination = plan.target;
  const backups: BackupRecord[] = [];
  const ready: BackupEntry[] = [];
  let files = 0;
  let bytes = 0;
  for (const item of items.values()) {
    if (!item.seen) {
      context.report({
        severity: 'error',
        code: 'GPT_NOT_FOUND',
        message: `GPO ${item.gpo.displayName} has no SYSVOL folder at ${item.gpo.sysvolPath}; it was not backed up.`,
        object: `${item.gpo.displayName} ${item.gpo.id}`,
        hresult: HRESULT.ERROR_PATH_NOT_FOUND,
      });
      context.progress.advance(item.gpo.displayName);
      continue;
    }
    if (item.dropped) {
      if (!item.finished) context.progress.advance(item.gpo.displayName);
      continue;
    }
    ready.push(await item.staged);
    files += item.files;
    bytes += item.bytes;
    backups.push({
      id: item.backupId,
      path: join(destination.path, item.backupId),
      kind: 'gpo',
      objectId: item.gpo.id,
      objectName: item.gpo.displayName,
    });
  }
  await pool.drain();
  const all = await Promise.all([...items.values()].map((item) => item.staged));
  if (ready.length === 0 && items.size > 0) {
    throw new CofferError('NOTHING_BACKED_UP', 'None of the selected GPOs could be backed up.', {
      hresult: HRESULT.E_FAIL,
      hint: 'See the status messages for each GPO.',
    });
  }
  context.throwIfCancelled();
  context.progress.phase('committing');
  // GPOs left out (no SYSVOL folder, dropped with an error) are discarded, not committed by core after we return.
  const readySet = new Set(ready);
  await Promise.all(all.filter((entry) => !readySet.has(entry)).map((entry) => entry.discard()));
  await destination.commit(ready);
  context.progress.advance('manifest.xml');
  return { backups, counts: { gpos: backups.length, files, bytes } };
}
