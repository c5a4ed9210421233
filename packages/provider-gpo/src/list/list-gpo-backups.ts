import type { BackupListing, ListRequest, OperationContext } from '@coffer/core';
import { searchBackups } from '@coffer/gpmc';

/**
 * GPO backups in a GPMC backup directory (ours or GPMC's own), newest first; a query matches name, GPO GUID or
 * backup id. An entry whose folder is gone, renamed, swapped or unreadable is not listed (it would point at a
 * path that does not hold it): a warning with its code says why.
 */
export async function listGpoBackups(request: ListRequest, context: OperationContext): Promise<BackupListing[]> {
  const found = await searchBackups(request.source, { type: 'GPO', ...(request.query ? { nameOrGuid: request.query } : {}) });
  const listings: BackupListing[] = [];
  for (const entry of found) {
    if (entry.problem) {
      context.report({ severity: 'warning', code: entry.problem.code, message: `${entry.problem.message} Not listed.`, object: entry.folder });
      continue;
    }
    listings.push({
      id: entry.id,
      path: entry.folder,
      kind: 'gpo',
      objectId: entry.gpoGuid,
      objectName: entry.displayName,
      ...(entry.backupTime ? { createdAt: entry.backupTime.toISOString() } : {}),
      comment: entry.comment,
      details: { domain: entry.domain, domainController: entry.domainController, listedInManifest: entry.listedInManifest },
    });
  }
  return listings;
}
