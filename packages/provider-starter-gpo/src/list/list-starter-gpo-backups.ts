/**
 * The Starter GPO backups of a GPMC backup directory. A backup is a Starter GPO one when its `<BackupInst>`
 * carries Coffer's `<BackupType>1</BackupType>` (GPMBackupType.typeStarterGPO) or, for backups written by
 * other tools, when @coffer/gpmc finds a StarterGPO.tmplx in it. GPO backups match neither and are left out.
 */
import { join } from 'node:path';
import { BACKUP_READ_LIMITS, BackupReader, type BackupListing, type StatusMessage } from '@coffer/core';
import { parseBkupInfoXml, parseManifestXml, readGpmcBackupDirectory, sameGuid, type BackupInst, type GpmcBackupEntry } from '@coffer/gpmc';
import { BACKUP_TYPE_ELEMENT, BACKUP_TYPE_STARTER_GPO, BKUPINFO_FILE, MANIFEST_FILE, STARTER_GPO_EXTRAS_FILE, STARTER_GPO_KIND } from '../backup/layout.js';
import { parseStarterGpoExtras, type StarterGpoExtras } from '../backup/starter-gpo-extras.js';

function declaresStarterGpo(inst: BackupInst | undefined): boolean | undefined {
  const element = inst?.extraElements?.find((e) => e.name === BACKUP_TYPE_ELEMENT);
  return element === undefined ? undefined : element.text.trim() === BACKUP_TYPE_STARTER_GPO;
}

function matchesQuery(entry: GpmcBackupEntry, query: string | undefined): boolean {
  if (query === undefined || query.trim() === '') return true;
  const wanted = query.trim().toLocaleLowerCase();
  return entry.displayName.toLocaleLowerCase().includes(wanted) || sameGuid(entry.gpoGuid, query) || sameGuid(entry.id, query);
}

/**
 * An entry @coffer/gpmc found suspect (its folder gone, renamed, swapped, unreadable) is not listed: `report`
 * gets a warning with its code, so a listing never shows an id pointing at a folder that does not hold it.
 */
export async function listStarterGpoBackups(directory: string, query?: string, report?: (message: StatusMessage) => void): Promise<BackupListing[]> {
  const entries = await readGpmcBackupDirectory(directory);
  const reader = await BackupReader.open(directory);
  const manifestBytes = await reader.readOptional(MANIFEST_FILE, { maxBytes: BACKUP_READ_LIMITS.maxXmlBytes });
  const manifest = manifestBytes === null ? [] : parseManifestXml(manifestBytes).backups;
  const listings: BackupListing[] = [];
  for (const entry of entries) {
    if (!matchesQuery(entry, query)) continue;
    if (entry.problem) {
      if (entry.type === 'StarterGPO' || declaresStarterGpo(manifest.find((inst) => sameGuid(inst.id, entry.id)))) {
        report?.({ severity: 'warning', code: entry.problem.code, message: `${entry.problem.message} Not listed.`, object: entry.folder });
      }
      continue;
    }
    const folder = await BackupReader.open(entry.folder);
    const listed = manifest.find((inst) => sameGuid(inst.id, entry.id));
    const infoBytes = await folder.readOptional(BKUPINFO_FILE, { maxBytes: BACKUP_READ_LIMITS.maxXmlBytes });
    const info = infoBytes === null ? undefined : parseBkupInfoXml(infoBytes);
    const declared = declaresStarterGpo(listed) ?? declaresStarterGpo(info);
    const isStarter = declared ?? entry.type === 'StarterGPO';
    if (!isStarter) continue;
    let extras: StarterGpoExtras | undefined;
    const extrasBytes = await folder.readOptional(STARTER_GPO_EXTRAS_FILE, { maxBytes: BACKUP_READ_LIMITS.maxXmlBytes }).catch(() => null);
    if (extrasBytes !== null) {
      try {
        extras = parseStarterGpoExtras(extrasBytes.toString('utf8'), join(entry.folder, STARTER_GPO_EXTRAS_FILE));
      } catch {
        extras = undefined;
      }
    }
    const details: Record<string, string | number | boolean> = { domain: entry.domain, inManifest: entry.listedInManifest };
    if (entry.domainController) details['domainController'] = entry.domainController;
    if (extras?.starterGpo.type) details['starterGpoType'] = extras.starterGpo.type;
    if (extras?.starterGpo.computerVersion !== null && extras?.starterGpo.computerVersion !== undefined) details['computerVersion'] = extras.starterGpo.computerVersion;
    if (extras?.starterGpo.userVersion !== null && extras?.starterGpo.userVersion !== undefined) details['userVersion'] = extras.starterGpo.userVersion;
    if (extras) details['aclKept'] = extras.acl !== null;
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
  listings.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || a.id.localeCompare(b.id));
  return listings;
}
