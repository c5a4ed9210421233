import { crlf, utf16WithBom } from './text.js';

export interface ScriptEntry {
  cmdLine: string;
  parameters: string;
}

/**
 * scripts.ini / psscripts.ini (MS-GPSCR): UTF-16LE with BOM, a blank first line, then per event (`Startup`,
 * `Shutdown`, `Logon`, `Logoff`) `<n>CmdLine=` and `<n>Parameters=` numbered from 0. psscripts.ini may add
 * `[ScriptsConfig]` to run PowerShell scripts before or after the others.
 */
export function renderScriptsIni(
  events: Record<string, readonly ScriptEntry[]>,
  config?: Record<string, string>,
): Buffer {
  const lines = [''];
  for (const [event, scripts] of Object.entries(events)) {
    lines.push(`[${event}]`);
    scripts.forEach((script, index) => {
      lines.push(`${index}CmdLine=${script.cmdLine}`, `${index}Parameters=${script.parameters}`);
    });
  }
  if (config) lines.push('[ScriptsConfig]', ...Object.entries(config).map(([k, v]) => `${k}=${v}`));
  return utf16WithBom(crlf(lines));
}

/** Well-known user profile folder GUIDs (MS-GPFR §1.9). */
export const KNOWN_FOLDERS = {
  Documents: '{FDD39AD0-238F-46AF-ADB4-6C85480369C7}',
  Desktop: '{B4BFCC3A-DB2C-424C-B029-7FE99A87C641}',
  Pictures: '{33E28130-4E1E-4676-835A-98395C3BC3BB}',
} as const;

export interface FolderRedirection {
  folder: keyof typeof KNOWN_FOLDERS;
  sid: string;
  /** MS-GPFR §2.2.2.2.1 flags as hex digits, e.g. `1231` = redirect to full path, move contents, exclusive, check ownership. */
  flags: string;
  fullPath?: string;
  parentFolder?: keyof typeof KNOWN_FOLDERS;
  relativePath?: string;
}

/** fdeploy1.ini (Folder Redirection version one, MS-GPFR §2.2.2): UTF-16LE with BOM. */
export function renderFdeploy1Ini(redirections: readonly FolderRedirection[]): Buffer {
  const lines = ['[version]', 'version=100', '[Folder_Redirection]'];
  const byFolder = new Map<string, string[]>();
  for (const r of redirections)
    byFolder.set(KNOWN_FOLDERS[r.folder], [...(byFolder.get(KNOWN_FOLDERS[r.folder]) ?? []), r.sid]);
  for (const [guid, sids] of byFolder) lines.push(`${guid}=${sids.join(';')};`);
  for (const r of redirections) {
    lines.push(`[${KNOWN_FOLDERS[r.folder]}_${r.sid}]`, `Flags=${r.flags}`);
    if (r.fullPath) lines.push(`FullPath=${r.fullPath}`);
    if (r.parentFolder) lines.push(`ParentFolder=${KNOWN_FOLDERS[r.parentFolder]}`);
    if (r.relativePath) lines.push(`RelativePath=${r.relativePath}`);
  }
  return utf16WithBom(crlf(lines));
}
