import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathNotFound, toCofferError, invalidArgument } from '@coffer/core';
import { parseBackupTime, type BackupInst, type GpmBackupTypeName } from '../model.js';
import { sameGuid } from '../write/manifest-xml.js';
import { parseBkupInfoXml, parseManifestXml } from './parse-manifest.js';

/** One backup found in a GPMC backup directory. */
export interface GpmcBackupEntry {
  /** The backup ID, `{GUID}`, also the folder name. */
  id: string;
  gpoGuid: string;
  displayName: string;
  domain: string;
  domainGuid: string;
  domainController: string;
  /** Parsed `BackupTime` (UTC); null when the text is not GPMC's format. */
  backupTime: Date | null;
  backupTimeText: string;
  comment: string;
  /** GPMBackupType: `GPO` (typeGPO = 0) or `StarterGPO` (typeStarterGPO = 1). See {@link detectBackupType}. */
  type: GpmBackupTypeName;
  /** The backup's folder. */
  folder: string;
  /** Listed in manifest.xml (GPMC's own index); false when only the folder's bkupInfo.xml names it. */
  listedInManifest: boolean;
  /** The folder exists with a bkupInfo.xml. */
  hasFolder: boolean;
}

const GUID_FOLDER = /^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$/;

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function readIfExists(path: string): Promise<Buffer | null> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw toCofferError(error, path);
  }
}

/**
 * Whether a backup folder holds a Starter GPO. No public GPMC sample of a Starter GPO backup was found, so
 * this is a heuristic (unverified): a Starter GPO is described by `StarterGPO.tmplx`, which a GPO backup
 * never contains; a backup folder holding one (at its top or under DomainSysvol) is a Starter GPO backup.
 */
export async function detectBackupType(folder: string): Promise<GpmBackupTypeName> {
  const search = async (dir: string, depth: number): Promise<boolean> => {
    let names: import('node:fs').Dirent[];
    try {
      names = await readdir(dir, { withFileTypes: true });
    } catch {
      return false;
    }
    for (const entry of names) {
      if (entry.isFile() && entry.name.toLowerCase() === 'startergpo.tmplx') return true;
    }
    if (depth === 0) return false;
    for (const entry of names) {
      if (entry.isDirectory() && (await search(join(dir, entry.name), depth - 1))) return true;
    }
    return false;
  };
  return (await search(folder, 3)) ? 'StarterGPO' : 'GPO';
}

async function toEntry(dir: string, inst: BackupInst, listedInManifest: boolean): Promise<GpmcBackupEntry> {
  const folder = join(dir, inst.id);
  const hasFolder = await exists(join(folder, 'bkupInfo.xml'));
  return {
    id: inst.id,
    gpoGuid: inst.gpoGuid,
    displayName: inst.gpoDisplayName,
    domain: inst.gpoDomain,
    domainGuid: inst.gpoDomainGuid,
    domainController: inst.gpoDomainController,
    backupTime: parseBackupTime(inst.backupTime) ?? null,
    backupTimeText: inst.backupTime,
    comment: inst.comment,
    type: hasFolder ? await detectBackupType(folder) : 'GPO',
    folder,
    listedInManifest,
    hasFolder,
  };
}

/**
 * Every backup in a GPMC backup directory: the manifest.xml entries, then backup folders the manifest
 * does not list (or that have no manifest at all, as some published backups do), found by their
 * bkupInfo.xml. Folder names are compared as GUIDs (any case).
 */
export async function readGpmcBackupDirectory(dir: string): Promise<GpmcBackupEntry[]> {
  let folders: import('node:fs').Dirent[];
  try {
    const info = await stat(dir);
    if (!info.isDirectory()) throw invalidArgument(`${dir} is not a directory.`, { object: dir, hint: 'Give the GPMC backup directory (the one holding manifest.xml).' });
    folders = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw pathNotFound(dir, 'backup directory', 'Check the path of the GPMC backup directory.');
    throw toCofferError(error, dir);
  }

  const entries: GpmcBackupEntry[] = [];
  const manifest = await readIfExists(join(dir, 'manifest.xml'));
  if (manifest !== null) {
    for (const inst of parseManifestXml(manifest).backups) entries.push(await toEntry(dir, inst, true));
  }
  for (const folder of folders) {
    if (!folder.isDirectory() || !GUID_FOLDER.test(folder.name)) continue;
    if (entries.some((entry) => sameGuid(entry.id, folder.name))) continue;
    const info = await readIfExists(join(dir, folder.name, 'bkupInfo.xml'));
    if (info === null) continue;
    const inst = parseBkupInfoXml(info);
    entries.push(await toEntry(dir, { ...inst, id: inst.id === '' ? folder.name : inst.id }, false));
  }
  return entries;
}

export interface SearchBackupsOptions {
  /** A GPO display name (case-insensitive), GPO GUID or backup ID; all backups when omitted. */
  nameOrGuid?: string;
  /** Keep only the most recent backup of each GPO (GPMC's backupMostRecent). */
  newestOnly?: boolean;
  /** Only backups of this type. */
  type?: GpmBackupTypeName;
}

/** Like GPMBackupDir.SearchBackups: matching backups, newest first. */
export async function searchBackups(dir: string, options: SearchBackupsOptions = {}): Promise<GpmcBackupEntry[]> {
  const wanted = options.nameOrGuid?.trim();
  const matches = (await readGpmcBackupDirectory(dir)).filter((entry) => {
    if (options.type !== undefined && entry.type !== options.type) return false;
    if (wanted === undefined || wanted === '') return true;
    return entry.displayName.toLowerCase() === wanted.toLowerCase() || sameGuid(entry.gpoGuid, wanted) || sameGuid(entry.id, wanted);
  });
  matches.sort((a, b) => (b.backupTime?.getTime() ?? -Infinity) - (a.backupTime?.getTime() ?? -Infinity) || a.id.localeCompare(b.id));
  if (!options.newestOnly) return matches;
  const seen = new Set<string>();
  return matches.filter((entry) => {
    const key = `${entry.domain.toLowerCase()}|${entry.gpoGuid.replace(/[{}]/g, '').toUpperCase()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
