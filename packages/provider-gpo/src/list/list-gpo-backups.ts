import type { BackupListing, ListRequest, OperationContext } from '@coffer/core';
import { listBackupsOfType, type GpmcBackupEntry } from '@coffer/gpmc';

/**
 * GPO backups in a GPMC backup directory (ours or GPMC's own), newest first; a query matches a GUID or part of the
 * name. Damaged entries are left out with a warning (gpmc's listBackupsOfType, shared with the Starter GPO provider).
 */
export async function listGpoBackups(request: ListRequest, context: OperationContext): Promise<BackupListing[]> {
  const found: (GpmcBackupEntry | BackupListing)[] = await listBackupsOfType(request.source, 'GPO', {
    ...(request.query ? { query: request.query } : {}),
    report: (message) => context.report(message),
    signal: context.signal,
  });
  // Each entry is made into its listing in its own slot, so 70,000 backups are never held twice over.
  for (let i = 0; i < found.length; i += 1) found[i] = toListing(found[i] as GpmcBackupEntry);
  return found as BackupListing[];
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
