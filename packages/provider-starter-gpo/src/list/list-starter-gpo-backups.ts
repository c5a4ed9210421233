/**
 * The Starter GPO backups of a GPMC backup directory. A backup is a Starter GPO one when its `<BackupInst>`
 * carries Coffer's `<BackupType>1</BackupType>` (GPMBackupType.typeStarterGPO) or, for backups written by
 * other tools, when @coffer/gpmc finds a StarterGPO.tmplx in it. GPO backups match neither and are left out.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackupListing } from '@coffer/core';
import { parseBkupInfoXml, parseManifestXml, readGpmcBackupDirectory, sameGuid, type BackupInst, type GpmcBackupEntry } from '@coffer/gpmc';
import { BACKUP_TYPE_ELEMENT, BACKUP_TYPE_STARTER_GPO, BKUPINFO_FILE, MANIFEST_FILE, STARTER_GPO_EXTRAS_FILE, STARTER_GPO_KIND } from '../backup/layout.js';
import { parseStarterGpoExtras, type StarterGpoExtras } from '../backup/starter-gpo-extras.js';

function declaresStarterGpo(inst: BackupInst | undefined): boolean | undefined {
  const element = inst?.extraElements?.find((e) => e.name === BACKUP_TYPE_ELEMENT);
  return element === undefined ? undefined : element.text.trim() === BACKUP_TYPE_STARTER_GPO;
}

async function readOptional(path: string): Promise<Buffer | null> {
  return readFile(path).catch(() => null);
}

function matchesQuery(entry: GpmcBackupEntry, query: string | undefined): boolean {
  if (query === undefined || query.trim() === '') return true;
  const wanted = query.trim().toLocaleLowerCase();
  return entry.displayName.toLocaleLowerCase().includes(wanted) || sameGuid(entry.gpoGuid, query) || sameGuid(entry.id, query);
}

export async function listStarterGpoBackups(directory: string, query?: string): Promise<BackupListing[]> {
  const entries = await readGpmcBackupDirectory(directory);
  const manifestBytes = await readOptional(join(directory, MANIFEST_FILE));
  const manifest = manifestBytes === null ? [] : parseManifestXml(manifestBytes).backups;
  const listings: BackupListing[] = [];
  for (const entry of entries) {
    if (!matchesQuery(entry, query)) continue;
    const listed = manifest.find((inst) => sameGuid(inst.id, entry.id));
    const infoBytes = entry.hasFolder ? await readOptional(join(entry.folder, BKUPINFO_FILE)) : null;
    const info = infoBytes === null ? undefined : parseBkupInfoXml(infoBytes);
    const declared = declaresStarterGpo(listed) ?? declaresStarterGpo(info);
    const isStarter = declared ?? entry.type === 'StarterGPO';
    if (!isStarter) continue;
    let extras: StarterGpoExtras | undefined;
    const extrasBytes = entry.hasFolder ? await readOptional(join(entry.folder, STARTER_GPO_EXTRAS_FILE)) : null;
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
