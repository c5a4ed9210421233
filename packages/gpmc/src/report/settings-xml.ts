/**
 * GPMC's settings report inside gpreport.xml: per side, one `<ExtensionData>` per extension with the settings in
 * `<Extension xmlns:qN="http://www.microsoft.com/GroupPolicy/Settings/<Area>" xsi:type="qN:<Type>">` and the
 * extension's `<Name>`. N counts up through the whole document (Computer first), as GPMC numbers them. Element
 * names, order and escaping follow the real reports of the corpus where it has the extension (Security, Advanced
 * Audit, Administrative Templates with ADMX names, Drive Maps, Local Users and Groups, Scheduled Tasks); the other
 * shapes follow Microsoft's published schema names and are marked unverified in the README.
 */
import { NS_TYPES, NS_TYPES_SECURITY } from '../model.js';
import type {
  AdmxPolicySetting,
  AuditSettings,
  ExtensionSettings,
  FolderRedirectionSettings,
  GpoSettingsReport,
  ObjectAclSetting,
  OtherExtensionSettings,
  PolicyElementSetting,
  PreferenceItem,
  PreferenceSettings,
  RegistryPolEntry,
  RegistrySettings,
  ScriptsSettings,
  SecuritySettings,
  SettingsPrincipal,
  XmlNodeData,
} from '../settings/model.js';
import { PREFERENCE_TYPES } from '../settings/preferences.js';

const SETTINGS_NS = 'http://www.microsoft.com/GroupPolicy/Settings';
/** Coffer's own namespace for extensions GPMC's schema has no type for here (listed, never dropped). */
export const COFFER_OTHER_EXTENSION_NS = 'urn:coffer:gpo-settings:other-extension';

/** Character data as GPMC escapes it: `&`, `<`, `>` (quotes stay). */
function text(value: string): string {
  return value.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Attribute values as GPMC escapes them in preference items: `&`, `<`, `>`, `"`. */
function attribute(value: string): string {
  return text(value).replaceAll('"', '&quot;');
}

class Writer {
  readonly lines: string[] = [];
  constructor(
    readonly prefix: string,
    private depth: number,
  ) {}

  private pad(): string {
    return ' '.repeat(this.depth * 2);
  }

  leaf(name: string, value: string | number | boolean): void {
    this.lines.push(`${this.pad()}<${this.prefix}:${name}>${text(String(value))}</${this.prefix}:${name}>`);
  }

  empty(name: string, attributes = ''): void {
    this.lines.push(`${this.pad()}<${this.prefix}:${name}${attributes} />`);
  }

  open(name: string, attributes = ''): void {
    this.lines.push(`${this.pad()}<${this.prefix}:${name}${attributes}>`);
    this.depth++;
  }

  close(name: string): void {
    this.depth--;
    this.lines.push(`${this.pad()}</${this.prefix}:${name}>`);
  }

  raw(line: string): void {
    this.lines.push(`${this.pad()}${line}`);
  }

  /** A principal as GPMC's settings write it: `<SID>` and `<Name>` in the Types namespace. */
  principal(name: string, principal: SettingsPrincipal): void {
    this.open(name);
    if (principal.sid !== null) this.raw(`<SID xmlns="${NS_TYPES}">${text(principal.sid)}</SID>`);
    if (principal.name !== null) this.raw(`<Name xmlns="${NS_TYPES}">${text(principal.name)}</Name>`);
    this.close(name);
  }
}

function attributes(record: Record<string, string>): string {
  return Object.entries(record)
    .map(([key, value]) => ` ${key}="${attribute(value)}"`)
    .join('');
}

function security(w: Writer, s: SecuritySettings): void {
  for (const account of s.account) {
    w.open('Account');
    w.leaf('Name', account.name);
    if (typeof account.value === 'boolean') w.leaf('SettingBoolean', account.value);
    else if (typeof account.value === 'number') w.leaf('SettingNumber', account.value);
    else w.leaf('SettingString', account.value);
    w.leaf('Type', account.type);
    w.close('Account');
  }
  for (const audit of s.audit) {
    w.open('Audit');
    w.leaf('Name', audit.name);
    w.leaf('SuccessAttempts', audit.success);
    w.leaf('FailureAttempts', audit.failure);
    w.close('Audit');
  }
  for (const right of s.userRights) {
    w.open('UserRightsAssignment');
    w.leaf('Name', right.name);
    for (const member of right.members) w.principal('Member', member);
    w.close('UserRightsAssignment');
  }
  for (const option of s.securityOptions) {
    w.open('SecurityOptions');
    if (option.keyName !== undefined) w.leaf('KeyName', option.keyName);
    else w.leaf('SystemAccessPolicyName', option.systemAccessPolicyName ?? '');
    if (Array.isArray(option.value)) {
      w.open('SettingStrings');
      for (const value of option.value) w.leaf('Value', value);
      w.close('SettingStrings');
    } else if (typeof option.value === 'number') w.leaf('SettingNumber', option.value);
    else w.leaf('SettingString', option.value);
    w.close('SecurityOptions');
  }
  for (const log of s.eventLog) {
    w.open('EventLog');
    w.leaf('Name', log.name);
    if (typeof log.value === 'boolean') w.leaf('SettingBoolean', log.value);
    else w.leaf('SettingNumber', log.value);
    w.leaf('Log', log.log);
    w.close('EventLog');
  }
  for (const group of s.restrictedGroups) {
    w.open('RestrictedGroups');
    w.principal('GroupName', group.group);
    for (const member of group.members ?? []) w.principal('Member', member);
    for (const member of group.memberOf ?? []) w.principal('Memberof', member);
    w.close('RestrictedGroups');
  }
  for (const service of s.systemServices) {
    w.open('SystemServices');
    w.leaf('Name', service.name);
    w.leaf('StartupMode', service.startupMode);
    if (service.sddl !== '') {
      w.open('SecurityDescriptor');
      w.raw(`<SDDL xmlns="${NS_TYPES_SECURITY}">${text(service.sddl)}</SDDL>`);
      w.close('SecurityDescriptor');
    }
    w.close('SystemServices');
  }
  const acl = (tag: string, item: ObjectAclSetting): void => {
    w.open(tag);
    w.leaf('Path', item.path);
    w.open('SecurityDescriptor');
    w.raw(`<SDDL xmlns="${NS_TYPES_SECURITY}">${text(item.sddl)}</SDDL>`);
    w.close('SecurityDescriptor');
    w.leaf('Mode', item.mode);
    w.close(tag);
  };
  for (const item of s.fileAcls) acl('File', item);
  for (const item of s.registryAcls) acl('Registry', item);
}

function audit(w: Writer, s: AuditSettings): void {
  for (const setting of s.settings) {
    w.open('AuditSetting');
    w.leaf('PolicyTarget', setting.policyTarget);
    w.leaf('SubcategoryName', setting.subcategoryName);
    w.leaf('SubcategoryGuid', setting.subcategoryGuid);
    w.leaf('SettingValue', setting.settingValue);
    w.close('AuditSetting');
  }
}

function element(w: Writer, e: PolicyElementSetting): void {
  const state = (): void => w.leaf('State', 'Enabled');
  switch (e.kind) {
    case 'decimal':
    case 'longDecimal':
      w.open('Numeric');
      w.leaf('Name', e.label);
      state();
      w.leaf('Value', String(e.value));
      w.close('Numeric');
      return;
    case 'enum':
      w.open('DropDownList');
      w.leaf('Name', e.label);
      state();
      w.open('Value');
      w.leaf('Name', String(e.value));
      w.close('Value');
      w.close('DropDownList');
      return;
    case 'boolean':
      w.open('CheckBox');
      w.leaf('Name', e.label);
      w.leaf('State', e.value === true ? 'Enabled' : 'Disabled');
      w.close('CheckBox');
      return;
    case 'list': {
      w.open('ListBox');
      w.leaf('Name', e.label);
      state();
      const values = e.value as Array<{ name: string; data: string } | string>;
      const explicit = values.some((value) => typeof value !== 'string');
      w.leaf('ExplicitValue', explicit);
      w.leaf('Additive', false);
      w.open('Value');
      for (const value of values) {
        w.open('Element');
        if (typeof value === 'string') w.leaf('Data', value);
        else {
          w.leaf('Name', value.name);
          w.leaf('Data', value.data);
        }
        w.close('Element');
      }
      w.close('Value');
      w.close('ListBox');
      return;
    }
    default:
      w.open('EditText');
      w.leaf('Name', e.label);
      state();
      w.leaf('Value', Array.isArray(e.value) ? e.value.join('\n') : String(e.value));
      w.close('EditText');
  }
}

function policy(w: Writer, p: AdmxPolicySetting): void {
  w.open('Policy');
  w.leaf('Name', p.name);
  w.leaf('State', p.state);
  w.leaf('Explain', p.explain);
  w.leaf('Supported', p.supported);
  w.leaf('Category', p.category);
  if (p.state === 'Enabled') for (const e of p.elements) element(w, e);
  w.close('Policy');
}

function registryValue(w: Writer, entry: RegistryPolEntry): void {
  w.open('RegistrySetting');
  w.leaf('KeyPath', entry.key);
  w.leaf('AdmSetting', false);
  w.open('Value');
  w.leaf('Name', entry.valueName);
  if (typeof entry.data === 'number') w.leaf('Number', entry.data);
  else if (Array.isArray(entry.data)) for (const value of entry.data) w.leaf('String', value);
  else if (
    entry.typeName === 'REG_SZ' ||
    entry.typeName === 'REG_EXPAND_SZ' ||
    entry.typeName === 'REG_LINK' ||
    entry.typeName === 'REG_QWORD'
  )
    w.leaf('String', entry.data);
  else w.leaf('Binary', entry.data);
  w.close('Value');
  w.close('RegistrySetting');
}

function registry(w: Writer, s: RegistrySettings): void {
  for (const p of s.policies) policy(w, p);
  for (const entry of s.extra) registryValue(w, entry);
}

function scripts(w: Writer, s: ScriptsSettings): void {
  for (const script of s.scripts) {
    w.open('Script');
    w.leaf('Command', script.command);
    w.leaf('Parameters', script.parameters);
    w.leaf('Type', script.type);
    w.leaf('Order', script.order);
    w.leaf('RunOrder', script.powerShell ? 'PSNotConfigured' : 'ScriptNotConfigured');
    w.close('Script');
  }
}

function folderRedirection(w: Writer, s: FolderRedirectionSettings): void {
  for (const folder of s.folders) {
    w.open('Folder');
    w.leaf('Id', folder.folderId ?? folder.folder);
    w.leaf('Name', folder.folder);
    w.leaf('Options', folder.status);
    for (const target of folder.targets) {
      w.open('Location');
      w.principal('SecurityGroup', target.group);
      w.leaf('DestinationPath', target.path);
      if (target.parentFolder !== undefined) w.leaf('ParentFolder', target.parentFolder);
      if (target.relativePath !== undefined) w.leaf('RelativePath', target.relativePath);
      w.close('Location');
    }
    w.close('Folder');
  }
}

function node(w: Writer, n: XmlNodeData): void {
  if (n.children.length === 0 && n.text === '') w.empty(n.name, attributes(n.attributes));
  else if (n.children.length === 0)
    w.raw(`<${w.prefix}:${n.name}${attributes(n.attributes)}>${text(n.text)}</${w.prefix}:${n.name}>`);
  else {
    w.open(n.name, attributes(n.attributes));
    for (const c of n.children) node(w, c);
    w.close(n.name);
  }
}

/** GPMC's order of a task definition's elements (the corpus' report); elements it does not list keep their place after them. */
const TASK_ORDER: Record<string, readonly string[]> = {
  Task: ['RegistrationInfo', 'Triggers', 'Settings', 'Principals', 'Actions'],
  Settings: [
    'AllowStartOnDemand',
    'DisallowStartIfOnBatteries',
    'StopIfGoingOnBatteries',
    'AllowHardTerminate',
    'StartWhenAvailable',
    'Enabled',
    'Hidden',
    'MultipleInstancesPolicy',
    'Priority',
    'ExecutionTimeLimit',
    'IdleSettings',
  ],
  CalendarTrigger: ['Enabled', 'StartBoundary'],
  IdleSettings: ['Duration', 'WaitTimeout', 'StopOnIdleEnd', 'RestartOnIdle'],
};

/**
 * A Task Scheduler definition as GPMC's report shows it: children in GPMC's order, and `<Actions>` without its
 * `Context` attribute (GPMC's report schema has none; proven by the corpus).
 */
function asGpmcTask(n: XmlNodeData): XmlNodeData {
  const order = TASK_ORDER[n.name];
  const children = n.children.map(asGpmcTask);
  if (order !== undefined) {
    const rank = (name: string): number => (order.includes(name) ? order.indexOf(name) : order.length);
    children.sort((a, b) => rank(a.name) - rank(b.name));
  }
  const { Context: _context, ...rest } = n.attributes;
  return { ...n, attributes: n.name === 'Actions' ? rest : n.attributes, children };
}

function preferenceItem(w: Writer, item: PreferenceItem): void {
  w.open(item.tag, attributes(item.attributes));
  w.leaf('GPOSettingOrder', item.order);
  if (item.items !== undefined) for (const inner of item.items) preferenceItem(w, inner);
  if (item.tag !== 'Collection' || Object.keys(item.properties).length > 0) {
    if (item.propertiesChildren.length === 0) w.empty('Properties', attributes(item.properties));
    else {
      w.open('Properties', attributes(item.properties));
      for (const c of item.propertiesChildren) node(w, c.name === 'Task' ? asGpmcTask(c) : c);
      w.close('Properties');
    }
  }
  if (item.filters.length === 0) w.empty('Filters');
  else {
    w.open('Filters');
    for (const f of item.filters) node(w, f);
    w.close('Filters');
  }
  w.close(item.tag);
}

function preferences(w: Writer, s: PreferenceSettings): void {
  const type = PREFERENCE_TYPES.find((candidate) => candidate.folder === s.type)!;
  w.open(type.reportRoot, attributes({ clsid: s.clsid, ...s.attributes }));
  for (const item of s.items) preferenceItem(w, item);
  w.close(type.reportRoot);
}

function other(w: Writer, s: OtherExtensionSettings): void {
  if (s.guid !== null) w.leaf('Guid', s.guid);
  for (const file of s.files) w.leaf('File', file);
}

function extensionHeader(extension: ExtensionSettings): { namespace: string; type: string } {
  switch (extension.kind) {
    case 'security':
      return { namespace: `${SETTINGS_NS}/Security`, type: 'SecuritySettings' };
    case 'audit':
      return { namespace: `${SETTINGS_NS}/Auditing`, type: 'AuditSettings' };
    case 'registry':
      return { namespace: `${SETTINGS_NS}/Registry`, type: 'RegistrySettings' };
    case 'scripts':
      return { namespace: `${SETTINGS_NS}/Scripts`, type: 'Scripts' };
    case 'folderRedirection':
      return { namespace: `${SETTINGS_NS}/FolderRedirection`, type: 'FolderRedirectionSettings' };
    case 'preferences': {
      const type = PREFERENCE_TYPES.find((candidate) => candidate.folder === extension.type)!;
      return { namespace: `${SETTINGS_NS}/${type.namespace}`, type: type.xsiType };
    }
    default:
      return { namespace: COFFER_OTHER_EXTENSION_NS, type: 'OtherExtensionSettings' };
  }
}

function body(w: Writer, extension: ExtensionSettings): void {
  switch (extension.kind) {
    case 'security':
      security(w, extension);
      return;
    case 'audit':
      audit(w, extension);
      return;
    case 'registry':
      registry(w, extension);
      return;
    case 'scripts':
      scripts(w, extension);
      return;
    case 'folderRedirection':
      folderRedirection(w, extension);
      return;
    case 'preferences':
      preferences(w, extension);
      return;
    default:
      other(w, extension);
  }
}

/** The `<ExtensionData>` blocks of each side, indented for `<Computer>`/`<User>` (pass to renderGpReportXml's `extensionData`). */
export function renderGpreportSettingsXml(report: GpoSettingsReport): { computer: string; user: string } {
  let counter = 0;
  const side = (extensions: readonly ExtensionSettings[]): string => {
    const lines: string[] = [];
    for (const extension of extensions) {
      const prefix = `q${++counter}`;
      const header = extensionHeader(extension);
      const w = new Writer(prefix, 4);
      body(w, extension);
      lines.push(
        '    <ExtensionData>',
        `      <Extension xmlns:${prefix}="${header.namespace}" xsi:type="${prefix}:${header.type}">`,
        ...w.lines,
        '      </Extension>',
        `      <Name>${text(extension.name)}</Name>`,
        '    </ExtensionData>',
      );
    }
    return lines.join('\r\n');
  };
  const computer = side(report.computer.extensions);
  return { computer, user: side(report.user.extensions) };
}
