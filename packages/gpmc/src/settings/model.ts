/**
 * The settings of one GPO as data: what GPMC's settings report (`Get-GPOReport`, the `<ExtensionData>` of
 * gpreport.xml) shows, decoded from the GPT files of a backup. Every value is JSON-serialisable (no Buffer,
 * no bigint, no Date) so `coffer report --format json` and `coffer diff` can store and compare it as is.
 *
 * Stable: `coffer report` / `coffer diff` build on these types. Add optional fields; do not rename or remove.
 */

/** Bumped only when a field changes meaning. */
export const SETTINGS_MODEL_VERSION = 1;

export type SettingsSideName = 'computer' | 'user';

/** A security principal as a setting names it: a SID (`*S-1-5-32-544` in the file) or a bare account name. */
export interface SettingsPrincipal {
  /** Upper-case SID, null when the file names the account only by name. */
  sid: string | null;
  /** `BUILTIN\Administrators`, `CORP\Domain Admins` or the name as written; null when unknown. */
  name: string | null;
}

// ---------------------------------------------------------------------------------------------- Security

/** `[System Access]` account policies and `[Kerberos Policy]`: GPMC's `<Account>`. */
export interface AccountPolicySetting {
  /** The key as SecEdit writes it: `MinimumPasswordLength`, `MaxTicketAge`. */
  name: string;
  /** GPMC's `<Type>`: `Password`, `Account Lockout` or `Kerberos`. */
  type: 'Password' | 'Account Lockout' | 'Kerberos';
  /** Numbers as GPMC shows them (`-1` becomes 4294967295); booleans for the yes/no policies. */
  value: number | boolean | string;
}

/** `[Privilege Rights]`: GPMC's `<UserRightsAssignment>`. */
export interface UserRightSetting {
  /** `SeBackupPrivilege`, `SeDenyNetworkLogonRight`… */
  name: string;
  members: SettingsPrincipal[];
}

/**
 * `[Registry Values]` and the `[System Access]` keys GPMC lists under Security Options
 * (`EnableGuestAccount`, `NewAdministratorName`…): GPMC's `<SecurityOptions>`.
 */
export interface SecurityOptionSetting {
  /** `MACHINE\System\…\RestrictAnonymous` for a registry value; absent for a `[System Access]` key. */
  keyName?: string;
  /** The `[System Access]` key (`EnableGuestAccount`); absent for a registry value. */
  systemAccessPolicyName?: string;
  /** The registry type SecEdit wrote (1 REG_SZ, 4 REG_DWORD, 7 REG_MULTI_SZ, 3 REG_BINARY…); absent for `[System Access]`. */
  registryType?: number;
  /** REG_DWORD and numeric system-access keys: number; strings as written (quotes kept, as GPMC shows them); REG_MULTI_SZ: the strings. */
  value: number | string | string[];
}

/** `[Group Membership]`: GPMC's `<RestrictedGroups>`. */
export interface RestrictedGroupSetting {
  group: SettingsPrincipal;
  /** `__Members`: null when the file does not set it (different from an empty list, which empties the group). */
  members: SettingsPrincipal[] | null;
  /** `__Memberof`. */
  memberOf: SettingsPrincipal[] | null;
}

/** `[Service General Setting]`: GPMC's `<SystemServices>`. */
export interface SystemServiceSetting {
  name: string;
  /** `Automatic` (2), `Manual` (3), `Disabled` (4); `Boot`/`System` for 0/1. */
  startupMode: 'Boot' | 'System' | 'Automatic' | 'Manual' | 'Disabled' | string;
  /** The service's security descriptor as SDDL, `''` when the template leaves it. */
  sddl: string;
}

/** `[File Security]` and `[Registry Keys]`: GPMC's `<File>` and `<Registry>`. */
export interface ObjectAclSetting {
  /** `%SystemRoot%\System32\config` or `MACHINE\SOFTWARE\…`. */
  path: string;
  /** SecEdit's mode: 0 configure and propagate, 1 do not allow replacement, 2 replace existing. */
  mode: number;
  sddl: string;
}

/** `[System Log]`, `[Security Log]`, `[Application Log]`: GPMC's `<EventLog>`. */
export interface EventLogSetting {
  /** `MaximumLogSize`, `RetentionDays`, `RestrictGuestAccess`, `AuditLogRetentionPeriod`. */
  name: string;
  log: 'System' | 'Security' | 'Application';
  value: number | boolean;
}

/** A GptTmpl.inf section the decoder does not interpret (`[Event Audit]` is decoded; e.g. `[Registry Keys]` of an unknown shape). */
export interface RawInfSection {
  section: string;
  lines: string[];
}

export interface SecuritySettings {
  kind: 'security';
  /** GPMC's `<Name>` of the ExtensionData: `Security`. */
  name: 'Security';
  /** GPT paths the settings came from (`Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf`). */
  files: string[];
  account: AccountPolicySetting[];
  /** Legacy audit policy `[Event Audit]`: GPMC's `<Audit>` (0 none, 1 success, 2 failure, 3 both). */
  audit: Array<{ name: string; success: boolean; failure: boolean }>;
  userRights: UserRightSetting[];
  securityOptions: SecurityOptionSetting[];
  eventLog: EventLogSetting[];
  restrictedGroups: RestrictedGroupSetting[];
  systemServices: SystemServiceSetting[];
  fileAcls: ObjectAclSetting[];
  registryAcls: ObjectAclSetting[];
  /** Sections listed, not interpreted (never dropped). `[Unicode]` and `[Version]` are not listed. */
  otherSections: RawInfSection[];
}

// ---------------------------------------------------------------------------------------------- Registry

export type RegistryTypeName =
  | 'REG_NONE'
  | 'REG_SZ'
  | 'REG_EXPAND_SZ'
  | 'REG_BINARY'
  | 'REG_DWORD'
  | 'REG_DWORD_BIG_ENDIAN'
  | 'REG_LINK'
  | 'REG_MULTI_SZ'
  | 'REG_RESOURCE_LIST'
  | 'REG_QWORD'
  | 'REG_UNKNOWN';

/**
 * One Registry.pol record. `data` by type: REG_SZ / REG_EXPAND_SZ / REG_LINK a string; REG_DWORD a number;
 * REG_QWORD a decimal string (exact past 2^53); REG_MULTI_SZ a string array; everything else (binary, or a
 * size that does not fit the type) lower-case hex.
 */
export interface RegistryPolEntry {
  key: string;
  /** `**del.X`, `**delvals.`, `**DeleteValues`… are kept as written: they are instructions to the client. */
  valueName: string;
  type: number;
  typeName: RegistryTypeName;
  data: string | number | string[];
}

/** An ADMX policy element's value as GPMC lists it under the policy (`<DropDownList>`, `<Numeric>`, `<EditText>`, `<ListBox>`, `<CheckBox>`). */
export interface PolicyElementSetting {
  kind: 'decimal' | 'longDecimal' | 'text' | 'multiText' | 'enum' | 'boolean' | 'list';
  /** The element's id in the ADMX. */
  id: string;
  /** The presentation's label (ADML), the id when the ADML has none. */
  label: string;
  /** decimal: number; text: string; enum: the item's display text; boolean: true/false; list: name/data pairs. */
  value: number | string | boolean | Array<{ name: string; data: string }> | string[];
}

/** An Administrative Template policy recognised from its ADMX definition. */
export interface AdmxPolicySetting {
  /** Display name (ADML), as GPMC's `<Name>`. */
  name: string;
  /** `namespace:policyName` from the ADMX (`Coffer.Policies:BackupTarget`). */
  id: string;
  state: 'Enabled' | 'Disabled';
  /** `Coffer/Agent`, category display names joined by `/`, as GPMC's `<Category>`. */
  category: string;
  explain: string;
  supported: string;
  elements: PolicyElementSetting[];
  /** The Registry.pol records the policy stands for. */
  entries: RegistryPolEntry[];
}

export interface RegistrySettings {
  kind: 'registry';
  name: 'Registry';
  files: string[];
  /** Every record of Registry.pol, in file order (the raw facts, whatever the ADMX says). */
  entries: RegistryPolEntry[];
  /** Records an ADMX definition describes, grouped into policies. */
  policies: AdmxPolicySetting[];
  /** Records no definition describes: GPMC's "Extra Registry Settings". */
  extra: RegistryPolEntry[];
}

// ---------------------------------------------------------------------------------------------- Audit, Scripts, Folder Redirection

/** One row of audit.csv: GPMC's `<AuditSetting>` (or a global option such as `Option:CrashOnAuditFail`). */
export interface AuditSetting {
  policyTarget: string;
  subcategoryName: string;
  subcategoryGuid: string;
  inclusionSetting: string;
  exclusionSetting: string;
  /** 0 no auditing, 1 success, 2 failure, 3 both (4 "not configured" for removal). */
  settingValue: number;
}

export interface AuditSettings {
  kind: 'audit';
  name: 'Advanced Audit Configuration';
  files: string[];
  settings: AuditSetting[];
}

export interface ScriptSetting {
  /** `Startup`/`Shutdown` (computer), `Logon`/`Logoff` (user). */
  type: 'Startup' | 'Shutdown' | 'Logon' | 'Logoff';
  command: string;
  parameters: string;
  /** Position within its type and file (0-based, as in the ini). */
  order: number;
  /** From psscripts.ini: a PowerShell script. */
  powerShell: boolean;
}

export interface ScriptsSettings {
  kind: 'scripts';
  name: 'Scripts';
  files: string[];
  scripts: ScriptSetting[];
  /** psscripts.ini `[ScriptsConfig]` `StartExecutePSFirst` / `EndExecutePSFirst`, when set. */
  powerShellOrder?: { start?: boolean; end?: boolean };
}

export interface FolderRedirectionSetting {
  /** `Documents`, `Desktop`, `AppData`… (the known folder's name; its GUID when the name is not known). */
  folder: string;
  /** The known folder's GUID (fdeploy1.ini); absent in the older fdeploy.ini, which names folders. */
  folderId?: string;
  /** fdeploy.ini's `[FolderStatus]` flags; in fdeploy1.ini the first target's `Flags` (MS-GPFR, hex in the file). */
  status: number;
  /** One target per security group (`S-1-1-0` for "basic: everyone"). */
  targets: Array<{
    group: SettingsPrincipal;
    /** Full path; `''` when the folder follows a parent (ParentFolder + RelativePath). */
    path: string;
    /** fdeploy1.ini: this target's flags (MS-GPFR §2.2.2.2.1). */
    flags?: number;
    /** fdeploy1.ini: the folder this one follows (its name) and the path below it. */
    parentFolder?: string;
    relativePath?: string;
  }>;
}

export interface FolderRedirectionSettings {
  kind: 'folderRedirection';
  name: 'Folder Redirection';
  files: string[];
  folders: FolderRedirectionSetting[];
}

// ---------------------------------------------------------------------------------------------- Preferences

/** An XML element kept as data (properties' children, item-level targeting). */
export interface XmlNodeData {
  name: string;
  attributes: Record<string, string>;
  text: string;
  children: XmlNodeData[];
}

/** One Group Policy Preferences item (or a `<Collection>` folder of items). */
export interface PreferenceItem {
  /** Element name: `Drive`, `Group`, `User`, `TaskV2`, `Registry`, `Collection`… */
  tag: string;
  /** Every attribute of the item element, in file order (clsid, name, status, image, changed, uid, userContext, removePolicy, bypassErrors, desc…). */
  attributes: Record<string, string>;
  name: string;
  uid: string;
  /** 1-based position among its siblings: GPMC's `<GPOSettingOrder>`. */
  order: number;
  /** `C` create, `R` replace, `U` update, `D` delete; null when the item has none (collections, some types). */
  action: string | null;
  /** Attributes of `<Properties>`, in file order. */
  properties: Record<string, string>;
  /** Children of `<Properties>` (group members, a task definition). */
  propertiesChildren: XmlNodeData[];
  /** Item-level targeting: the children of `<Filters>`. */
  filters: XmlNodeData[];
  /** Items of a `<Collection>`. */
  items?: PreferenceItem[];
}

/** One preference type of one side (one XML file). */
export interface PreferenceSettings {
  kind: 'preferences';
  /** GPMC's `<Name>`: `Drive Maps`, `Local Users and Groups`, `Scheduled Tasks`… */
  name: string;
  /** `Drives`, `Groups`, `ScheduledTasks`… (the folder under Preferences). */
  type: string;
  files: string[];
  /** The root element's clsid. */
  clsid: string;
  /** The root element's other attributes (`disabled`…). */
  attributes: Record<string, string>;
  items: PreferenceItem[];
}

// ---------------------------------------------------------------------------------------------- Others

/** An extension this package does not decode: listed by name and GUID with its files, never dropped. */
export interface OtherExtensionSettings {
  kind: 'other';
  /** A known name for the GUID, or the GUID. */
  name: string;
  /** Client-side extension GUID, when the GPO's extension names list it; null for files no listed extension claims. */
  guid: string | null;
  files: string[];
}

export type ExtensionSettings =
  | SecuritySettings
  | RegistrySettings
  | AuditSettings
  | ScriptsSettings
  | FolderRedirectionSettings
  | PreferenceSettings
  | OtherExtensionSettings;

/** A problem found while decoding a file: the file's settings are left out, the report goes on. */
export interface SettingsIssue {
  /** `SETTINGS_FILE_MALFORMED`, `XML_DOCTYPE_REFUSED`, `BACKUP_FILE_TOO_LARGE`, `ADMX_MALFORMED`… */
  code: string;
  /** GPT path, or the ADMX file. */
  file: string;
  message: string;
}

export interface SideSettingsReport {
  /** In GPMC's order: Security, Advanced Audit, Registry, Scripts, Folder Redirection, preferences, others. */
  extensions: ExtensionSettings[];
}

export interface GpoSettingsReport {
  version: typeof SETTINGS_MODEL_VERSION;
  computer: SideSettingsReport;
  user: SideSettingsReport;
  issues: SettingsIssue[];
}
