/**
 * Reads `<dns domain>/StarterGPOs/` from SYSVOL in one streamed pass (one smbclient tar stream over SMB) and
 * turns every `{GUID}` folder into a Starter GPO with its files in memory: Starter GPOs hold Administrative
 * Templates only, a few kilobytes each, and holding them lets a backup be staged and committed with nothing
 * read half-way.
 */
import { CofferError, HRESULT, type OperationContext } from '@coffer/core';
import type { SysvolSource } from '@coffer/active-directory';
import type { FolderAcl, StarterGpoEntry, StarterGpoSnapshot } from '../model/starter-gpo.js';
import { parseLocalizedTemplate, resolveLocalized, type LocalizedTemplate } from '../template/localized-template.js';
import {
  LOCALIZED_TEMPLATE_FILE_NAME,
  parseStarterGpoTemplate,
  TEMPLATE_FILE_NAME,
  type StarterGpoTemplate,
} from '../template/starter-gpo-template.js';

export const STARTER_GPOS_FOLDER = 'StarterGPOs';

/** The SYSVOL operations this package uses (a subset of active-directory's SysvolSource). */
export type StarterGpoSysvol = Pick<SysvolSource, 'location' | 'exists' | 'readTree' | 'readAcl'>;

/** One Starter GPO's folder, read whole. */
export interface StarterGpoFolder {
  snapshot: StarterGpoSnapshot;
  /** File contents by relative path (`/`-separated, names as found). */
  contents: Map<string, Buffer>;
}

export interface StarterGpoCatalog {
  /** False when the domain has no StarterGPOs folder (Starter GPOs were never enabled in GPMC). */
  folderExists: boolean;
  /** `<dns>/StarterGPOs`, relative to the SYSVOL share. */
  sharePath: string;
  starterGpos: StarterGpoFolder[];
}

const GUID_NAME = /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/i;

async function collect(content: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

function findTopLevel(contents: Map<string, Buffer>, name: string): [string, Buffer] | undefined {
  for (const [path, bytes] of contents)
    if (!path.includes('/') && path.toLowerCase() === name.toLowerCase()) return [path, bytes];
  return undefined;
}

/** The identity of one folder; a folder whose tmplx is unreadable still is backed up, with a warning. */
function describeFolder(
  folderName: string,
  sharePath: string,
  contents: Map<string, Buffer>,
  context: Pick<OperationContext, 'report'>,
): Omit<StarterGpoSnapshot, 'entries' | 'acl'> | null {
  const tmplx = findTopLevel(contents, TEMPLATE_FILE_NAME);
  if (!tmplx) {
    context.report({
      severity: 'warning',
      code: 'NOT_A_STARTER_GPO',
      message: `${sharePath} has no ${TEMPLATE_FILE_NAME}, so it is not a Starter GPO; it was left out.`,
      object: sharePath,
    });
    return null;
  }
  let template: StarterGpoTemplate;
  try {
    template = parseStarterGpoTemplate(tmplx[1], `${sharePath}/${tmplx[0]}`);
  } catch (error) {
    context.report({
      severity: 'warning',
      code: (error as CofferError).code ?? 'MALFORMED_XML',
      message: `${(error as Error).message} Its files are still backed up byte for byte; its identity comes from the folder name.`,
      object: `${sharePath}/${tmplx[0]}`,
      hresult: HRESULT.ERROR_INVALID_DATA,
    });
    // An empty document stands in so the model stays complete; the real bytes are kept in `contents`.
    template = parseStarterGpoTemplate('<StarterGPO/>', 'placeholder');
  }
  const localized: LocalizedTemplate[] = [];
  for (const [path, bytes] of contents) {
    const parts = path.split('/');
    if (parts.length !== 2 || parts[1]!.toLowerCase() !== LOCALIZED_TEMPLATE_FILE_NAME.toLowerCase()) continue;
    try {
      localized.push(parseLocalizedTemplate(bytes, parts[0]!, `${sharePath}/${path}`));
    } catch (error) {
      context.report({
        severity: 'warning',
        code: 'MALFORMED_XML',
        message: (error as Error).message,
        object: `${sharePath}/${path}`,
      });
    }
  }
  localized.sort((a, b) => a.language.localeCompare(b.language));
  const id = template.id !== null && GUID_NAME.test(template.id) ? template.id : folderName;
  if (
    template.id !== null &&
    template.id.replace(/[{}]/g, '').toLowerCase() !== folderName.replace(/[{}]/g, '').toLowerCase()
  ) {
    context.report({
      severity: 'warning',
      code: 'STARTER_GPO_ID_MISMATCH',
      message: `${sharePath}/${tmplx[0]} names the ID ${template.id}, not its folder's ${folderName}; the backup records ${id}.`,
      object: sharePath,
    });
  }
  return {
    id,
    folderName,
    sharePath,
    displayName: resolveLocalized(template.displayName, 'displayName', localized) ?? '',
    description: resolveLocalized(template.description, 'description', localized) ?? '',
    author: template.author ?? '',
    product: template.product ?? '',
    type: template.type,
    computerVersion: template.computerVersion,
    userVersion: template.userVersion,
    starterGpoVersion: template.starterGpoVersion,
    creationTime: template.creationTime,
    modifiedTime: template.modifiedTime,
    template,
    templateBytes: tmplx[1],
    localized,
  };
}

/**
 * Reads every Starter GPO of the domain. A missing StarterGPOs folder is not an error (the caller decides);
 * folders that are not Starter GPOs are reported and left out. ACLs are read separately ({@link readFolderAcl}).
 */
export async function readStarterGpoCatalog(
  sysvol: StarterGpoSysvol,
  domain: string,
  context: Pick<OperationContext, 'report' | 'throwIfCancelled'>,
): Promise<StarterGpoCatalog> {
  const sharePath = `${domain}/${STARTER_GPOS_FOLDER}`;
  if (!(await sysvol.exists(sharePath))) return { folderExists: false, sharePath, starterGpos: [] };
  type FolderBeingRead = { entries: StarterGpoEntry[]; contents: Map<string, Buffer> };
  const folders = new Map<string, FolderBeingRead>();
  const emptyFolder = (): FolderBeingRead => ({ entries: [], contents: new Map() });
  for await (const entry of sysvol.readTree(sharePath)) {
    context.throwIfCancelled();
    const slash = entry.path.indexOf('/');
    const top = slash === -1 ? entry.path : entry.path.slice(0, slash);
    if (slash === -1) {
      if (entry.kind === 'directory') folders.set(top, folders.get(top) ?? emptyFolder());
      else if (entry.content) await collect(entry.content); // a stray file in StarterGPOs: drained, not a Starter GPO
      continue;
    }
    const folder = folders.get(top) ?? emptyFolder();
    folders.set(top, folder);
    const relative = entry.path.slice(slash + 1);
    if (entry.kind === 'directory') {
      folder.entries.push({ path: relative, kind: 'dir' });
    } else {
      const bytes = entry.content ? await collect(entry.content) : Buffer.alloc(0);
      folder.contents.set(relative, bytes);
      folder.entries.push({ path: relative, kind: 'file', size: bytes.length });
    }
  }
  const starterGpos: StarterGpoFolder[] = [];
  for (const [folderName, folder] of [...folders].sort(([a], [b]) => a.localeCompare(b))) {
    const folderShare = `${sharePath}/${folderName}`;
    if (!GUID_NAME.test(folderName)) {
      context.report({
        severity: 'info',
        code: 'NOT_A_STARTER_GPO',
        message: `${folderShare} is not named like a Starter GPO ({GUID}); it was left out.`,
        object: folderShare,
      });
      continue;
    }
    const identity = describeFolder(folderName, folderShare, folder.contents, context);
    if (identity === null) continue;
    starterGpos.push({ snapshot: { ...identity, entries: folder.entries, acl: null }, contents: folder.contents });
  }
  return { folderExists: true, sharePath, starterGpos };
}

/** The folder's NT ACL; a failure is a warning (the files are still worth backing up), never silent. */
export async function readFolderAcl(
  sysvol: StarterGpoSysvol,
  sharePath: string,
  source: string,
  context: Pick<OperationContext, 'report'>,
): Promise<FolderAcl | null> {
  try {
    const sddl = (await sysvol.readAcl(sharePath)).trim();
    if (sddl === '') throw new Error('the ACL came back empty');
    return { sddl, source };
  } catch (error) {
    context.report({
      severity: 'warning',
      code: (error as CofferError).code ?? 'ACL_UNREADABLE',
      message: `Could not read the permissions of ${sharePath}: ${(error as Error).message} The backup has no ACL for it.`,
      object: sharePath,
      ...((error as CofferError).hresult === undefined ? {} : { hresult: (error as CofferError).hresult }),
    });
    return null;
  }
}

export function noStarterGposFolder(domain: string, sharePath: string, location: string): CofferError {
  return new CofferError(
    'NOT_FOUND',
    `The domain ${domain} has no Starter GPOs: ${sharePath} does not exist on ${location}.`,
    {
      hresult: HRESULT.ERROR_NOT_FOUND,
      object: sharePath,
      hint: "Starter GPOs appear once someone clicks 'Create Starter GPOs Folder' in GPMC; check the domain name.",
    },
  );
}
