import type { BackupListing, ListRequest } from '@coffer/core';
import { searchBackups } from '@coffer/gpmc';

/** GPO backups in a GPMC backup directory (ours or GPMC's own), newest first; a query matches name, GPO GUID or backup id. */
export async function listGpoBackups(request: ListRequest): Promise<BackupListing[]> {
  const found = await searchBackups(request.source, { type: 'GPO', ...(request.query ? { nameOrGuid: request.query } : {}) });
  return found.map((entry) => ({
    id: entry.id,
    path: entry.folder,
    kind: 'gpo',
    objectId: entry.gpoGuid,
    objectName: entry.displayName,
    ...(entry.backupTime ? { createdAt: entry.backupTime.toISOString() } : {}),
    comment: entry.comment,
    details: { domain: entry.domain, domainController: entry.domainController, listedInManifest: entry.listedInManifest },
  }));
}
