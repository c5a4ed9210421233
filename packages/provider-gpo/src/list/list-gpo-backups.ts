import type { BackupListing, ListRequest, OperationContext } from '@coffer/core';
import { listBackupsOfType, type GpmcBackupEntry } from '@coffer/gpmc';

/**
 * GPO backups in a GPMC backup directory (ours or GPMC's own), newest first; a query matches a GUID or part of the
 * name. Damaged entries are left out with a warning (gpmc's listBackupsOfType, shared with the Starter GPO provider).
 */
export async function listGpoBackups(request: ListRequest, context: OperationContext): Promise<BackupListing[]> {
  const found = await listBackupsOfType(request.source, 'GPO', {
    ...(request.query ? { query: request.query } : {}),
    report: (message) => context.report(message),
  });
  // Each entry is let go as its listing is made (taken off the end): 70,000 backups are not held twice over.
  const listings: BackupListing[] = new Array(found.length);
  for (let i = found.length - 1; i >= 0; i -= 1) listings[i] = toListing(found.pop()!);
  return listings;
}

function toListing(entry: GpmcBackupEntry): BackupListing {
  return {
    id: entry.id,
    path: entry.folder,
    kind: 'gpo',
    objectId: entry.gpoGuid,
    objectName: entry.displayName,
    ...(entry.backupTime ? { createdAt: entry.backupTime.toISOString() } : {}),
    comment: entry.comment,
    details: {
      domain: entry.domain,
      domainController: entry.domainController,
      listedInManifest: entry.listedInManifest,
    },
  };
}
