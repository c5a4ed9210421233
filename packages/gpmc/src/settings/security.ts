/**
 * Security settings from GptTmpl.inf (SecEdit's security template: `[System Access]`, `[Kerberos Policy]`,
 * `[Event Audit]`, `[Privilege Rights]`, `[Registry Values]`, `[Group Membership]`, `[Service General Setting]`,
 * `[Registry Keys]`, `[File Security]`, the three event log sections). Values are kept as GPMC reports them:
 * numbers as unsigned DWORDs (`LockoutDuration = -1` is 4294967295), yes/no policies as booleans, strings with
 * the quotes SecEdit wrote.
 */
import type { AccountResolver } from '../principals/security-groups.js';
import { iniSection, parseIniSections, splitIniList, type IniEntry, type IniSection } from './ini.js';
import { settingsMalformed } from './errors.js';
import type {
  AccountPolicySetting,
  EventLogSetting,
  ObjectAclSetting,
  RestrictedGroupSetting,
  SecurityOptionSetting,
  SecuritySettings,
  SettingsPrincipal,
  SystemServiceSetting,
  UserRightSetting,
} from './model.js';
import { settingsPrincipalOf } from './principal-names.js';

/** `[System Access]` keys GPMC lists as account policies, with their `<Type>` and whether they are yes/no. */
const ACCOUNT_POLICIES: Record<string, { type: AccountPolicySetting['type']; boolean: boolean }> = {
  minimumpasswordage: { type: 'Password', boolean: false },
  maximumpasswordage: { type: 'Password', boolean: false },
  minimumpasswordlength: { type: 'Password', boolean: false },
  passwordcomplexity: { type: 'Password', boolean: true },
  passwordhistorysize: { type: 'Password', boolean: false },
  cleartextpassword: { type: 'Password', boolean: true },
  requirelogontochangepassword: { type: 'Password', boolean: true },
  lockoutbadcount: { type: 'Account Lockout', boolean: false },
  resetlockoutcount: { type: 'Account Lockout', boolean: false },
  lockoutduration: { type: 'Account Lockout', boolean: false },
};

const KERBEROS_BOOLEANS = new Set(['ticketvalidateclient']);
const EVENT_LOG_BOOLEANS = new Set(['restrictguestaccess']);
const EVENT_LOG_SECTIONS: Record<string, EventLogSetting['log']> = {
  'system log': 'System',
  'security log': 'Security',
  'application log': 'Application',
};
const INTERPRETED = new Set([
  'unicode',
  'version',
  'system access',
  'kerberos policy',
  'event audit',
  'privilege rights',
  'registry values',
  'group membership',
  'service general setting',
  'registry keys',
  'file security',
  ...Object.keys(EVENT_LOG_SECTIONS),
]);

const START_MODES: Record<string, string> = {
  '0': 'Boot',
  '1': 'System',
  '2': 'Automatic',
  '3': 'Manual',
  '4': 'Disabled',
};

function unquote(value: string): string {
  return value.replace(/^"(.*)"$/s, '$1');
}

function number(entry: IniEntry, file: string): number {
  if (!/^-?\d+$/.test(entry.value))
    throw settingsMalformed(file, `line ${entry.line}: ${entry.key} = ${entry.value} is not a number`);
  // SecEdit writes DWORDs signed (-1); GPMC shows them unsigned.
  return Number(BigInt.asUintN(32, BigInt(entry.value)));
}

function keyed(section: IniSection | undefined): Array<IniEntry & { key: string }> {
  return (section?.entries ?? []).filter((entry): entry is IniEntry & { key: string } => entry.key !== null);
}

function byName<T extends { name: string }>(a: T, b: T): number {
  return a.name.toUpperCase() < b.name.toUpperCase() ? -1 : a.name.toUpperCase() > b.name.toUpperCase() ? 1 : 0;
}

function members(value: string, resolve: AccountResolver | undefined): SettingsPrincipal[] {
  return splitIniList(value)
    .map((token) => settingsPrincipalOf(token, resolve))
    .filter((principal): principal is SettingsPrincipal => principal !== null);
}

/** Decodes the text of a GptTmpl.inf; throws SETTINGS_FILE_MALFORMED for values of the wrong shape. */
export function decodeSecurityTemplate(text: string, file: string, resolve?: AccountResolver): SecuritySettings {
  const sections = parseIniSections(text);
  const account: AccountPolicySetting[] = [];
  const securityOptions: SecurityOptionSetting[] = [];
  const userRights: UserRightSetting[] = [];
  const eventLog: EventLogSetting[] = [];
  const restrictedGroups: RestrictedGroupSetting[] = [];
  const systemServices: SystemServiceSetting[] = [];
  const audit: SecuritySettings['audit'] = [];

  for (const entry of keyed(iniSection(sections, 'System Access'))) {
    const policy = ACCOUNT_POLICIES[entry.key.toLowerCase()];
    if (policy !== undefined) {
      const value = number(entry, file);
      account.push({ name: entry.key, type: policy.type, value: policy.boolean ? value !== 0 : value });
    } else if (/^-?\d+$/.test(entry.value)) {
      securityOptions.push({ systemAccessPolicyName: entry.key, value: number(entry, file) });
    } else {
      securityOptions.push({ systemAccessPolicyName: entry.key, value: entry.value });
    }
  }
  for (const entry of keyed(iniSection(sections, 'Kerberos Policy'))) {
    const value = number(entry, file);
    account.push({
      name: entry.key,
      type: 'Kerberos',
      value: KERBEROS_BOOLEANS.has(entry.key.toLowerCase()) ? value !== 0 : value,
    });
  }
  for (const entry of keyed(iniSection(sections, 'Event Audit'))) {
    const value = number(entry, file);
    audit.push({ name: entry.key, success: (value & 1) !== 0, failure: (value & 2) !== 0 });
  }
  for (const entry of keyed(iniSection(sections, 'Privilege Rights'))) {
    userRights.push({ name: entry.key, members: members(entry.value, resolve) });
  }
  for (const entry of keyed(iniSection(sections, 'Registry Values'))) {
    const comma = entry.value.indexOf(',');
    const type = Number(comma < 0 ? entry.value : entry.value.slice(0, comma));
    if (!Number.isInteger(type) || comma < 0)
      throw settingsMalformed(file, `line ${entry.line}: ${entry.key} = ${entry.value} is not "type,value"`);
    const raw = entry.value.slice(comma + 1);
    let value: SecurityOptionSetting['value'];
    if (type === 4) {
      if (!/^-?\d+$/.test(raw.trim()))
        throw settingsMalformed(file, `line ${entry.line}: ${entry.key} is REG_DWORD with the value ${raw}`);
      value = Number(BigInt.asUintN(32, BigInt(raw.trim())));
    } else if (type === 7) value = splitIniList(raw).map(unquote);
    else value = raw;
    securityOptions.push({ keyName: entry.key, registryType: type, value });
  }
  const groups = new Map<string, RestrictedGroupSetting>();
  for (const entry of keyed(iniSection(sections, 'Group Membership'))) {
    const match = /^(.*?)__(members|memberof)$/i.exec(entry.key);
    if (match === null)
      throw settingsMalformed(
        file,
        `line ${entry.line}: ${entry.key} is neither <group>__Members nor <group>__Memberof`,
      );
    const group = settingsPrincipalOf(match[1]!, resolve);
    if (group === null) throw settingsMalformed(file, `line ${entry.line}: a restricted group without a name`);
    const groupKey = (group.sid ?? group.name ?? '').toUpperCase();
    let setting = groups.get(groupKey);
    if (setting === undefined) {
      setting = { group, members: null, memberOf: null };
      groups.set(groupKey, setting);
      restrictedGroups.push(setting);
    }
    if (match[2]!.toLowerCase() === 'members') setting.members = members(entry.value, resolve);
    else setting.memberOf = members(entry.value, resolve);
  }
  for (const entry of iniSection(sections, 'Service General Setting')?.entries ?? []) {
    // `"name",mode,"sddl"`: the line has no `=` unless the SDDL holds one, so read the whole line.
    const parts = splitIniList(entry.key === null ? entry.value : `${entry.key}=${entry.value}`);
    if (parts.length < 2) throw settingsMalformed(file, `line ${entry.line}: a service line without a startup mode`);
    systemServices.push({
      name: unquote(parts[0]!),
      startupMode: START_MODES[parts[1]!] ?? parts[1]!,
      sddl: unquote(parts.slice(2).join(',')),
    });
  }
  const acls = (name: string): ObjectAclSetting[] =>
    (iniSection(sections, name)?.entries ?? []).map((entry) => {
      const parts = splitIniList(entry.key === null ? entry.value : `${entry.key}=${entry.value}`);
      if (parts.length < 2 || !/^\d+$/.test(parts[1]!))
        throw settingsMalformed(file, `line ${entry.line}: "${name}" lines are "path",mode,"sddl"`);
      return { path: unquote(parts[0]!), mode: Number(parts[1]), sddl: unquote(parts.slice(2).join(',')) };
    });
  const registryAcls = acls('Registry Keys');
  const fileAcls = acls('File Security');
  for (const section of sections) {
    const log = EVENT_LOG_SECTIONS[section.name.toLowerCase()];
    if (log === undefined) continue;
    for (const entry of keyed(section)) {
      const value = number(entry, file);
      eventLog.push({
        name: entry.key,
        log,
        value: EVENT_LOG_BOOLEANS.has(entry.key.toLowerCase()) ? value !== 0 : value,
      });
    }
  }
  const otherSections = sections
    .filter((section) => !INTERPRETED.has(section.name.toLowerCase()))
    .map((section) => ({
      section: section.name,
      lines: section.entries.map((entry) => (entry.key === null ? entry.value : `${entry.key}=${entry.value}`)),
    }));

  // GPMC lists each kind sorted by name (registry values by key, case-insensitively; [System Access] options after them).
  const optionKey = (option: SecurityOptionSetting): string =>
    (option.keyName !== undefined ? `0${option.keyName}` : `1${option.systemAccessPolicyName}`).toUpperCase();
  securityOptions.sort((a, b) => (optionKey(a) < optionKey(b) ? -1 : optionKey(a) > optionKey(b) ? 1 : 0));
  return {
    kind: 'security',
    name: 'Security',
    files: [file],
    account: account.sort(byName),
    audit: audit.sort(byName),
    userRights: userRights.sort(byName),
    securityOptions,
    eventLog: eventLog.sort(byName),
    restrictedGroups,
    systemServices: systemServices.sort(byName),
    fileAcls,
    registryAcls,
    otherSections,
  };
}
