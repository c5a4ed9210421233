/**
 * The pure model of one GPMC backup of one GPO: everything Backup.xml, bkupInfo.xml, manifest.xml and
 * gpreport.xml are rendered from. Providers fill it from what they read in AD and SYSVOL; nothing here
 * does I/O.
 */

/** `Type` values GPMC writes for a principal in `<SecurityGroups>`. */
export type PrincipalType = 'User' | 'Computer' | 'LocalGroup' | 'GlobalGroup' | 'UniversalGroup' | 'Unknown';

/** One `<Group>` of `<SecurityGroups>`. `null` / `''` fields are written as empty (self-closing) elements. */
export interface SecurityPrincipal {
  /** `S-1-5-21-…`; GPMC leaves it empty for built-in and NT AUTHORITY principals found in settings. */
  sid: string | null;
  samAccountName: string | null;
  type: PrincipalType | null;
  netbiosDomainName: string | null;
  dnsDomainName: string | null;
  /** For groups GPMC writes `<sAMAccountName>@<dns domain>`. */
  upn: string | null;
  /** True for the principals GPMC took from the GPO's DACL (`bkp:Source="FromDACL"`). */
  fromDacl: boolean;
}

/** One file or folder of the GPT (the GPO's SYSVOL folder). */
export interface GptEntry {
  /** Relative to the GPT root, `/` or `\` separated, name case as found: `Machine/microsoft/windows nt/SecEdit/GptTmpl.inf`. */
  path: string;
  kind: 'file' | 'dir';
  /** Bytes, for files; informational (Backup.xml does not record sizes). */
  size?: number;
}

/** The WMI filter linked to the GPO (`gPCWQLFilter` plus the filter's `msWMI-Name`). */
export interface WmiFilterLink {
  /** DNS domain as written in `gPCWQLFilter`. */
  domain: string;
  /** `{GUID}` as written in `gPCWQLFilter`. */
  id: string;
  /** `msWMI-Name` of the filter. */
  name: string;
}

/**
 * Which GPMC wrote the file. GPMC's Backup.xml template has a fixed number of slots for known
 * extensions after the Registry block: 9 in backups from 2016 on (Windows Server 2016 to 2025), 8 in the
 * 2015 backups of the corpus' public sources. Only the slot of Security (the 5th) is proven.
 */
export type GpmcTemplateLayout = 'gpmc-2016' | 'gpmc-2012r2';

export interface GpoBackupModel {
  /** The backup's own ID, `{UPPER-CASE-GUID}`; also its folder name. Not the GPO's GUID. */
  backupId: string;
  /** When the backup was taken; written in UTC, `yyyy-MM-ddTHH:mm:ss`. */
  backupTime: Date;
  /** The backup's comment (`Backup-GPO -Comment`); `''` for none. */
  comment: string;
  /** The GPO's ID as stored in AD (`name`/`cn`), `{GUID}`, case kept. */
  gpoId: string;
  /** DNS name of the domain. */
  domain: string;
  /** objectGUID of the domain head, braced lower-case `{xxxxxxxx-…}`. */
  domainGuid: string;
  /** FQDN of the domain controller the GPO was read from. */
  domainController: string;
  displayName: string;
  /** AD `flags`: 0 enabled, 1 user side disabled, 2 computer side disabled, 3 both. */
  flags: number;
  /** AD `versionNumber`: user version in the high 16 bits, computer in the low 16 bits. */
  versionNumber: number;
  /** `Version=` of GPT.INI, packed the same way. */
  gptIniVersion: number;
  /** `gPCMachineExtensionNames`, verbatim (`''` when absent). */
  machineExtensionNames: string;
  /** `gPCUserExtensionNames`, verbatim (`''` when absent). */
  userExtensionNames: string;
  wmiFilter: WmiFilterLink | null;
  /** Self-relative security descriptor holding only the DACL, as GPMC stores it. */
  securityDescriptor: Uint8Array;
  /** Principals in GPMC's order: from settings first, then `fromDacl` ones. */
  securityGroups: SecurityPrincipal[];
  /** UNC paths found in settings (`<FilePaths><Path>`), usually none. */
  filePaths: string[];
  /** The GPT's files and folders (GPT.INI and Adm may be listed; they are skipped). */
  gptTree: GptEntry[];
  /** Defaults to `gpmc-2016`. */
  layout?: GpmcTemplateLayout;
}

/** GPMC's backup types (GPMBackupType): typeGPO = 0, typeStarterGPO = 1. */
export const GpmBackupType = { GPO: 0, StarterGPO: 1 } as const;
export type GpmBackupTypeName = keyof typeof GpmBackupType;
/**
 * The element Coffer appends to a Starter GPO backup's `<BackupInst>` (manifest.xml and bkupInfo.xml) holding
 * GPMBackupType's value, so the index alone tells the kinds apart. GPO backups carry none, as GPMC writes them.
 */
export const BACKUP_TYPE_ELEMENT = 'BackupType';
/** GPMBackupType.typeStarterGPO as the element's text. */
export const BACKUP_TYPE_STARTER_GPO = String(GpmBackupType.StarterGPO);

/** One `<BackupInst>`: an entry of manifest.xml, and the whole of bkupInfo.xml. */
export interface BackupInst {
  gpoGuid: string;
  gpoDomain: string;
  gpoDomainGuid: string;
  gpoDomainController: string;
  /** `yyyy-MM-ddTHH:mm:ss`, UTC, as written. */
  backupTime: string;
  /** The backup ID, `{GUID}`, equal to its folder name. */
  id: string;
  comment: string;
  gpoDisplayName: string;
  /** Child elements this reader does not know, kept in order (name and text). */
  extraElements?: Array<{ name: string; text: string }>;
}

export const NS_BACKUP = 'http://www.microsoft.com/GroupPolicy/GPOOperations';
export const NS_MANIFEST = 'http://www.microsoft.com/GroupPolicy/GPOOperations/Manifest';
export const NS_SETTINGS = 'http://www.microsoft.com/GroupPolicy/Settings';
export const NS_TYPES = 'http://www.microsoft.com/GroupPolicy/Types';
export const NS_TYPES_SECURITY = 'http://www.microsoft.com/GroupPolicy/Types/Security';

/** Client-side extension GUIDs, spelt as GPMC writes them in Backup.xml. */
export const CSE = {
  Registry: '{35378EAC-683F-11D2-A89A-00C04FBBCFA2}',
  Security: '{827D319E-6EAC-11D2-A4EA-00C04F79F83A}',
  FolderRedirection: '{25537BA6-77A8-11D2-9B6C-0000F8080861}',
  Scripts: '{42B5FAAE-6536-11D2-AE5A-0000F87571E3}',
  UnknownExtension: '{F15C46CD-82A0-4C2D-A210-5D0D3182A418}',
} as const;

/** The `BackupInst` of a model: what bkupInfo.xml holds and manifest.xml lists. */
export function backupInstOf(model: GpoBackupModel): BackupInst {
  return {
    gpoGuid: model.gpoId,
    gpoDomain: model.domain,
    gpoDomainGuid: model.domainGuid,
    gpoDomainController: model.domainController,
    backupTime: formatBackupTime(model.backupTime),
    id: model.backupId,
    comment: model.comment,
    gpoDisplayName: model.displayName,
  };
}

/** `yyyy-MM-ddTHH:mm:ss` in UTC, no zone and no fraction, as GPMC writes `BackupTime`. */
export function formatBackupTime(time: Date): string {
  return time.toISOString().slice(0, 19);
}

/** Reads a `BackupTime` (UTC, no zone) back into a Date; `undefined` when it is not that shape. */
export function parseBackupTime(text: string): Date | undefined {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(text.trim())) return undefined;
  const date = new Date(`${text.trim()}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
