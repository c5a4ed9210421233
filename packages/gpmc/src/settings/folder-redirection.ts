/**
 * Folder Redirection (fdeploy1.ini, User side): `[FolderStatus]` gives each redirected folder its option flags
 * (`Documents=11`), and a section per folder maps security group SIDs to target paths (`S-1-1-0=\\srv\home\%USERNAME%`).
 * Folders with a status but no targets are kept (a "follow the Documents folder" setting has none).
 */
import type { AccountResolver } from '../principals/security-groups.js';
import { settingsMalformed } from './errors.js';
import { iniSection, parseIniSections } from './ini.js';
import type { FolderRedirectionSetting } from './model.js';
import { principalOfSid } from './principal-names.js';

export function decodeFdeployIni(text: string, file: string, resolve?: AccountResolver): FolderRedirectionSetting[] {
  const sections = parseIniSections(text);
  const folders: FolderRedirectionSetting[] = [];
  for (const entry of iniSection(sections, 'FolderStatus')?.entries ?? []) {
    if (entry.key === null || !/^\d+$/.test(entry.value)) throw settingsMalformed(file, `line ${entry.line}: [FolderStatus] lines are <folder>=<flags>`);
    const targets = (iniSection(sections, entry.key)?.entries ?? []).map((target) => {
      if (target.key === null || !/^S-\d-/i.test(target.key)) throw settingsMalformed(file, `line ${target.line}: [${entry.key}] lines are <group SID>=<path>`);
      return { group: principalOfSid(target.key, resolve), path: target.value };
    });
    folders.push({ folder: entry.key, status: Number(entry.value), targets });
  }
  return folders;
}
