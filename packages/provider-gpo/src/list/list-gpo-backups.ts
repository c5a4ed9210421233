import type { BackupListing, ListRequest, OperationContext } from '@coffer/core';
import { listBackupsOfTypeAs, type GpmcBackupEntry } from '@coffer/gpmc';

/**
 * GPO backups in a GPMC backup directory (ours or GPMC's own), newest first; a query matches a GUID or part of the
 * name. Damaged entries are left out with a warning (gpmc's listBackupsOfType, shared with the Starter GPO provider).
 * Each entry is made into its listing as it is found: 70,000 backups are not held twice over.
 */
export async function listGpoBackups(request: ListRequest, context: OperationContext): Promise<BackupListing[]> {
  return listBackupsOfTypeAs(
    request.source,
    'GPO',
    {
      ...(request.query ? { query: request.query } : {}),
      report: (message) => context.report(message),
    },
    toListing,
  );
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
