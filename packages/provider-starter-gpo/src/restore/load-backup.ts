/**
 * Reads one Starter GPO backup through core's BackupReader and refuses it unless it is whole, before anything
 * in the domain is touched: a Coffer backup must carry its integrity manifest and match it (core's
 * openTrustedBackup: MANIFEST_MISSING when it was deleted); bkupInfo.xml, the extras file and the tmplx must
 * agree on which Starter GPO it is. A backup written by another tool (no Coffer manifest, no coffer-* file) has
 * nothing to be checked against: it is restored only with `--unverified`, with a warning saying so. Links,
 * `..`, files over the bound and XML with a DOCTYPE are refused with their codes.
 */
import {
  BACKUP_READ_LIMITS,
  CofferError,
  ErrorCode,
  HRESULT,
  isCofferError,
  openTrustedBackup,
  type BackupReader,
  type OperationContext,
} from '@coffer/core';
import { backupInvalid, parseBkupInfoXml, sameGuid, type BackupInst } from '@coffer/gpmc';
import { BKUPINFO_FILE, STARTER_GPO_EXTRAS_FILE, SYSVOL_COPY_FOLDER } from '../backup/layout.js';
import { parseStarterGpoExtras, type StarterGpoExtras } from '../backup/starter-gpo-extras.js';
import type { FolderAcl } from '../model/starter-gpo.js';
import { parseStarterGpoTemplate, TEMPLATE_FILE_NAME } from '../template/starter-gpo-template.js';
import type { StarterGpoContent } from './starter-gpo-swap.js';

export interface LoadedStarterGpoBackup {
  folder: string;
  backupId: string;
  info: BackupInst;
  extras: StarterGpoExtras | null;
  /** The DNS domain it was backed up from. */
  domain: string;
  acl: FolderAcl | null;
  verifiedBy: 'coffer-manifest' | 'unverified';
  content: StarterGpoContent;
}

const GUID = /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/i;

const unusable = (folder: string, detail: string): CofferError => backupInvalid(folder, detail, 'Starter GPO');

/**
 * A file the backup's own records name is not there: bytes proven gone, so INTEGRITY_MISMATCH (ERROR_FILE_CORRUPT), as
 * the GPO provider's load-backup.ts says of a file its Backup.xml lists (BACKUP_INVALID is for files that disagree).
 */
const incomplete = (folder: string, object: string, detail: string): CofferError =>
  new CofferError(ErrorCode.IntegrityMismatch, `Backup ${folder} ${detail} Nothing was restored.`, {
    hresult: HRESULT.ERROR_FILE_CORRUPT,
    object,
    hint: 'The backup was damaged or only partly copied; restore from another backup of this Starter GPO.',
  });

/** Every file and folder below `root` (parents first, names exactly as stored), read through the reader: a link or an oversized file is refused. */
async function walk(
  reader: BackupReader,
  root: string,
): Promise<{ entries: Array<{ path: string; kind: 'file' | 'dir' }>; contents: Map<string, Buffer> }> {
  const tree = await reader.walk(root);
  reader.refuseAnomalies(tree, root);
  const entries: Array<{ path: string; kind: 'file' | 'dir' }> = [];
  const contents = new Map<string, Buffer>();
  for (const entry of tree.entries) {
    entries.push({ path: entry.path, kind: entry.kind === 'directory' ? 'dir' : 'file' });
    if (entry.kind === 'file') contents.set(entry.path, await reader.readFile(`${root}/${entry.path}`));
  }
  return { entries, contents };
}

export interface LoadOptions {
  /** The user accepted a backup without a Coffer integrity manifest (`--unverified`). */
  unverified?: boolean;
}

export async function loadStarterGpoBackup(
  folder: string,
  context: OperationContext,
  options: LoadOptions = {},
): Promise<LoadedStarterGpoBackup> {
  const folderName = folder.split(/[\\/]/).pop() ?? folder;
  const { reader, verifiedBy } = await openTrustedBackup(folder, {
    unverified: options.unverified ?? false,
    signal: context.signal,
    report: (m) => context.report(m),
    what: 'Starter GPO',
  });
  const hasManifest = verifiedBy === 'coffer-manifest';
  const hasExtras = await reader.isFile(STARTER_GPO_EXTRAS_FILE);

  const infoBytes = await reader.readOptional(BKUPINFO_FILE, { maxBytes: BACKUP_READ_LIMITS.maxXmlBytes });
  if (infoBytes === null) throw incomplete(folder, `${folder}/${BKUPINFO_FILE}`, `has no ${BKUPINFO_FILE}.`);
  let info: BackupInst;
  try {
    info = parseBkupInfoXml(infoBytes);
  } catch (error) {
    if (isCofferError(error) && error.code === ErrorCode.XmlDoctypeRefused) throw error;
    throw unusable(folder, `${BKUPINFO_FILE} cannot be read: ${(error as Error).message}`);
  }
  if (!GUID.test(info.gpoGuid.trim()))
    throw unusable(folder, `${BKUPINFO_FILE} names no Starter GPO GUID (${JSON.stringify(info.gpoGuid)}).`);
  if (info.id !== '' && !sameGuid(info.id, folderName))
    throw unusable(folder, `${BKUPINFO_FILE} gives the backup id ${info.id}, but the folder is ${folderName}.`);

  let extras: StarterGpoExtras | null = null;
  if (hasExtras) {
    try {
      extras = parseStarterGpoExtras(
        (await reader.readFile(STARTER_GPO_EXTRAS_FILE, { maxBytes: BACKUP_READ_LIMITS.maxXmlBytes })).toString('utf8'),
        STARTER_GPO_EXTRAS_FILE,
      );
    } catch (error) {
      throw unusable(folder, (error as Error).message);
    }
    if (!sameGuid(extras.starterGpo.id, info.gpoGuid))
      throw unusable(
        folder,
        `${STARTER_GPO_EXTRAS_FILE} describes ${extras.starterGpo.id}, ${BKUPINFO_FILE} ${info.gpoGuid}.`,
      );
  }

  if (!(await reader.isDirectory(SYSVOL_COPY_FOLDER))) throw unusable(folder, `${SYSVOL_COPY_FOLDER} is missing.`);
  const { entries, contents } = await walk(reader, SYSVOL_COPY_FOLDER);
  const templatePath = entries.find(
    (e) => e.kind === 'file' && e.path.toLowerCase() === TEMPLATE_FILE_NAME.toLowerCase(),
  )?.path;
  if (templatePath === undefined)
    throw unusable(folder, `${SYSVOL_COPY_FOLDER} holds no ${TEMPLATE_FILE_NAME}, so it is not a Starter GPO.`);
  if (extras) {
    const onDisk = new Set(entries.map((e) => `${e.kind}:${e.path}`));
    const missing = extras.entries.filter((e) => !onDisk.has(`${e.kind}:${e.path}`));
    if (missing.length > 0)
      throw incomplete(
        folder,
        folder,
        `lacks ${missing.length} file(s) or folder(s) its ${STARTER_GPO_EXTRAS_FILE} lists: ${missing
          .slice(0, 5)
          .map((e) => e.path)
          .join(', ')}.`,
      );
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
    // A template with a DOCTYPE was edited to attack an XML reader (Coffer's or a Windows admin's): refused, never restored.
    if (isCofferError(error) && error.code === ErrorCode.XmlDoctypeRefused) throw error;
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
  const folderNameInSysvol =
    extras?.starterGpo.folderName && sameGuid(extras.starterGpo.folderName, id) ? extras.starterGpo.folderName : id;
  return {
    folder,
    backupId: folderName,
    info,
    extras,
    domain,
    acl: extras?.acl ?? null,
    verifiedBy: hasManifest ? 'coffer-manifest' : 'unverified',
    content: {
      id,
      folderName: folderNameInSysvol,
      displayName: extras?.starterGpo.displayName || info.gpoDisplayName,
      entries,
      contents,
    },
  };
}
