/**
 * Folder Redirection (User side), in both forms Windows writes ([MS-GPFR] 2.2.2):
 * - fdeploy1.ini (version one, Vista on): `[Folder_Redirection]` maps each known-folder GUID to its groups
 *   (`{FDD39AD0-…}=S-1-1-0;`), and a section per folder and group (`[{FDD39AD0-…}_S-1-1-0]`) gives `Flags` (hex),
 *   `FullPath`, or `ParentFolder` + `RelativePath`;
 * - fdeploy.ini (older): `[FolderStatus]` gives each folder by name its flags, and a section per folder maps group
 *   SIDs to paths (`S-1-1-0=\\srv\home\%USERNAME%`).
 */
import type { AccountResolver } from '../principals/security-groups.js';
import { settingsMalformed } from './errors.js';
import { iniSection, parseIniSections, type IniSection } from './ini.js';
import type { FolderRedirectionSetting } from './model.js';
import { principalOfSid } from './principal-names.js';

/** Known folders Folder Redirection handles (KNOWNFOLDERID values), by upper-case GUID. */
const KNOWN_FOLDERS: Record<string, string> = {
  '{FDD39AD0-238F-46AF-ADB4-6C85480369C7}': 'Documents',
  '{B4BFCC3A-DB2C-424C-B029-7FE99A87C641}': 'Desktop',
  '{33E28130-4E1E-4676-835A-98395C3BC3BB}': 'Pictures',
  '{4BD8D571-6D19-48D3-BE97-422220080E43}': 'Music',
  '{18989B1D-99B5-455B-841C-AB7C74E4DDFC}': 'Videos',
  '{3EB685DB-65F9-4CF6-A03A-E3EF65729F3D}': 'AppData',
  '{625B53C3-AB48-4EC1-BA1F-A1EF4146FC19}': 'Start Menu',
  '{56784854-C6CB-462B-8169-88E350ACB882}': 'Contacts',
  '{374DE290-123F-4565-9164-39C4925E467B}': 'Downloads',
  '{1777F761-68AD-4D8A-87BD-30B759FA33DD}': 'Favorites',
  '{BFB9D5E0-C6A9-404C-B2B2-AE6DB6AF4968}': 'Links',
  '{7D1D3A04-DEBB-4115-95CF-2F29DA2920DA}': 'Searches',
  '{4C5C32FF-BB9D-43B0-B5B4-2D72E54EAAA4}': 'Saved Games',
};

function hex(value: string | undefined, file: string, where: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9a-f]{1,8}$/i.test(value)) throw settingsMalformed(file, `${where}: Flags=${value} is not hexadecimal`);
  return parseInt(value, 16);
}

function values(section: IniSection | undefined): Map<string, string> {
  return new Map((section?.entries ?? []).filter((e) => e.key !== null).map((e) => [e.key!.toLowerCase(), e.value]));
}

function versionOne(
  sections: IniSection[],
  index: IniSection,
  file: string,
  resolve?: AccountResolver,
): FolderRedirectionSetting[] {
  const folders: FolderRedirectionSetting[] = [];
  for (const entry of index.entries) {
    if (entry.key === null || !/^\{[0-9a-f-]{36}\}$/i.test(entry.key))
      throw settingsMalformed(file, `line ${entry.line}: [Folder_Redirection] lines are {known folder GUID}=SID;SID;`);
    const folderId = entry.key.toUpperCase();
    const targets: FolderRedirectionSetting['targets'] = [];
    for (const sid of entry.value
      .split(';')
      .map((s) => s.trim())
      .filter((s) => s !== '')) {
      if (!/^S-\d-/i.test(sid)) throw settingsMalformed(file, `line ${entry.line}: ${sid} is not a SID`);
      const section = values(iniSection(sections, `${entry.key}_${sid}`));
      const flags = hex(section.get('flags'), file, `[${entry.key}_${sid}]`);
      const parent = section.get('parentfolder');
      targets.push({
        group: principalOfSid(sid, resolve),
        path: section.get('fullpath') ?? '',
        ...(flags !== undefined ? { flags } : {}),
        ...(parent !== undefined ? { parentFolder: KNOWN_FOLDERS[parent.toUpperCase()] ?? parent } : {}),
        ...(section.has('relativepath') ? { relativePath: section.get('relativepath')! } : {}),
      });
    }
    folders.push({ folder: KNOWN_FOLDERS[folderId] ?? folderId, folderId, status: targets[0]?.flags ?? 0, targets });
  }
  return folders;
}

export function decodeFdeployIni(text: string, file: string, resolve?: AccountResolver): FolderRedirectionSetting[] {
  const sections = parseIniSections(text);
  const index = iniSection(sections, 'Folder_Redirection');
  if (index !== undefined) return versionOne(sections, index, file, resolve);
  const folders: FolderRedirectionSetting[] = [];
  for (const entry of iniSection(sections, 'FolderStatus')?.entries ?? []) {
    if (entry.key === null || !/^\d+$/.test(entry.value))
      throw settingsMalformed(file, `line ${entry.line}: [FolderStatus] lines are <folder>=<flags>`);
    const targets = (iniSection(sections, entry.key)?.entries ?? []).map((target) => {
      if (target.key === null || !/^S-\d-/i.test(target.key))
        throw settingsMalformed(file, `line ${target.line}: [${entry.key}] lines are <group SID>=<path>`);
      return { group: principalOfSid(target.key, resolve), path: target.value };
    });
    folders.push({ folder: entry.key, status: Number(entry.value), targets });
  }
  return folders;
}
