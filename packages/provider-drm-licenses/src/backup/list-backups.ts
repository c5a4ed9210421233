import type { BackupListing, ListRequest, OperationContext } from '@coffer/core';
import { BACKUP_KIND } from './backup-file-set.js';
import { locateBackup, readMacFile } from './read-backup.js';

/**
 * The backup in a folder (there is at most one: the set has fixed names), with its counts
 * and date as recorded. Listing does not verify the MAC (that needs the restore service);
 * a damaged set is reported as a warning and not listed.
 */
export async function listBackups(request: ListRequest, context: OperationContext): Promise<BackupListing[]> {
  const entry = await locateBackup(request.source);
  if (!entry) return [];
  let description;
  try {
    description = await readMacFile(entry);
  } catch (error) {
    context.report({
      severity: 'warning',
      code: 'NS_E_DRM_BACKUP_CORRUPT',
      message: (error as Error).message,
      object: entry,
      hresult: 0xc00d2743,
    });
    return [];
  }
  const listing: BackupListing = {
    id: description.backupId,
    path: entry,
    kind: BACKUP_KIND,
    objectId: description.source.storeId,
    objectName: 'DRM license store',
    createdAt: description.createdAt,
    ...(description.comment === undefined ? {} : { comment: description.comment }),
    details: {
      licenses: description.counts.licenses,
      restricted: description.counts.restricted,
      examined: description.counts.examined,
      sourceMachine: description.source.machine.slice(0, 16),
      serviceId: description.service.serviceId,
    },
  };
  const query = request.query?.toLowerCase();
  if (query && ![listing.id, listing.objectId, listing.objectName].some((v) => v?.toLowerCase().includes(query)))
    return [];
  return [listing];
}
