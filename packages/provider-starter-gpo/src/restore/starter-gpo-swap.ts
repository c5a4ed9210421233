/**
 * Puts one Starter GPO's folder into `<dns domain>/StarterGPOs/` the way a restore must: the new content is staged
 * in a folder next to the live one (its ACL set first, so what is written below inherits from it over SMB), and
 * only then swapped in with renames. A cancel or failure before the swap removes the staging folder and leaves
 * the live Starter GPO exactly as it was; after the swap the previous folder is removed.
 *
 * Over an existing Starter GPO the tmplx versions are bumped (template/bump-template-versions.ts).
 */
import {
  digestBytes,
  digestSysvolTree,
  discardStagedFolder,
  isScratchFolderOf,
  plannedFolderChanges,
  removeReplacedFolder,
  stageFolder,
  swapInFolder,
  type StagedFolder,
  type SysvolSource,
  type SysvolWriteEntry,
} from '@coffer/active-directory';
import { CofferError, ErrorCode, HRESULT, type OperationContext } from '@coffer/core';
import type { OpenedDomain } from '../ad/domain-session.js';
import { STARTER_GPOS_FOLDER } from '../sysvol/read-starter-gpos.js';
import { bumpTemplateVersions, type TemplateVersions } from '../template/bump-template-versions.js';
import { parseStarterGpoTemplate, TEMPLATE_FILE_NAME } from '../template/starter-gpo-template.js';

/** What goes into the folder: every file and folder, paths relative to it, `/`-separated, names as they are to be. */
export interface StarterGpoContent {
  /** `{GUID}`. */
  id: string;
  /** The folder name to create when the Starter GPO does not exist (case as backed up). */
  folderName: string;
  displayName: string;
  entries: ReadonlyArray<{ path: string; kind: 'file' | 'dir' }>;
  /** File bytes by path. */
  contents: ReadonlyMap<string, Buffer>;
}

export type AclPlan =
  /** Set this SDDL on the folder (a restore of a backup that kept the ACL). */
  | { kind: 'sddl'; sddl: string }
  /** Keep the live folder's ACL when it exists; a new folder inherits from StarterGPOs. */
  | { kind: 'keep-or-inherit' };

export interface WriteStarterGpoFolderRequest {
  domain: Pick<OpenedDomain, 'sysvol' | 'source' | 'aclWritable'>;
  content: StarterGpoContent;
  acl: AclPlan;
  /** Replacing a Starter GPO that exists is allowed; otherwise its presence is ALREADY_EXISTS, before anything is written. */
  overwrite: boolean;
  /** Progress label. */
  label: string;
  now?: Date;
  /** Decide everything, write nothing: the result's `plan` says what a real write would change. */
  whatIf?: boolean;
}

/** What a write would change below StarterGPOs (paths relative to it; folders end with `/`), and the folder's ACL. */
export interface StarterGpoFolderPlan {
  added: string[];
  changed: string[];
  removed: string[];
  /** The ACL the folder would get, when it differs from the live one (or the folder is new). */
  acl: { before: string | null; after: string } | null;
  createsStarterGposFolder: boolean;
}

export interface WriteStarterGpoFolderResult {
  /** `<dns>/StarterGPOs/<folder>`, relative to the SYSVOL share. */
  sharePath: string;
  replaced: boolean;
  /** Whether the StarterGPOs folder itself had to be created. */
  createdStarterGposFolder: boolean;
  /** Versions written into the tmplx when an existing Starter GPO was replaced. */
  bumped: (TemplateVersions & { modifiedTime: string | null; wrapped: boolean }) | null;
  acl: 'from-backup' | 'kept' | 'inherited' | 'not-written';
  files: number;
  bytes: number;
  /** With whatIf: what would change (nothing was written). */
  plan?: StarterGpoFolderPlan;
}

function bareGuid(id: string): string {
  return id.replace(/[{}]/g, '').toLowerCase();
}

interface LiveStarterGpos {
  folderExists: boolean;
  /** The live folder of this Starter GPO (its name as found), when it exists. */
  folderName: string | null;
  liveTemplate: Buffer | null;
  /** Leftovers of an interrupted earlier run for this GUID. */
  stale: string[];
}

/** One pass over StarterGPOs: does the folder exist, under which spelling, with which tmplx. */
async function readLive(
  sysvol: SysvolSource,
  sharePath: string,
  id: string,
  context: Pick<OperationContext, 'throwIfCancelled'>,
): Promise<LiveStarterGpos> {
  if (!(await sysvol.exists(sharePath)))
    return { folderExists: false, folderName: null, liveTemplate: null, stale: [] };
  const wanted = bareGuid(id);
  let folderName: string | null = null;
  let liveTemplate: Buffer | null = null;
  const stale: string[] = [];
  for await (const entry of sysvol.readTree(sharePath)) {
    context.throwIfCancelled();
    const parts = entry.path.split('/');
    const top = parts[0]!;
    let bytes: Buffer | null = null;
    if (entry.content) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry.content) chunks.push(Buffer.from(chunk));
      bytes = Buffer.concat(chunks);
    }
    if (parts.length === 1 && entry.kind === 'directory') {
      if (bareGuid(top) === wanted && /^\{.*\}$/.test(top)) folderName = top;
      else if (isScratchFolderOf(top, wanted)) stale.push(top);
    }
    if (parts.length === 2 && bareGuid(top) === wanted && parts[1]!.toLowerCase() === TEMPLATE_FILE_NAME.toLowerCase())
      liveTemplate = bytes;
  }
  return { folderExists: true, folderName, liveTemplate, stale };
}

function liveVersions(bytes: Buffer | null): TemplateVersions | null {
  if (bytes === null) return null;
  try {
    const template = parseStarterGpoTemplate(bytes);
    return { computerVersion: template.computerVersion, userVersion: template.userVersion };
  } catch {
    return null;
  }
}

export function starterGpoExists(sharePath: string, displayName: string): CofferError {
  return new CofferError(ErrorCode.AlreadyExists, `The Starter GPO ${displayName} already exists at ${sharePath}.`, {
    hresult: HRESULT.ERROR_ALREADY_EXISTS,
    object: sharePath,
    hint: 'Pass --overwrite to replace it (its content is replaced; its versions are raised).',
  });
}

function aclFailure(sharePath: string, error: unknown, writing: boolean): CofferError {
  const cause = error as CofferError;
  return new CofferError(
    'ACL_WRITE_FAILED',
    `Could not ${writing ? 'set' : 'read'} the permissions of ${sharePath}: ${(error as Error).message} Nothing was changed.`,
    {
      hresult: cause.hresult ?? HRESULT.ERROR_INVALID_SECURITY_DESCR,
      object: sharePath,
      hint: 'Over a local SYSVOL, pass the DC’s smb.conf (--smb-conf); over SMB, use an account that may change SYSVOL permissions.',
      cause: error,
    },
  );
}

/** Writes the content as the Starter GPO's folder: staged, then swapped in. */
export async function writeStarterGpoFolder(
  request: WriteStarterGpoFolderRequest,
  context: OperationContext,
): Promise<WriteStarterGpoFolderResult> {
  const { sysvol } = request.domain;
  const { content } = request;
  const starterGposPath = `${request.domain.source.domain}/${STARTER_GPOS_FOLDER}`;
  const live = await readLive(sysvol, starterGposPath, content.id, context);
  const exists = live.folderName !== null;
  const targetName = live.folderName ?? content.folderName;
  const sharePath = `${starterGposPath}/${targetName}`;
  if (exists && !request.overwrite) throw starterGpoExists(sharePath, content.displayName);
  if (live.stale.length > 0) {
    context.report({
      severity: 'warning',
      code: 'STALE_STAGING_FOLDER',
      message: `An interrupted earlier write left ${live.stale.map((s) => `${starterGposPath}/${s}`).join(', ')}; it was not touched. Remove it once you have checked ${sharePath}.`,
      object: starterGposPath,
    });
  }
  if (request.acl.kind === 'sddl' && !request.domain.aclWritable) {
    throw new CofferError(
      'ACL_NOT_WRITABLE',
      `The backup keeps the permissions of ${sharePath}, but they cannot be written through ${sysvol.location} without the DC's smb.conf.`,
      {
        hresult: HRESULT.E_INVALIDARG,
        object: sharePath,
        hint: 'Pass --smb-conf (the smb.conf of the DC owning this SYSVOL), or reach the DC over SMB with --dc.',
      },
    );
  }

  // Over an existing Starter GPO the tmplx is written with raised versions; everything else byte for byte.
  const contents = new Map(content.contents);
  let bumped: WriteStarterGpoFolderResult['bumped'] = null;
  const templatePath = content.entries.find(
    (e) => e.kind === 'file' && e.path.toLowerCase() === TEMPLATE_FILE_NAME.toLowerCase(),
  )?.path;
  if (exists && templatePath !== undefined) {
    try {
      const incoming = parseStarterGpoTemplate(contents.get(templatePath)!, `${sharePath}/${templatePath}`);
      const result = bumpTemplateVersions(incoming, liveVersions(live.liveTemplate), request.now ?? new Date());
      contents.set(templatePath, result.bytes);
      bumped = { ...result.versions, modifiedTime: result.modifiedTime, wrapped: result.wrapped };
    } catch (error) {
      context.report({
        severity: 'warning',
        code: 'VERSION_NOT_BUMPED',
        message: `${(error as Error).message} It is written as it is, without raised versions.`,
        object: `${sharePath}/${templatePath}`,
      });
    }
  }

  if (request.whatIf) {
    const plan = await planFolderWrite(request, sharePath, exists, live.folderExists, contents, context);
    return {
      sharePath,
      replaced: exists,
      createdStarterGposFolder: false,
      bumped,
      acl: 'not-written',
      files: 0,
      bytes: 0,
      plan,
    };
  }

  let staged: StagedFolder | null = null;
  let committed = false;
  let aclResult: WriteStarterGpoFolderResult['acl'] = 'inherited';
  try {
    if (!live.folderExists) {
      await sysvol.writeTree(starterGposPath, []);
      context.report({
        severity: 'info',
        code: 'STARTER_GPOS_FOLDER_CREATED',
        message: `The domain had no StarterGPOs folder; ${starterGposPath} was created.`,
        object: starterGposPath,
      });
    }
    context.throwIfCancelled();

    // The ACL goes on first, so files written below it over SMB inherit from it as they would have.
    let sddl: string | null = null;
    if (request.acl.kind === 'sddl') {
      sddl = request.acl.sddl;
      aclResult = 'from-backup';
    } else if (exists && request.domain.aclWritable) {
      try {
        sddl = (await sysvol.readAcl(sharePath)).trim();
      } catch (error) {
        throw aclFailure(sharePath, error, false);
      }
      aclResult = 'kept';
    } else if (exists) {
      aclResult = 'not-written';
      context.report({
        severity: 'warning',
        code: 'ACL_NOT_KEPT',
        message: `The permissions of ${sharePath} cannot be read or written through ${sysvol.location} without the DC's smb.conf; the replaced folder has none of its own.`,
        object: sharePath,
      });
    }
    const aclToSet = sddl;
    context.throwIfCancelled();

    let files = 0;
    let bytes = 0;
    const entries = async function* (): AsyncGenerator<SysvolWriteEntry> {
      for (const entry of content.entries) if (entry.kind === 'dir') yield { path: entry.path, kind: 'directory' };
      for (const entry of content.entries) {
        if (entry.kind !== 'file') continue;
        context.throwIfCancelled();
        const data = contents.get(entry.path) ?? Buffer.alloc(0);
        files += 1;
        bytes += data.length;
        yield { path: entry.path, kind: 'file', content: data };
        context.progress.advance(`${request.label}: ${entry.path}`);
      }
    };
    // active-directory's stageFolder: the ACL on the empty scratch folder first, then every folder and file.
    staged = await stageFolder(sysvol, sharePath, entries(), {
      name: content.id,
      ...(aclToSet === null
        ? {}
        : {
            prepare: async (path: string) => {
              try {
                await sysvol.writeAcl(path, aclToSet);
              } catch (error) {
                throw aclFailure(sharePath, error, true);
              }
            },
          }),
    });
    context.throwIfCancelled();

    // The commit point (active-directory's folder swap, shared with the GPO provider): from here on the new content is what the domain has.
    const replaced = await swapInFolder(sysvol, staged.staged, sharePath, context, sharePath);
    committed = true;
    if (replaced !== null) await removeReplacedFolder(sysvol, replaced, context, sharePath);
    context.progress.advance(request.label);
    return {
      sharePath,
      replaced: exists,
      createdStarterGposFolder: !live.folderExists,
      bumped,
      acl: aclResult,
      files,
      bytes,
    };
  } finally {
    if (!committed) {
      if (staged) await discardStagedFolder(sysvol, staged.staged);
      // A StarterGPOs folder this run created and left empty goes too, so a failed run changes nothing.
      if (!live.folderExists) await sysvol.removeTree(starterGposPath, { missingOk: true }).catch(() => undefined);
    }
  }
}

/**
 * A what-if of {@link writeStarterGpoFolder}: the folder the swap would leave (every entry, the tmplx with its raised
 * versions) compared with the live one, byte for byte (active-directory's folder plan, as the GPO provider's GPT), and
 * the ACL from the backup compared with the live folder's.
 */
async function planFolderWrite(
  request: WriteStarterGpoFolderRequest,
  sharePath: string,
  exists: boolean,
  starterGposExists: boolean,
  contents: ReadonlyMap<string, Buffer>,
  context: Pick<OperationContext, 'throwIfCancelled'>,
): Promise<StarterGpoFolderPlan> {
  const { sysvol } = request.domain;
  const future = new Map<string, string>();
  for (const entry of request.content.entries)
    future.set(
      entry.kind === 'dir' ? `${entry.path}/` : entry.path,
      entry.kind === 'dir' ? 'dir' : digestBytes(contents.get(entry.path) ?? Buffer.alloc(0)),
    );
  const live = exists ? await digestSysvolTree(sysvol, sharePath, () => context.throwIfCancelled()) : null;
  const { added, changed, removed } = plannedFolderChanges(
    sharePath.slice(sharePath.lastIndexOf('/') + 1),
    live,
    future,
  );
  let acl: StarterGpoFolderPlan['acl'] = null;
  if (request.acl.kind === 'sddl') {
    const before = exists ? ((await sysvol.readAcl(sharePath).catch(() => null))?.trim() ?? null) : null;
    if (before !== request.acl.sddl.trim()) acl = { before, after: request.acl.sddl };
  }
  return {
    added,
    changed,
    removed,
    acl,
    createsStarterGposFolder: !starterGposExists,
  };
}
