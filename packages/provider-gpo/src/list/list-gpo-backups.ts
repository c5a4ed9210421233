import type { BackupListing, ListRequest, OperationContext } from '@coffer/core';
import { listBackupsOfType } from '@coffer/gpmc';

/**
 * GPO backups in a GPMC backup directory (ours or GPMC's own), newest first; a query matches a GUID or part of the
 * name. Damaged entries are left out with a warning (gpmc's listBackupsOfType, shared with the Starter GPO provider).
 */
export async function listGpoBackups(request: ListRequest, context: OperationContext): Promise<BackupListing[]> {
  const found = await listBackupsOfType(request.source, 'GPO', {
    ...(request.query ? { query: request.query } : {}),
    report: (message) => context.report(message),
  });
  return found.map((entry) => ({
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
  }));
}
