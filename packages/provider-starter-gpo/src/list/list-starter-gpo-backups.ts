/**
 * The Starter GPO backups of a GPMC backup directory: gpmc's listBackupsOfType (the one listing of both Group Policy
 * providers) picks them by the `<BackupType>1</BackupType>` Coffer writes into their `<BackupInst>`, or, for backups
 * written by other tools, by the StarterGPO.tmplx in them; this adds what the extras file says.
 */
import { join } from 'node:path';
import { BACKUP_READ_LIMITS, BackupReader, type BackupListing, type StatusMessage } from '@coffer/core';
import { listBackupsOfType } from '@coffer/gpmc';
import { STARTER_GPO_EXTRAS_FILE, STARTER_GPO_KIND } from '../backup/layout.js';
import { parseStarterGpoExtras, type StarterGpoExtras } from '../backup/starter-gpo-extras.js';

/**
 * Damaged entries are left out and `report` gets a warning with their code: a listing never shows an id pointing at a
 * folder that does not hold it. `signal` stops the listing (a run's Ctrl-C).
 */
export async function listStarterGpoBackups(
  directory: string,
  query?: string,
  report?: (message: StatusMessage) => void,
  signal?: AbortSignal,
): Promise<BackupListing[]> {
  const entries = await listBackupsOfType(directory, 'StarterGPO', {
    ...(query === undefined ? {} : { query }),
    ...(report === undefined ? {} : { report }),
    ...(signal === undefined ? {} : { signal }),
  });
  const listings: BackupListing[] = [];
  for (const entry of entries) {
    const folder = await BackupReader.open(entry.folder);
    let extras: StarterGpoExtras | undefined;
    const extrasBytes = await folder
      .readOptional(STARTER_GPO_EXTRAS_FILE, { maxBytes: BACKUP_READ_LIMITS.maxXmlBytes })
      .catch(() => null);
    if (extrasBytes !== null) {
      try {
        extras = parseStarterGpoExtras(extrasBytes.toString('utf8'), join(entry.folder, STARTER_GPO_EXTRAS_FILE));
      } catch {
        extras = undefined;
      }
    }
    const details: Record<string, string | number | boolean> = {
      domain: entry.domain,
      listedInManifest: entry.listedInManifest,
    };
    if (entry.domainController) details.domainController = entry.domainController;
    if (extras?.starterGpo.type) details.starterGpoType = extras.starterGpo.type;
    if (extras?.starterGpo.computerVersion !== null && extras?.starterGpo.computerVersion !== undefined)
      details.computerVersion = extras.starterGpo.computerVersion;
    if (extras?.starterGpo.userVersion !== null && extras?.starterGpo.userVersion !== undefined)
      details.userVersion = extras.starterGpo.userVersion;
    if (extras) details.aclKept = extras.acl !== null;
    listings.push({
      id: entry.id,
      path: entry.folder,
      kind: STARTER_GPO_KIND,
      objectId: entry.gpoGuid,
      objectName: entry.displayName,
      ...(entry.backupTime ? { createdAt: entry.backupTime.toISOString() } : {}),
      comment: entry.comment,
      details,
    });
  }
  return listings;
}
