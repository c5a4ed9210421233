import { parseSecurityDescriptor, type SecurityDescriptor } from '@coffer/active-directory';
import {
  BACKUP_READ_LIMITS,
  checkBackupRelativePath,
  CofferError,
  ErrorCode,
  HRESULT,
  openTrustedBackup,
  type BackupReader,
  type OperationContext,
} from '@coffer/core';
import {
  backupInvalid,
  parseBackupXml,
  parseBkupInfoXml,
  sameGuid,
  type BackupInst,
  type FsObject,
  type ParsedBackupXml,
} from '@coffer/gpmc';
import { GPO_EXTRAS_FILE, parseGpoExtras, type GpoExtras } from '../extras/gpo-extras.js';

/** One file or folder of the GPT a backup holds, relative to its `DomainSysvol/GPO`, `/`-separated. */
export interface BackupGptEntry {
  path: string;
  kind: 'file' | 'directory';
  size: number;
}

/** A backup folder read and checked: nothing in the domain is touched before every selected backup loads. */
export interface LoadedGpoBackup {
  folder: string;
  backupId: string;
  /** The backup opened through core's reader: every later read (the GPT's files) goes through it. */
  reader: BackupReader;
  info: BackupInst;
  xml: ParsedBackupXml;
  /** Coffer's extras (links, WMI filter object, full descriptor); null for backups written by GPMC. */
  extras: GpoExtras | null;
  /** The DACL-only descriptor of Backup.xml, decoded; null when it cannot be (import does not need it, restore refuses). */
  descriptor: SecurityDescriptor | null;
  descriptorProblem?: string;
  /** What vouched for the bytes: our integrity manifest, or (GPMC backups taken with --unverified) Backup.xml's own inventory. */
  verifiedBy: 'coffer-manifest' | 'gpmc-inventory';
  /** The GPT: files on disk plus folders Backup.xml lists (empty folders do not survive every copy). */
  gpt: BackupGptEntry[];
}

export const GPT_FOLDER = ['DomainSysvol', 'GPO'] as const;

export interface LoadOptions {
  /** The user accepted a backup without a Coffer integrity manifest (`--unverified`). */
  unverified?: boolean;
}

/**
 * Reads a GPO backup through core's BackupReader and refuses it unless it is whole: a Coffer backup must
 * carry its integrity manifest and match it byte for byte (a missing one is MANIFEST_MISSING); a GPMC backup
 * is read only with `--unverified`, and is then checked against Backup.xml's inventory (every copied file
 * present, nothing unlisted, identities consistent). Nothing leaves the backup folder (links, `..`, absolute
 * or drive paths are refused with a code), no XML with a DOCTYPE is parsed, and nothing in the domain is
 * touched before this returns.
 */
export async function loadGpoBackup(
  folder: string,
  context: OperationContext,
  options: LoadOptions = {},
): Promise<LoadedGpoBackup> {
  const folderName = folder.split(/[\\/]/).pop() ?? folder;
  const { reader, verifiedBy } = await openTrustedBackup(folder, {
    unverified: options.unverified ?? false,
    signal: context.signal,
    report: (m) => context.report(m),
    what: 'GPO',
  });
  const hasManifest = verifiedBy === 'coffer-manifest';
  const xml = parseBackupXml(await readRequired(reader, 'Backup.xml'));
  const info = parseBkupInfoXml(await readRequired(reader, 'bkupInfo.xml'));
  if (!sameGuid(info.gpoGuid, xml.core.id)) {
    throw backupInvalid(folder, `bkupInfo.xml names GPO ${info.gpoGuid} but Backup.xml holds ${xml.core.id}.`);
  }
  if (info.id !== '' && !sameGuid(info.id, folderName))
    throw backupInvalid(folder, `bkupInfo.xml gives the backup id ${info.id}, but the folder is ${folderName}.`);
  if (!/^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i.test(xml.core.id))
    throw backupInvalid(folder, `Backup.xml's GPO id ${JSON.stringify(xml.core.id)} is not a GUID.`);
  if (xml.core.domain.trim() === '') throw backupInvalid(folder, 'Backup.xml names no domain.');
  let descriptor: SecurityDescriptor | null = null;
  let descriptorProblem: string | undefined;
  try {
    descriptor = parseSecurityDescriptor(xml.core.securityDescriptor);
    if (!descriptor.dacl) descriptorProblem = "Backup.xml's <SecurityDescriptor> holds no DACL.";
  } catch (error) {
    descriptorProblem = `Backup.xml's <SecurityDescriptor> cannot be decoded: ${(error as Error).message}`;
  }
  if (descriptorProblem !== undefined) descriptor = null;

  let extras: GpoExtras | null = null;
  const extrasBytes = await reader.readOptional(GPO_EXTRAS_FILE, { maxBytes: BACKUP_READ_LIMITS.maxXmlBytes });
  if (extrasBytes) {
    try {
      extras = parseGpoExtras(extrasBytes.toString('utf8'), GPO_EXTRAS_FILE);
    } catch (error) {
      throw backupInvalid(folder, `${GPO_EXTRAS_FILE} cannot be read: ${(error as Error).message}`);
    }
    if (!sameGuid(extras.gpo.id, xml.core.id))
      throw backupInvalid(folder, `${GPO_EXTRAS_FILE} describes GPO ${extras.gpo.id}, Backup.xml ${xml.core.id}.`);
  }

  const tree = await reader.walk(GPT_FOLDER.join('/'));
  reader.refuseAnomalies(tree, GPT_FOLDER.join('/'));
  const onDisk: BackupGptEntry[] = tree.entries;
  checkInventory(folder, xml, onDisk, !hasManifest);
  return {
    folder,
    backupId: info.id || folderName,
    reader,
    info,
    xml,
    extras,
    descriptor,
    ...(descriptorProblem === undefined ? {} : { descriptorProblem }),
    verifiedBy: hasManifest ? 'coffer-manifest' : 'gpmc-inventory',
    gpt: withListedFolders(xml, onDisk),
  };
}

/**
 * Backup.xml lists every copied file with its `Location`. A listed file that is missing means a damaged
 * backup; so does (for GPMC backups, which have no manifest) a file the inventory does not list.
 */
function checkInventory(folder: string, xml: ParsedBackupXml, onDisk: BackupGptEntry[], strictExtras: boolean): void {
  const listedFiles = new Map<string, string>();
  for (const object of flatten(xml.extensions.flatMap((e) => e.objects))) {
    if (object.kind !== 'file' || object.location === undefined) continue;
    const relative = gptRelative(object.location);
    if (relative !== null) listedFiles.set(relative.toLowerCase(), relative);
  }
  const present = new Set(onDisk.filter((e) => e.kind === 'file').map((e) => e.path.toLowerCase()));
  const missing = [...listedFiles].filter(([key]) => !present.has(key)).map(([, path]) => path);
  if (missing.length > 0) {
    throw new CofferError(
      ErrorCode.IntegrityMismatch,
      `Backup ${folder} lacks ${missing.length} file(s) its Backup.xml lists: ${missing.slice(0, 5).join(', ')}. Nothing was restored.`,
      {
        hresult: HRESULT.ERROR_FILE_CORRUPT,
        object: folder,
        hint: 'The backup was damaged or only partly copied; restore from another backup of this GPO.',
      },
    );
  }
  if (!strictExtras) return;
  const unlisted = onDisk.filter((e) => e.kind === 'file' && !listedFiles.has(e.path.toLowerCase())).map((e) => e.path);
  if (unlisted.length > 0) {
    throw new CofferError(
      ErrorCode.IntegrityMismatch,
      `Backup ${folder} holds ${unlisted.length} file(s) its Backup.xml does not list: ${unlisted.slice(0, 5).join(', ')}. Nothing was restored.`,
      {
        hresult: HRESULT.ERROR_FILE_CORRUPT,
        object: folder,
        hint: 'Files were added to the backup after GPMC wrote it; remove them or take a fresh backup.',
      },
    );
  }
}

function withListedFolders(xml: ParsedBackupXml, onDisk: BackupGptEntry[]): BackupGptEntry[] {
  const entries = [...onDisk];
  const known = new Set(onDisk.map((e) => e.path.toLowerCase()));
  const addFolder = (path: string) => {
    const parts = path.split('/');
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      if (known.has(prefix.toLowerCase())) continue;
      known.add(prefix.toLowerCase());
      entries.push({ path: prefix, kind: 'directory', size: 0 });
    }
  };
  for (const side of ['Machine', 'User']) if (![...known].some((k) => k === side.toLowerCase())) addFolder(side);
  for (const object of flatten(xml.extensions.flatMap((e) => e.objects))) {
    if (object.kind === 'dir' && object.location !== undefined) {
      const relative = gptRelative(object.location);
      if (relative) addFolder(relative);
    }
  }
  // Parents before children, so writers can create folders in order.
  return entries.sort((a, b) => depth(a.path) - depth(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function depth(path: string): number {
  return path.split('/').length;
}

/** `DomainSysvol\GPO\Machine\registry.pol` → `Machine/registry.pol`; null for anything outside the GPT copy. */
export function gptRelative(location: string): string | null {
  // An absolute, drive, UNC or `..` location is an edited backup: refused (BACKUP_PATH_INVALID), not skipped.
  const parts = checkBackupRelativePath(location);
  if (parts.length < 3 || parts[0]!.toLowerCase() !== 'domainsysvol' || parts[1]!.toLowerCase() !== 'gpo') return null;
  if (parts.some((p) => p === '..' || p === '.')) return null;
  return parts.slice(2).join('/');
}

function flatten(objects: readonly FsObject[]): FsObject[] {
  return objects.flatMap((object) => [object, ...flatten(object.children ?? [])]);
}

async function readRequired(reader: BackupReader, name: string): Promise<Buffer> {
  const bytes = await reader.readOptional(name, { maxBytes: BACKUP_READ_LIMITS.maxXmlBytes });
  if (bytes !== null) return bytes;
  throw new CofferError(ErrorCode.IntegrityMismatch, `Backup ${reader.folder} has no ${name}. Nothing was restored.`, {
    hresult: HRESULT.ERROR_FILE_CORRUPT,
    object: `${reader.folder}/${name}`,
    hint: 'The backup is incomplete; restore from another backup of this GPO.',
  });
}
