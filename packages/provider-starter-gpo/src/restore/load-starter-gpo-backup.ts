/**
 * Reads one Starter GPO backup and refuses it unless it is whole, before anything in the domain is touched:
 * a Coffer backup is re-hashed against its integrity manifest (core's verifyBackup); bkupInfo.xml, the extras
 * file and the tmplx must agree on which Starter GPO it is. A backup written by another tool (no Coffer manifest,
 * no extras) has nothing to be checked against: it is restored with a warning saying so.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CofferError, ErrorCode, HRESULT, INTEGRITY_MANIFEST_NAME, verifyBackup, type OperationContext } from '@coffer/core';
import { parseBkupInfoXml, sameGuid, type BackupInst } from '@coffer/gpmc';
import { BKUPINFO_FILE, STARTER_GPO_EXTRAS_FILE, SYSVOL_COPY_FOLDER } from '../backup/layout.js';
import { parseStarterGpoExtras, type StarterGpoExtras } from '../backup/starter-gpo-extras.js';
import type { FolderAcl } from '../model/starter-gpo.js';
import { parseStarterGpoTemplate, TEMPLATE_FILE_NAME } from '../template/starter-gpo-template.js';
import type { StarterGpoContent } from '../write/starter-gpo-folder-writer.js';

export interface LoadedStarterGpoBackup {
  folder: string;
  backupId: string;
  info: BackupInst;
  extras: StarterGpoExtras | null;
  /** The DNS domain it was backed up from. */
  domain: string;
  acl: FolderAcl | null;
  verifiedBy: 'coffer-manifest' | 'nothing';
  content: StarterGpoContent;
}

const GUID = /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/i;

function unusable(folder: string, detail: string): CofferError {
  return new CofferError('BACKUP_INVALID', `The backup ${folder} cannot be restored: ${detail} Nothing was restored.`, {
    hresult: HRESULT.ERROR_FILE_CORRUPT,
    object: folder,
    hint: 'Restore from another backup of this Starter GPO.',
  });
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (info) => info.isFile(),
    () => false,
  );
}

/** Every file and folder below `root`, parents first, names exactly as stored. */
async function walk(root: string): Promise<{ entries: Array<{ path: string; kind: 'file' | 'dir' }>; contents: Map<string, Buffer> }> {
  const entries: Array<{ path: string; kind: 'file' | 'dir' }> = [];
  const contents = new Map<string, Buffer>();
  const visit = async (dir: string, prefix: string): Promise<void> => {
    const names = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of names) {
      const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
      if (entry.isDirectory()) {
        entries.push({ path, kind: 'dir' });
        await visit(join(dir, entry.name), path);
      } else if (entry.isFile()) {
        entries.push({ path, kind: 'file' });
        contents.set(path, await readFile(join(dir, entry.name)));
      }
    }
  };
  await visit(root, '');
  return { entries, contents };
}

export async function loadStarterGpoBackup(folder: string, context: OperationContext): Promise<LoadedStarterGpoBackup> {
  const folderName = folder.split(/[\\/]/).pop() ?? folder;
  const hasManifest = await isFile(join(folder, INTEGRITY_MANIFEST_NAME));
  const hasExtras = await isFile(join(folder, STARTER_GPO_EXTRAS_FILE));
  if (hasManifest) {
    const verification = await verifyBackup(folder, { signal: context.signal });
    if (!verification.ok) {
      const problems = verification.problems.slice(0, 8).map((p) => `${p.kind} ${p.path} (${p.detail})`);
      const more = verification.problems.length > 8 ? `, and ${verification.problems.length - 8} more` : '';
      throw new CofferError(ErrorCode.IntegrityMismatch, `The backup ${folderName} is damaged or was changed since it was written: ${problems.join('; ')}${more}. Nothing was restored.`, {
        hresult: HRESULT.ERROR_FILE_CORRUPT,
        object: folder,
        hint: "Run 'coffer verify' on the directory, and restore from another backup of this Starter GPO.",
      });
    }
  } else if (hasExtras) {
    // Coffer writes its manifest last: a Coffer backup without one is incomplete, or had it removed.
    throw new CofferError(ErrorCode.ManifestMissing, `The backup ${folderName} was written by Coffer but has no ${INTEGRITY_MANIFEST_NAME}: it is incomplete or was tampered with. Nothing was restored.`, {
      hresult: HRESULT.ERROR_FILE_CORRUPT,
      object: folder,
      hint: 'Restore from another backup of this Starter GPO.',
    });
  } else {
    context.report({
      severity: 'warning',
      code: 'UNVERIFIED_BACKUP',
      message: `The backup ${folderName} has no Coffer integrity manifest (another tool wrote it), so its files could not be checked before the restore.`,
      object: folder,
    });
  }

  const infoBytes = await readFile(join(folder, BKUPINFO_FILE)).catch(() => null);
  if (infoBytes === null) throw unusable(folder, `${BKUPINFO_FILE} is missing.`);
  let info: BackupInst;
  try {
    info = parseBkupInfoXml(infoBytes);
  } catch (error) {
    throw unusable(folder, `${BKUPINFO_FILE} cannot be read: ${(error as Error).message}`);
  }
  if (!GUID.test(info.gpoGuid.trim())) throw unusable(folder, `${BKUPINFO_FILE} names no Starter GPO GUID (${JSON.stringify(info.gpoGuid)}).`);
  if (info.id !== '' && !sameGuid(info.id, folderName)) throw unusable(folder, `${BKUPINFO_FILE} gives the backup id ${info.id}, but the folder is ${folderName}.`);

  let extras: StarterGpoExtras | null = null;
  if (hasExtras) {
    try {
      extras = parseStarterGpoExtras(await readFile(join(folder, STARTER_GPO_EXTRAS_FILE), 'utf8'), STARTER_GPO_EXTRAS_FILE);
    } catch (error) {
      throw unusable(folder, (error as Error).message);
    }
    if (!sameGuid(extras.starterGpo.id, info.gpoGuid)) throw unusable(folder, `${STARTER_GPO_EXTRAS_FILE} describes ${extras.starterGpo.id}, ${BKUPINFO_FILE} ${info.gpoGuid}.`);
  }

  const copyRoot = join(folder, ...SYSVOL_COPY_FOLDER.split('/'));
  const copyInfo = await stat(copyRoot).catch(() => undefined);
  if (!copyInfo?.isDirectory()) throw unusable(folder, `${SYSVOL_COPY_FOLDER} is missing.`);
  const { entries, contents } = await walk(copyRoot);
  const templatePath = entries.find((e) => e.kind === 'file' && e.path.toLowerCase() === TEMPLATE_FILE_NAME.toLowerCase())?.path;
  if (templatePath === undefined) throw unusable(folder, `${SYSVOL_COPY_FOLDER} holds no ${TEMPLATE_FILE_NAME}, so it is not a Starter GPO.`);
  if (extras) {
    const onDisk = new Set(entries.map((e) => `${e.kind}:${e.path}`));
    const missing = extras.entries.filter((e) => !onDisk.has(`${e.kind}:${e.path}`));
    if (missing.length > 0) throw unusable(folder, `${missing.map((e) => e.path).join(', ')} listed in ${STARTER_GPO_EXTRAS_FILE} ${missing.length === 1 ? 'is' : 'are'} missing.`);
  }
  try {
    const template = parseStarterGpoTemplate(contents.get(templatePath)!, `${folderName}/${templatePath}`);
    if (template.id !== null && !sameGuid(template.id, info.gpoGuid)) {
      context.report({
        severity: 'warning',
        code: 'STARTER_GPO_ID_MISMATCH',
        message: `${templatePath} in ${folderName} names ${template.id}; the backup is of ${info.gpoGuid}, which is the folder restored.`,
        object: folder,
      });
    }
  } catch (error) {
    context.report({
      severity: 'warning',
      code: (error as CofferError).code ?? 'MALFORMED_XML',
      message: `${(error as Error).message} It is restored byte for byte as backed up.`,
      object: `${folder}/${templatePath}`,
    });
  }

  const domain = (extras?.source.domain ?? info.gpoDomain).trim().toLowerCase();
  if (domain === '') throw unusable(folder, 'it names no domain.');
  const id = info.gpoGuid.trim();
  const folderNameInSysvol = extras?.starterGpo.folderName && sameGuid(extras.starterGpo.folderName, id) ? extras.starterGpo.folderName : id;
  return {
    folder,
    backupId: folderName,
    info,
    extras,
    domain,
    acl: extras?.acl ?? null,
    verifiedBy: hasManifest ? 'coffer-manifest' : 'nothing',
    content: { id, folderName: folderNameInSysvol, displayName: extras?.starterGpo.displayName || info.gpoDisplayName, entries, contents },
  };
}
