/**
 * buildSettingsReport: the settings of one GPO, decoded from its GPT (a backup folder, or files in memory), per side
 * and extension. Each file is decoded on its own: a damaged or hostile file (truncated Registry.pol, a GPP file with
 * a DOCTYPE) becomes an issue with its code and the rest of the report is still built. Nothing is dropped: files no
 * decoder reads are listed under an `other` extension, and extensions the GPO lists but this package does not
 * decode are listed by name and GUID.
 */
import { BackupReader, type CofferError } from '@coffer/core';
import { parseExtensionNames } from '../extension-names.js';
import type { AccountResolver } from '../principals/security-groups.js';
import { parseBackupXmlCore } from '../read/parse-backup-xml.js';
import { loadAdmxDirectory, type AdmxCatalog } from './admx.js';
import { decodeAuditCsv } from './audit.js';
import { decodeFdeployIni } from './folder-redirection.js';
import { gptSourceFromBackup, type GptSource } from './gpt-source.js';
import { decodeIniText } from './ini.js';
import {
  SETTINGS_MODEL_VERSION,
  type ExtensionSettings,
  type FolderRedirectionSettings,
  type GpoSettingsReport,
  type OtherExtensionSettings,
  type RegistryPolEntry,
  type ScriptsSettings,
  type SettingsIssue,
  type SettingsSideName,
} from './model.js';
import { decodePreferenceFile, PREFERENCE_TYPES, preferenceTypeOf, type PreferenceType } from './preferences.js';
import { buildRegistrySettings } from './registry.js';
import { decodeRegistryPol } from './registry-pol.js';
import { decodeScriptsIni } from './scripts.js';
import { decodeSecurityTemplate } from './security.js';

export interface SettingsReportOptions {
  /** ADMX definitions to name Administrative Template policies (see {@link loadAdmxDirectory}). */
  admx?: AdmxCatalog;
  /** Or a folder to read them from (a copy of the central store `Policies/PolicyDefinitions`, `--admx-dir`). */
  admxDir?: string;
  /** Names domain SIDs (`CORP\Domain Admins`); well-known SIDs are named without it. */
  resolve?: AccountResolver;
  /** The GPO's `gPCMachineExtensionNames` / `gPCUserExtensionNames`; read from the backup's Backup.xml when absent. */
  machineExtensionNames?: string;
  userExtensionNames?: string;
}

/** Client-side extensions this package can name (the decoded ones and common others), by upper-case GUID. */
export const EXTENSION_DISPLAY_NAMES: Record<string, string> = {
  '{827D319E-6EAC-11D2-A4EA-00C04F79F83A}': 'Security',
  '{35378EAC-683F-11D2-A89A-00C04FBBCFA2}': 'Registry',
  '{F3CCC681-B74C-4060-9F26-CD84525DCA2A}': 'Advanced Audit Configuration',
  '{42B5FAAE-6536-11D2-AE5A-0000F87571E3}': 'Scripts',
  '{25537BA6-77A8-11D2-9B6C-0000F8080861}': 'Folder Redirection',
  '{C6DC5466-785A-11D2-84D0-00C04FB169F7}': 'Software Installation',
  '{E437BC1C-AA7D-11D2-A382-00C04F991E27}': 'IP Security',
  '{0ACDD40C-75AC-47AB-BAA0-BF6DE7E7FE63}': 'Wireless Network (IEEE 802.11) Policies',
  '{B1BE8D72-6EAC-11D2-A4EA-00C04F79F83A}': 'EFS Recovery',
  '{A2E30F80-D7DE-11D2-BBDE-00C04F86AE3B}': 'Internet Explorer Maintenance',
  '{4D2F9B6F-1E52-4711-A382-6A8B1A003DE6}': 'TCPIP',
  '{9650FDBC-053A-4715-AD14-FC2DC65E8330}': 'Hyper-V',
  '{D02B1F72-3407-48AE-BA88-E8213C6761F1}': 'Tool Extension GUID (Computer Policy Settings)',
  '{D02B1F73-3407-48AE-BA88-E8213C6761F1}': 'Tool Extension GUID (User Policy Settings)',
  '{0F6B957D-509E-11D1-A7CC-0000F87571E3}': 'Tool Extension GUID (Computer Policy Settings)',
  '{0F6B957E-509E-11D1-A7CC-0000F87571E3}': 'Tool Extension GUID (User Policy Settings)',
  '{F15C46CD-82A0-4C2D-A210-5D0D3182A418}': 'Unknown Extension',
  ...Object.fromEntries(PREFERENCE_TYPES.map((type) => [type.cse, type.reportName])),
};

/** Files that belong to no extension's settings (GPT.INI, comments, legacy ADM templates): not listed as "other". */
function isHousekeeping(lower: string): boolean {
  return lower === 'gpt.ini' || lower.endsWith('.cmtx') || lower === 'gpo.cmt' || lower.startsWith('adm/');
}

const SECURITY_FILE = 'machine/microsoft/windows nt/secedit/gpttmpl.inf';
const AUDIT_FILE = 'machine/microsoft/windows nt/audit/audit.csv';

function issueOf(error: unknown, file: string): SettingsIssue {
  const e = error as Partial<CofferError> & { message?: string };
  return {
    code: typeof e.code === 'string' ? e.code : 'SETTINGS_FILE_MALFORMED',
    file,
    message: e.message ?? String(error),
  };
}

async function openSource(
  input: string | BackupReader | GptSource,
  options: SettingsReportOptions,
): Promise<{ source: GptSource; machine: string; user: string }> {
  // Told apart by shape, not instanceof: a second copy of @coffer/core in node_modules makes its own class.
  const isReader = (value: BackupReader | GptSource): value is BackupReader =>
    typeof (value as BackupReader).walk === 'function';
  if (typeof input !== 'string' && !isReader(input))
    return { source: input, machine: options.machineExtensionNames ?? '', user: options.userExtensionNames ?? '' };
  const reader = typeof input === 'string' ? await BackupReader.open(input) : input;
  let machine = options.machineExtensionNames;
  let user = options.userExtensionNames;
  if ((machine === undefined || user === undefined) && (await reader.isFile('Backup.xml'))) {
    const core = parseBackupXmlCore(await reader.readXml('Backup.xml'));
    machine ??= core.machineExtensionNames;
    user ??= core.userExtensionNames;
  }
  // A backup folder's GPT is under DomainSysvol/GPO; a folder without one is read as a GPT itself. The walk tells
  // (its start is checked as isDirectory would): only an empty result needs the question asked.
  let source = await gptSourceFromBackup(reader, 'DomainSysvol/GPO');
  if (source.files.length === 0 && !(await reader.isDirectory('DomainSysvol/GPO')))
    source = await gptSourceFromBackup(reader, '');
  return { source, machine: machine ?? '', user: user ?? '' };
}

/**
 * The settings report of one GPO. `input`: a GPMC/Coffer backup folder (its `DomainSysvol/GPO` is read through
 * core's BackupReader), a GPT folder, a BackupReader the caller already opened (e.g. after openTrustedBackup), or a
 * {@link GptSource} (e.g. files in memory, `gptSourceFromFiles`).
 */
export async function buildSettingsReport(
  input: string | BackupReader | GptSource,
  options: SettingsReportOptions = {},
): Promise<GpoSettingsReport> {
  const { source, machine, user } = await openSource(input, options);
  const catalog =
    options.admx ?? (options.admxDir !== undefined ? await loadAdmxDirectory(options.admxDir) : undefined);
  const issues: SettingsIssue[] = [...(catalog?.issues ?? [])];
  const sides: Record<SettingsSideName, ExtensionSettings[]> = { computer: [], user: [] };
  const claimed = new Set<string>();
  // Files whose decoding failed: listed under their extension's name as an `other` extension, with the issue.
  const failed: Array<{ side: SettingsSideName; name: string; path: string }> = [];
  const fail = (side: SettingsSideName, name: string, path: string, error: unknown): void => {
    issues.push(issueOf(error, path));
    failed.push({ side, name, path });
  };
  const read = async (path: string): Promise<Uint8Array | null> => {
    claimed.add(path);
    try {
      return await source.read(path);
    } catch (error) {
      issues.push(issueOf(error, path));
      return null;
    }
  };
  const files = [...source.files].sort();
  const lowerOf = new Map(files.map((path) => [path, path.toLowerCase()]));
  const sideOf = (lower: string): SettingsSideName | null =>
    lower.startsWith('machine/') ? 'computer' : lower.startsWith('user/') ? 'user' : null;

  // Security (GptTmpl.inf) and Advanced Audit (audit.csv): computer side only.
  for (const path of files.filter((p) => lowerOf.get(p) === SECURITY_FILE)) {
    const bytes = await read(path);
    if (bytes === null) continue;
    try {
      sides.computer.push(decodeSecurityTemplate(decodeIniText(bytes), path, options.resolve));
    } catch (error) {
      fail('computer', 'Security', path, error);
    }
  }
  for (const path of files.filter((p) => lowerOf.get(p) === AUDIT_FILE)) {
    const bytes = await read(path);
    if (bytes === null) continue;
    try {
      sides.computer.push(decodeAuditCsv(decodeIniText(bytes), path));
    } catch (error) {
      fail('computer', 'Advanced Audit Configuration', path, error);
    }
  }
  // Administrative Templates (Registry.pol of each side).
  for (const side of ['computer', 'user'] as const) {
    const folder = side === 'computer' ? 'machine' : 'user';
    const pols = files.filter((p) => lowerOf.get(p) === `${folder}/registry.pol`);
    const entries: RegistryPolEntry[] = [];
    for (const path of pols) {
      const bytes = await read(path);
      if (bytes === null) continue;
      try {
        entries.push(...decodeRegistryPol(bytes, path));
      } catch (error) {
        fail(side, 'Registry', path, error);
      }
    }
    // GPMC reports no Registry extension for a Registry.pol without records (disa-win10-user's Machine side).
    if (entries.length > 0) sides[side].push(buildRegistrySettings(entries, pols, side, catalog));
  }
  // Scripts: scripts.ini / psscripts.ini and the script files beside them.
  for (const side of ['computer', 'user'] as const) {
    const folder = side === 'computer' ? 'machine' : 'user';
    const inis = files.filter(
      (p) => lowerOf.get(p) === `${folder}/scripts/scripts.ini` || lowerOf.get(p) === `${folder}/scripts/psscripts.ini`,
    );
    if (inis.length === 0) continue;
    const extension: ScriptsSettings = { kind: 'scripts', name: 'Scripts', files: [], scripts: [] };
    for (const path of inis) {
      const bytes = await read(path);
      if (bytes === null) continue;
      try {
        const decoded = decodeScriptsIni(decodeIniText(bytes), path, lowerOf.get(path)!.endsWith('psscripts.ini'));
        extension.scripts.push(...decoded.scripts);
        if (decoded.powerShellOrder) extension.powerShellOrder = decoded.powerShellOrder;
      } catch (error) {
        issues.push(issueOf(error, path));
      }
    }
    for (const path of files.filter((p) => lowerOf.get(p)!.startsWith(`${folder}/scripts/`))) {
      claimed.add(path);
      extension.files.push(path);
    }
    sides[side].push(extension);
  }
  // Folder Redirection (user side).
  for (const path of files.filter((p) => /^user\/documents & settings\/fdeploy1?\.ini$/.test(lowerOf.get(p)!))) {
    // fdeploy.ini is the pre-Vista form; fdeploy1.ini supersedes it when both exist.
    if (
      lowerOf.get(path)!.endsWith('fdeploy.ini') &&
      files.some((p) => lowerOf.get(p) === 'user/documents & settings/fdeploy1.ini')
    ) {
      claimed.add(path);
      continue;
    }
    const bytes = await read(path);
    if (bytes === null) continue;
    try {
      const extension: FolderRedirectionSettings = {
        kind: 'folderRedirection',
        name: 'Folder Redirection',
        files: [path],
        folders: decodeFdeployIni(decodeIniText(bytes), path, options.resolve),
      };
      sides.user.push(extension);
    } catch (error) {
      fail('user', 'Folder Redirection', path, error);
    }
  }
  // Group Policy Preferences, in the report's alphabetical order of names.
  const preferencePaths = files
    .map((path) => ({ path, type: preferenceTypeOf(path) }))
    .filter((item): item is { path: string; type: PreferenceType } => item.type !== undefined)
    .sort((a, b) => a.type.reportName.localeCompare(b.type.reportName));
  for (const { path, type } of preferencePaths) {
    const side = sideOf(lowerOf.get(path)!);
    if (side === null) continue;
    const bytes = await read(path);
    if (bytes === null) continue;
    try {
      sides[side].push(decodePreferenceFile(bytes, path, type));
    } catch (error) {
      fail(side, type.reportName, path, error);
    }
  }
  // Everything else: extensions the GPO lists that were not decoded, and files nobody read.
  for (const side of ['computer', 'user'] as const) {
    const decodedNames = new Set(sides[side].map((extension) => extension.name));
    const listed = parseExtensionNames(side === 'computer' ? machine : user).map((group) =>
      group.clientSideExtension.toUpperCase(),
    );
    const others: OtherExtensionSettings[] = [];
    for (const guid of listed) {
      const name = EXTENSION_DISPLAY_NAMES[guid] ?? guid;
      // The null GUID heads the list of editor snap-ins (preferences' tools), not a client-side extension.
      if (
        decodedNames.has(name) ||
        name.startsWith('Tool Extension') ||
        guid === '{00000000-0000-0000-0000-000000000000}'
      )
        continue;
      others.push({ kind: 'other', name, guid, files: [] });
    }
    for (const file of failed.filter((f) => f.side === side)) {
      let target = others.find((other) => other.name === file.name);
      if (target === undefined) {
        const guid = Object.entries(EXTENSION_DISPLAY_NAMES).find(([, name]) => name === file.name)?.[0] ?? null;
        target = { kind: 'other', name: file.name, guid, files: [] };
        others.push(target);
      }
      target.files.push(file.path);
    }
    const folder = side === 'computer' ? 'machine/' : 'user/';
    const loose = files.filter(
      (path) =>
        lowerOf.get(path)!.startsWith(folder) &&
        !claimed.has(path) &&
        !isHousekeeping(lowerOf.get(path)!.slice(folder.length)),
    );
    for (const path of loose) {
      const lower = lowerOf.get(path)!.slice(folder.length);
      const owner = lower.startsWith('applications/')
        ? '{C6DC5466-785A-11D2-84D0-00C04FB169F7}'
        : lower.startsWith('microsoft/ieak/')
          ? '{A2E30F80-D7DE-11D2-BBDE-00C04F86AE3B}'
          : null;
      let target = others.find((other) => owner !== null && other.guid === owner);
      if (target === undefined && owner !== null) {
        target = { kind: 'other', name: EXTENSION_DISPLAY_NAMES[owner]!, guid: owner, files: [] };
        others.push(target);
      }
      if (target === undefined) {
        target = others.find((other) => other.guid === null);
        if (target === undefined) {
          target = { kind: 'other', name: 'Files no extension claims', guid: null, files: [] };
          others.push(target);
        }
      }
      target.files.push(path);
    }
    sides[side].push(...others);
  }
  return {
    version: SETTINGS_MODEL_VERSION,
    computer: { extensions: sides.computer },
    user: { extensions: sides.user },
    issues,
  };
}
