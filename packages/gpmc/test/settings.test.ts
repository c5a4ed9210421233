/**
 * The settings decoders and GPMC's <ExtensionData> rendering over GPT trees these tests build (no corpus):
 * every extension, an ADMX that names policies, and hostile input (truncated Registry.pol, malformed INI, GPP XML
 * with a DOCTYPE, a symlink in a backup) that must end as coded issues or refusals, never a crash.
 */
import { mkdir, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackupReader } from '@coffer/core';
import { BILLION_LAUGHS_DOCTYPE, tempDir } from '@coffer/test-support';
import {
  buildAdmxCatalog,
  buildSettingsReport,
  loadAdmxDirectory,
  decodeRegistryPol,
  encodeRegistryPol,
  gptSourceFromFiles,
  isSettingsFile,
  renderGpReportXml,
  renderGpreportSettingsXml,
  REG_BINARY,
  REG_DWORD,
  REG_EXPAND_SZ,
  REG_MULTI_SZ,
  REG_QWORD,
  REG_SZ,
  type GpoSettingsReport,
} from '../src/index.js';
import { parseXmlDocument } from '../src/xml/element-tree.js';
import { sampleModel } from './fixtures.js';

const parseXmlDocumentForTests = (bytes: Buffer) => parseXmlDocument(bytes, 'gpreport.xml');
const fixtureModel = () => sampleModel();
const fixtureFacts = () => ({
  createdTime: new Date(0),
  modifiedTime: new Date(0),
  readTime: new Date(0),
  sddl: 'O:DA',
  links: [],
});

const utf16 = (text: string): Buffer =>
  Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.replace(/\n/g, '\r\n'), 'utf16le')]);

const GPT_TMPL = `[Unicode]
Unicode=yes
[System Access]
MinimumPasswordLength = 14
PasswordComplexity = 1
LockoutDuration = -1
EnableGuestAccount = 0
NewAdministratorName = "CofferAdmin"
[Kerberos Policy]
MaxTicketAge = 10
TicketValidateClient = 1
[Event Audit]
AuditLogonEvents = 3
AuditPrivilegeUse = 2
[Privilege Rights]
SeBackupPrivilege = *S-1-5-32-544,*S-1-5-21-1-2-3-1107
SeDenyNetworkLogonRight = *S-1-5-32-546
SeTcbPrivilege =
[Registry Values]
MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\LmCompatibilityLevel=4,5
MACHINE\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\\ScRemoveOption=1,"1"
MACHINE\\System\\CurrentControlSet\\Control\\SecurePipeServers\\Winreg\\AllowedPaths\\Machine=7,System\\CurrentControlSet\\Control\\Print\\Printers,Software\\Microsoft\\Windows NT\\CurrentVersion\\Print
[Group Membership]
*S-1-5-32-544__Memberof =
*S-1-5-32-544__Members = *S-1-5-21-1-2-3-512,Backup Operators
[Service General Setting]
"Spooler",4,"D:AR(A;;CCLCSWRPWPDTLOCRRC;;;SY)"
[Registry Keys]
"MACHINE\\SOFTWARE\\Coffer",0,"D:PAR(A;CI;KA;;;BA)"
[File Security]
"%SystemRoot%\\System32\\coffer.exe",2,"D:PAR(A;;FA;;;SY)"
[System Log]
MaximumLogSize = 32768
RestrictGuestAccess = 1
[Strange Section]
Something = else
[Version]
signature="$CHICAGO$"
Revision=1
`;

const REGISTRY_ENTRIES = [
  { key: 'Software\\Policies\\Coffer\\Agent', valueName: 'Enabled', type: REG_DWORD, data: 1 },
  { key: 'Software\\Policies\\Coffer\\Agent', valueName: 'Server', type: REG_SZ, data: 'backup01.coffer.test' },
  { key: 'Software\\Policies\\Coffer\\Agent', valueName: 'Mode', type: REG_DWORD, data: 1 },
  {
    key: 'Software\\Policies\\Coffer\\Agent',
    valueName: 'LogFolder',
    type: REG_EXPAND_SZ,
    data: '%ProgramData%\\Coffer',
  },
  { key: 'Software\\Policies\\Coffer\\Agent\\Paths', valueName: '**delvals.', type: REG_SZ, data: ' ' },
  { key: 'Software\\Policies\\Coffer\\Agent\\Paths', valueName: 'Path1', type: REG_SZ, data: 'D:\\Projects' },
  {
    key: 'Software\\Policies\\Coffer\\Agent\\Paths',
    valueName: 'Path2',
    type: REG_SZ,
    data: '\\\\files\\Finanzen – 2025',
  },
  { key: 'Software\\Policies\\Other', valueName: 'Multi', type: REG_MULTI_SZ, data: ['a', 'b'] },
  { key: 'Software\\Policies\\Other', valueName: 'Big', type: REG_QWORD, data: '18446744073709551615' },
  { key: 'Software\\Policies\\Other', valueName: 'Blob', type: REG_BINARY, data: '00ff10' },
  { key: 'Software\\Policies\\Other', valueName: '**del.Gone', type: REG_SZ, data: ' ' },
];

const ADMX = `<?xml version="1.0" encoding="utf-8"?>
<policyDefinitions xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions" revision="1.0" schemaVersion="1.0">
  <policyNamespaces><target prefix="coffer" namespace="Coffer.Policies" /><using prefix="windows" namespace="Microsoft.Policies.Windows" /></policyNamespaces>
  <resources minRequiredRevision="1.0" />
  <supportedOn><definitions><definition name="SUPPORTED_Coffer1" displayName="$(string.SUPPORTED_Coffer1)" /></definitions></supportedOn>
  <categories>
    <category name="Coffer" displayName="$(string.Coffer)" />
    <category name="CofferAgent" displayName="$(string.CofferAgent)"><parentCategory ref="Coffer" /></category>
  </categories>
  <policies>
    <policy name="EnableAgent" class="Machine" displayName="$(string.EnableAgent)" explainText="$(string.EnableAgent_Help)" key="Software\\Policies\\Coffer\\Agent" valueName="Enabled">
      <parentCategory ref="CofferAgent" /><supportedOn ref="SUPPORTED_Coffer1" />
      <enabledValue><decimal value="1" /></enabledValue><disabledValue><decimal value="0" /></disabledValue>
    </policy>
    <policy name="BackupTarget" class="Machine" displayName="$(string.BackupTarget)" explainText="$(string.BackupTarget_Help)" presentation="$(presentation.BackupTarget)" key="Software\\Policies\\Coffer\\Agent">
      <parentCategory ref="CofferAgent" /><supportedOn ref="SUPPORTED_Coffer1" />
      <elements>
        <text id="Server" valueName="Server" />
        <enum id="Mode" valueName="Mode"><item displayName="$(string.Full)"><value><decimal value="0" /></value></item><item displayName="$(string.Incremental)"><value><decimal value="1" /></value></item></enum>
        <text id="LogFolder" valueName="LogFolder" expandable="true" />
      </elements>
    </policy>
    <policy name="Paths" class="Machine" displayName="$(string.Paths)" explainText="$(string.Paths_Help)" presentation="$(presentation.Paths)" key="Software\\Policies\\Coffer\\Agent\\Paths">
      <parentCategory ref="CofferAgent" /><supportedOn ref="SUPPORTED_Coffer1" />
      <elements><list id="PathList" key="Software\\Policies\\Coffer\\Agent\\Paths" valuePrefix="Path" /></elements>
    </policy>
  </policies>
</policyDefinitions>`;

const ADML = `<?xml version="1.0" encoding="utf-8"?>
<policyDefinitionResources xmlns="http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions" revision="1.0" schemaVersion="1.0">
  <displayName>Coffer</displayName><description>Coffer</description>
  <resources>
    <stringTable>
      <string id="SUPPORTED_Coffer1">Coffer 1.0 or later</string>
      <string id="Coffer">Coffer</string><string id="CofferAgent">Backup agent</string>
      <string id="EnableAgent">Run the Coffer backup agent</string><string id="EnableAgent_Help">Starts the agent.</string>
      <string id="BackupTarget">Backup target</string><string id="BackupTarget_Help">Where backups go.</string>
      <string id="Full">Full every time</string><string id="Incremental">Incremental</string>
      <string id="Paths">Folders to back up</string><string id="Paths_Help">Each entry is a folder.</string>
    </stringTable>
    <presentationTable>
      <presentation id="BackupTarget"><textBox refId="Server"><label>Backup server:</label></textBox><dropdownList refId="Mode">Backup mode:</dropdownList><textBox refId="LogFolder"><label>Log folder:</label></textBox></presentation>
      <presentation id="Paths"><listBox refId="PathList">Folders:</listBox></presentation>
    </presentationTable>
  </resources>
</policyDefinitionResources>`;

const GPP_DRIVES = `<?xml version="1.0" encoding="utf-8"?>
<Drives clsid="{8FDDCC1A-0C3C-43cd-A6B4-71A6DF20DA8C}"><Drive clsid="{935D1B74-9CB8-4e3c-9914-7DD559B7A417}" name="H:" status="H:" image="2" changed="2025-03-11 08:42:17" uid="{11111111-2222-3333-4444-555555555555}" bypassErrors="1"><Properties action="U" thisDrive="NOCHANGE" allDrives="NOCHANGE" userName="" path="\\\\files\\home &amp; &lt;more&gt;" label="Home" persistent="1" useLetter="1" letter="H"/><Filters><FilterGroup bool="AND" not="0" name="CORP\\Staff" sid="S-1-5-21-1-2-3-1108" userContext="1" primaryGroup="0" localGroup="0"/><FilterCollection bool="OR" not="1"><FilterOs bool="AND" not="0" class="NT" version="WIN10" type="NE" edition="NE" sp="NE"/></FilterCollection></Filters></Drive>
</Drives>`;

const GPP_REGISTRY = `<?xml version="1.0" encoding="utf-8"?>
<RegistrySettings clsid="{A3CCFC41-DFDB-43a5-8D26-0FE8B954DA51}"><Collection clsid="{53B533F5-224C-47e3-B01B-CA3B3F3FF4BF}" name="Coffer"><Registry clsid="{9CD4B2F4-923D-47f5-A062-E897DD1DAD50}" name="Level" image="12" changed="2025-03-11 08:42:17" uid="{AAAAAAAA-2222-3333-4444-555555555555}"><Properties action="R" displayDecimal="1" default="0" hive="HKEY_LOCAL_MACHINE" key="SOFTWARE\\Coffer" name="Level" type="REG_DWORD" value="00000005"/></Registry></Collection></RegistrySettings>`;

function baseFiles(): Record<string, Buffer> {
  return {
    'Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf': utf16(GPT_TMPL),
    'Machine/Microsoft/Windows NT/Audit/audit.csv': Buffer.from(
      'Machine Name,Policy Target,Subcategory,Subcategory GUID,Inclusion Setting,Exclusion Setting,Setting Value\r\n,System,Audit Logon,{0cce9215-69ae-11d9-bed3-505054503030},Success and Failure,,3\r\n,System,"Audit ""Quoted"", Name",{0cce9216-69ae-11d9-bed3-505054503030},Failure,,2\r\n',
    ),
    'Machine/Registry.pol': encodeRegistryPol(REGISTRY_ENTRIES),
    'Machine/Scripts/scripts.ini': Buffer.from(
      '\r\n[Startup]\r\n0CmdLine=start.cmd\r\n0Parameters=/quiet\r\n1CmdLine=\\\\srv\\s\\two.cmd\r\n1Parameters=\r\n',
      'utf16le',
    ),
    'Machine/Scripts/Startup/start.cmd': Buffer.from('echo hi\r\n'),
    'Machine/Scripts/psscripts.ini': utf16(
      '[ScriptsConfig]\nStartExecutePSFirst=true\n[Shutdown]\n0CmdLine=stop.ps1\n0Parameters=-Force\n',
    ),
    'Machine/Preferences/Registry/Registry.xml': Buffer.from(GPP_REGISTRY),
    'Machine/Applications/app.aas': Buffer.from('x'),
    'Machine/comment.cmtx': Buffer.from('<policyComments/>'),
    'Machine/Mystery/thing.dat': Buffer.from('?'),
    'User/Documents & Settings/fdeploy.ini': utf16(
      '[FolderStatus]\nDocuments=11\nDesktop=8\n[Documents]\nS-1-1-0=\\\\files\\home\\%USERNAME%\\Documents\nS-1-5-21-1-2-3-1108=\\\\files\\staff\\%USERNAME%\n',
    ),
    'User/Preferences/Drives/Drives.xml': Buffer.from(GPP_DRIVES),
    'GPT.INI': Buffer.from('[General]\r\nVersion=65537\r\n'),
  };
}

const SECURITY_CSE = '[{827D319E-6EAC-11D2-A4EA-00C04F79F83A}{803E14A0-B4FB-11D0-A0D0-00A0C90F574B}]';
const SOFTWARE_INSTALLATION =
  '[{00000000-0000-0000-0000-000000000000}{BFCBBEB0-9DF4-4C0C-A728-434EA66A0373}][{C6DC5466-785A-11D2-84D0-00C04FB169F7}{BACF5C8A-A3C7-11D1-A760-00C04FB9603F}]';

async function report(files = baseFiles(), withAdmx = true): Promise<GpoSettingsReport> {
  return buildSettingsReport(gptSourceFromFiles(files), {
    ...(withAdmx
      ? { admx: buildAdmxCatalog([{ file: 'coffer.admx', admx: Buffer.from(ADMX), adml: Buffer.from(ADML) }]) }
      : {}),
    resolve: (sid) =>
      sid === 'S-1-5-21-1-2-3-512'
        ? {
            samAccountName: 'Domain Admins',
            type: 'GlobalGroup',
            netbiosDomainName: 'CORP',
            dnsDomainName: 'corp.test',
          }
        : undefined,
    machineExtensionNames: `${SECURITY_CSE}${SOFTWARE_INSTALLATION}`,
  });
}

describe('buildSettingsReport over a GPT built here', () => {
  it('decodes every extension of each side, in GPMC order, with nothing dropped', async () => {
    const r = await report();
    expect(r.issues).toEqual([]);
    expect(r.computer.extensions.map((e) => `${e.kind}:${e.name}`)).toEqual([
      'security:Security',
      'audit:Advanced Audit Configuration',
      'registry:Registry',
      'scripts:Scripts',
      'preferences:Windows Registry',
      'other:Software Installation',
      'other:Files no extension claims',
    ]);
    expect(r.user.extensions.map((e) => `${e.kind}:${e.name}`)).toEqual([
      'folderRedirection:Folder Redirection',
      'preferences:Drive Maps',
    ]);
    const others = r.computer.extensions.filter((e) => e.kind === 'other');
    expect(others).toEqual([
      {
        kind: 'other',
        name: 'Software Installation',
        guid: '{C6DC5466-785A-11D2-84D0-00C04FB169F7}',
        files: ['Machine/Applications/app.aas'],
      },
      { kind: 'other', name: 'Files no extension claims', guid: null, files: ['Machine/Mystery/thing.dat'] },
    ]);
    // JSON-serialisable as is: a round trip through JSON gives the same model.
    expect(JSON.parse(JSON.stringify(r))).toEqual(r);
  });

  it('Security: account, Kerberos, audit, rights with resolved names, options, groups, services, ACLs, event log, unknown sections', async () => {
    const security = (await report()).computer.extensions[0]!;
    if (security.kind !== 'security') throw new Error('not security');
    expect(security.account).toEqual([
      { name: 'LockoutDuration', type: 'Account Lockout', value: 4294967295 },
      { name: 'MaxTicketAge', type: 'Kerberos', value: 10 },
      { name: 'MinimumPasswordLength', type: 'Password', value: 14 },
      { name: 'PasswordComplexity', type: 'Password', value: true },
      { name: 'TicketValidateClient', type: 'Kerberos', value: true },
    ]);
    expect(security.audit).toEqual([
      { name: 'AuditLogonEvents', success: true, failure: true },
      { name: 'AuditPrivilegeUse', success: false, failure: true },
    ]);
    expect(security.userRights[0]).toEqual({
      name: 'SeBackupPrivilege',
      members: [
        { sid: 'S-1-5-32-544', name: 'BUILTIN\\Administrators' },
        { sid: 'S-1-5-21-1-2-3-1107', name: null },
      ],
    });
    expect(security.userRights.find((r) => r.name === 'SeTcbPrivilege')?.members).toEqual([]);
    expect(security.securityOptions).toEqual([
      {
        keyName: 'MACHINE\\Software\\Microsoft\\Windows NT\\CurrentVersion\\Winlogon\\ScRemoveOption',
        registryType: 1,
        value: '"1"',
      },
      { keyName: 'MACHINE\\System\\CurrentControlSet\\Control\\Lsa\\LmCompatibilityLevel', registryType: 4, value: 5 },
      {
        keyName: 'MACHINE\\System\\CurrentControlSet\\Control\\SecurePipeServers\\Winreg\\AllowedPaths\\Machine',
        registryType: 7,
        value: [
          'System\\CurrentControlSet\\Control\\Print\\Printers',
          'Software\\Microsoft\\Windows NT\\CurrentVersion\\Print',
        ],
      },
      { systemAccessPolicyName: 'EnableGuestAccount', value: 0 },
      { systemAccessPolicyName: 'NewAdministratorName', value: '"CofferAdmin"' },
    ]);
    expect(security.restrictedGroups).toEqual([
      {
        group: { sid: 'S-1-5-32-544', name: 'BUILTIN\\Administrators' },
        members: [
          { sid: 'S-1-5-21-1-2-3-512', name: 'CORP\\Domain Admins' },
          { sid: null, name: 'Backup Operators' },
        ],
        memberOf: [],
      },
    ]);
    expect(security.systemServices).toEqual([
      { name: 'Spooler', startupMode: 'Disabled', sddl: 'D:AR(A;;CCLCSWRPWPDTLOCRRC;;;SY)' },
    ]);
    expect(security.registryAcls).toEqual([
      { path: 'MACHINE\\SOFTWARE\\Coffer', mode: 0, sddl: 'D:PAR(A;CI;KA;;;BA)' },
    ]);
    expect(security.fileAcls).toEqual([
      { path: '%SystemRoot%\\System32\\coffer.exe', mode: 2, sddl: 'D:PAR(A;;FA;;;SY)' },
    ]);
    expect(security.eventLog).toEqual([
      { name: 'MaximumLogSize', log: 'System', value: 32768 },
      { name: 'RestrictGuestAccess', log: 'System', value: true },
    ]);
    expect(security.otherSections).toEqual([{ section: 'Strange Section', lines: ['Something=else'] }]);
  });

  it('Registry: policies named from the ADMX (state, category, elements), the rest as extra settings with every type', async () => {
    const registry = (await report()).computer.extensions.find((e) => e.kind === 'registry');
    if (registry?.kind !== 'registry') throw new Error('no registry');
    expect(registry.entries).toHaveLength(REGISTRY_ENTRIES.length);
    expect(registry.policies.map((p) => [p.name, p.state, p.category, p.supported])).toEqual([
      ['Backup target', 'Enabled', 'Coffer/Backup agent', 'Coffer 1.0 or later'],
      ['Folders to back up', 'Enabled', 'Coffer/Backup agent', 'Coffer 1.0 or later'],
      ['Run the Coffer backup agent', 'Enabled', 'Coffer/Backup agent', 'Coffer 1.0 or later'],
    ]);
    expect(registry.policies[0]!.elements).toEqual([
      { kind: 'text', id: 'Server', label: 'Backup server:', value: 'backup01.coffer.test' },
      { kind: 'enum', id: 'Mode', label: 'Backup mode:', value: 'Incremental' },
      { kind: 'text', id: 'LogFolder', label: 'Log folder:', value: '%ProgramData%\\Coffer' },
    ]);
    expect(registry.policies[1]!.elements).toEqual([
      { kind: 'list', id: 'PathList', label: 'Folders:', value: ['D:\\Projects', '\\\\files\\Finanzen – 2025'] },
    ]);
    expect(registry.extra.map((e) => [e.valueName, e.typeName, e.data])).toEqual([
      ['Multi', 'REG_MULTI_SZ', ['a', 'b']],
      ['Big', 'REG_QWORD', '18446744073709551615'],
      ['Blob', 'REG_BINARY', '00ff10'],
      ['**del.Gone', 'REG_SZ', ' '],
    ]);
    // Without the ADMX every record is an extra setting (GPMC's "Extra Registry Settings").
    const bare = (await report(baseFiles(), false)).computer.extensions.find((e) => e.kind === 'registry');
    expect(bare?.kind === 'registry' && bare.extra.length).toBe(REGISTRY_ENTRIES.length);
  });

  it('Registry.pol: encode/decode round trip of every type', () => {
    const decoded = decodeRegistryPol(encodeRegistryPol(REGISTRY_ENTRIES));
    expect(decoded.map(({ key, valueName, type, data }) => ({ key, valueName, type, data }))).toEqual(REGISTRY_ENTRIES);
  });

  it('Audit, Scripts, Folder Redirection, Preferences with item-level targeting and collections', async () => {
    const r = await report();
    const audit = r.computer.extensions.find((e) => e.kind === 'audit');
    expect(
      audit?.kind === 'audit' && audit.settings.map((s) => [s.subcategoryName, s.settingValue, s.inclusionSetting]),
    ).toEqual([
      ['Audit Logon', 3, 'Success and Failure'],
      ['Audit "Quoted", Name', 2, 'Failure'],
    ]);
    const scripts = r.computer.extensions.find((e) => e.kind === 'scripts');
    if (scripts?.kind !== 'scripts') throw new Error('no scripts');
    expect(scripts.scripts).toEqual([
      { type: 'Shutdown', command: 'stop.ps1', parameters: '-Force', order: 0, powerShell: true },
      { type: 'Startup', command: 'start.cmd', parameters: '/quiet', order: 0, powerShell: false },
      { type: 'Startup', command: '\\\\srv\\s\\two.cmd', parameters: '', order: 1, powerShell: false },
    ]);
    expect(scripts.powerShellOrder).toEqual({ start: true });
    expect(scripts.files).toContain('Machine/Scripts/Startup/start.cmd');
    const fr = r.user.extensions[0]!;
    expect(fr.kind === 'folderRedirection' && fr.folders).toEqual([
      {
        folder: 'Documents',
        status: 11,
        targets: [
          { group: { sid: 'S-1-1-0', name: 'Everyone' }, path: '\\\\files\\home\\%USERNAME%\\Documents' },
          { group: { sid: 'S-1-5-21-1-2-3-1108', name: null }, path: '\\\\files\\staff\\%USERNAME%' },
        ],
      },
      { folder: 'Desktop', status: 8, targets: [] },
    ]);
    const drives = r.user.extensions[1]!;
    if (drives.kind !== 'preferences') throw new Error('no drives');
    const drive = drives.items[0]!;
    expect([drive.tag, drive.name, drive.action, drive.order, drive.attributes.bypassErrors]).toEqual([
      'Drive',
      'H:',
      'U',
      1,
      '1',
    ]);
    expect(drive.properties.path).toBe('\\\\files\\home & <more>');
    expect(drive.filters.map((f) => f.name)).toEqual(['FilterGroup', 'FilterCollection']);
    expect(drive.filters[1]!.children[0]!.attributes.version).toBe('WIN10');
    const registryPrefs = r.computer.extensions.find((e) => e.kind === 'preferences');
    if (registryPrefs?.kind !== 'preferences') throw new Error('no registry preferences');
    expect(registryPrefs.items[0]!.tag).toBe('Collection');
    expect(registryPrefs.items[0]!.items?.[0]?.properties.value).toBe('00000005');
  });

  it('Folder Redirection version one (fdeploy1.ini, MS-GPFR): known-folder GUIDs, hex flags, full paths and parent folders; it supersedes fdeploy.ini', async () => {
    const fdeploy1 = utf16(
      '[version]\nversion=100\n[Folder_Redirection]\n{FDD39AD0-238F-46AF-ADB4-6C85480369C7}=S-1-1-0;\n{33E28130-4E1E-4676-835A-98395C3BC3BB}=S-1-1-0;\n' +
        '[{FDD39AD0-238F-46AF-ADB4-6C85480369C7}_S-1-1-0]\nFlags=1231\nFullPath=\\\\files\\home\\%USERNAME%\\Documents\n' +
        '[{33E28130-4E1E-4676-835A-98395C3BC3BB}_S-1-1-0]\nFlags=2\nParentFolder={FDD39AD0-238F-46AF-ADB4-6C85480369C7}\nRelativePath=Pictures\n',
    );
    const r = await report({ ...baseFiles(), 'User/Documents & Settings/fdeploy1.ini': fdeploy1 });
    const fr = r.user.extensions[0]!;
    if (fr.kind !== 'folderRedirection') throw new Error('no folder redirection');
    expect(fr.files).toEqual(['User/Documents & Settings/fdeploy1.ini']);
    expect(fr.folders).toEqual([
      {
        folder: 'Documents',
        folderId: '{FDD39AD0-238F-46AF-ADB4-6C85480369C7}',
        status: 0x1231,
        targets: [
          {
            group: { sid: 'S-1-1-0', name: 'Everyone' },
            path: '\\\\files\\home\\%USERNAME%\\Documents',
            flags: 0x1231,
          },
        ],
      },
      {
        folder: 'Pictures',
        folderId: '{33E28130-4E1E-4676-835A-98395C3BC3BB}',
        status: 2,
        targets: [
          {
            group: { sid: 'S-1-1-0', name: 'Everyone' },
            path: '',
            flags: 2,
            parentFolder: 'Documents',
            relativePath: 'Pictures',
          },
        ],
      },
    ]);
  });

  it('renders <ExtensionData> in GPMC namespaces, numbered across sides, that gpreport.xml carries and the safe parser reads back', async () => {
    const r = await report();
    const xml = renderGpreportSettingsXml(r);
    expect(xml.computer).toContain(
      '<Extension xmlns:q1="http://www.microsoft.com/GroupPolicy/Settings/Security" xsi:type="q1:SecuritySettings">',
    );
    expect(xml.computer).toContain(
      '<Extension xmlns:q2="http://www.microsoft.com/GroupPolicy/Settings/Auditing" xsi:type="q2:AuditSettings">',
    );
    expect(xml.computer).toContain('<q3:Name>Backup target</q3:Name>');
    expect(xml.computer).toContain('<q3:KeyPath>Software\\Policies\\Other</q3:KeyPath>');
    expect(xml.user).toContain('xmlns:q8="http://www.microsoft.com/GroupPolicy/Settings/FolderRedirection"');
    expect(xml.user).toContain(
      '<q9:Properties action="U" thisDrive="NOCHANGE" allDrives="NOCHANGE" userName="" path="\\\\files\\home &amp; &lt;more&gt;"',
    );
    expect(xml.user).toContain('<q9:FilterGroup bool="AND" not="0" name="CORP\\Staff"');
    const file = renderGpReportXml(fixtureModel(), { ...fixtureFacts(), extensionData: xml });
    const root = parseXmlDocumentForTests(file);
    const computer = root.children.find((c) => c.name === 'Computer')!;
    expect(
      computer.children
        .filter((c) => c.name === 'ExtensionData')
        .map((c) => c.children.find((n) => n.name === 'Name')?.text),
    ).toEqual([
      'Security',
      'Advanced Audit Configuration',
      'Registry',
      'Scripts',
      'Windows Registry',
      'Software Installation',
      'Files no extension claims',
    ]);
  });
});

describe('hostile or damaged input ends as coded issues, not a crash', () => {
  it('a truncated Registry.pol, a wrong header and a size past the end: SETTINGS_FILE_MALFORMED with the offset; the other files still decode', async () => {
    const whole = encodeRegistryPol(REGISTRY_ENTRIES);
    for (const bytes of [
      whole.subarray(0, whole.length - 7),
      Buffer.from('PReg\x02\0\0\0'),
      Buffer.from('XXXX\x01\0\0\0'),
    ]) {
      const r = await report({ ...baseFiles(), 'Machine/Registry.pol': bytes });
      expect(r.issues).toHaveLength(1);
      expect(r.issues[0]).toMatchObject({ code: 'SETTINGS_FILE_MALFORMED', file: 'Machine/Registry.pol' });
      expect(r.computer.extensions.some((e) => e.kind === 'registry')).toBe(false);
      expect(r.computer.extensions.some((e) => e.kind === 'security')).toBe(true);
      // The undecodable file is still listed, under its extension's name.
      expect(r.computer.extensions.find((e) => e.kind === 'other' && e.name === 'Registry')).toEqual({
        kind: 'other',
        name: 'Registry',
        guid: '{35378EAC-683F-11D2-A89A-00C04FBBCFA2}',
        files: ['Machine/Registry.pol'],
      });
    }
    const huge = Buffer.concat([
      Buffer.from('PReg\x01\0\0\0'),
      Buffer.from('[', 'utf16le'),
      Buffer.alloc(70_000, 0x41),
    ]);
    expect(() => decodeRegistryPol(huge)).toThrow(/name longer than the registry allows|without its terminating NUL/);
    const sizeLie = Buffer.concat([
      Buffer.from('PReg\x01\0\0\0'),
      Buffer.from('[k\0;v\0;', 'utf16le'),
      Buffer.from([4, 0, 0, 0]),
      Buffer.from(';', 'utf16le'),
      Buffer.from([0xff, 0xff, 0xff, 0x7f]),
      Buffer.from(';', 'utf16le'),
    ]);
    expect(() => decodeRegistryPol(sizeLie)).toThrow(/running past the end/);
  });

  it('malformed INI values: GptTmpl.inf, scripts.ini, fdeploy1.ini, audit.csv each become an issue naming the line', async () => {
    const r = await report({
      ...baseFiles(),
      'Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf': utf16('[System Access]\nMinimumPasswordLength = fourteen\n'),
      'Machine/Scripts/scripts.ini': Buffer.from('[Startup]\r\nnonsense line\r\n'),
      'User/Documents & Settings/fdeploy.ini': Buffer.from('[FolderStatus]\r\nDocuments=abc\r\n'),
      'Machine/Microsoft/Windows NT/Audit/audit.csv': Buffer.from('no,header,here\r\n1,2,3\r\n'),
    });
    expect(r.issues.map((i) => [i.code, i.file])).toEqual(
      expect.arrayContaining([
        ['SETTINGS_FILE_MALFORMED', 'Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf'],
        ['SETTINGS_FILE_MALFORMED', 'Machine/Microsoft/Windows NT/Audit/audit.csv'],
        ['SETTINGS_FILE_MALFORMED', 'Machine/Scripts/scripts.ini'],
        ['SETTINGS_FILE_MALFORMED', 'User/Documents & Settings/fdeploy.ini'],
      ]),
    );
    expect(r.issues.find((i) => i.file.endsWith('GptTmpl.inf'))?.message).toMatch(
      /line 2: MinimumPasswordLength = fourteen is not a number/,
    );
  });

  it('GPP XML with a DOCTYPE (billion laughs) is refused before parsing: XML_DOCTYPE_REFUSED; broken XML is GPMC_FILE_MALFORMED', async () => {
    const r = await report({
      ...baseFiles(),
      'User/Preferences/Drives/Drives.xml': Buffer.from(
        `<?xml version="1.0"?>${BILLION_LAUGHS_DOCTYPE}<Drives clsid="x">&lol9;</Drives>`,
      ),
      'Machine/Preferences/Registry/Registry.xml': Buffer.from('<RegistrySettings clsid="x"><Registry'),
    });
    expect(r.issues.map((i) => [i.code, i.file]).sort()).toEqual([
      ['GPMC_FILE_MALFORMED', 'Machine/Preferences/Registry/Registry.xml'],
      ['XML_DOCTYPE_REFUSED', 'User/Preferences/Drives/Drives.xml'],
    ]);
    expect(r.user.extensions.map((e) => `${e.kind}:${e.name}`)).toEqual([
      'folderRedirection:Folder Redirection',
      'other:Drive Maps',
    ]);
    expect(r.user.extensions[1]).toMatchObject({
      guid: '{5794DAFD-BE60-433F-88A2-1A31939AC01F}',
      files: ['User/Preferences/Drives/Drives.xml'],
    });
  });

  it('an ADMX with a DOCTYPE or broken XML is an issue; the other ADMX files still name their policies', async () => {
    const catalog = buildAdmxCatalog([
      {
        file: 'evil.admx',
        admx: Buffer.from(`<?xml version="1.0"?>${BILLION_LAUGHS_DOCTYPE}<policyDefinitions/>`),
        adml: null,
      },
      { file: 'broken.admx', admx: Buffer.from('<policyDefinitions><policies>'), adml: null },
      { file: 'coffer.admx', admx: Buffer.from(ADMX), adml: Buffer.from(ADML) },
    ]);
    expect(catalog.issues.map((i) => [i.code, i.file])).toEqual([
      ['XML_DOCTYPE_REFUSED', 'evil.admx'],
      ['GPMC_FILE_MALFORMED', 'broken.admx'],
    ]);
    expect(catalog.policies.map((p) => p.displayName)).toEqual([
      'Run the Coffer backup agent',
      'Backup target',
      'Folders to back up',
    ]);
  });

  it('--admx-dir: a central store copy is read with its en-US ADML; an oversized ADMX is skipped unread (BACKUP_FILE_TOO_LARGE); a missing folder names nothing', async () => {
    const store = await tempDir('gpmc-admx-');
    await mkdir(join(store, 'en-US'));
    await writeFile(join(store, 'coffer.admx'), ADMX);
    await writeFile(join(store, 'en-US', 'coffer.adml'), ADML);
    await writeFile(join(store, 'huge.admx'), '');
    await truncate(join(store, 'huge.admx'), 17 * 1024 * 1024); // sparse: costs no disk
    const catalog = await loadAdmxDirectory(store);
    expect(catalog.issues.map((i) => [i.code, i.file])).toEqual([['BACKUP_FILE_TOO_LARGE', 'huge.admx']]);
    const r = await buildSettingsReport(gptSourceFromFiles(baseFiles()), { admxDir: store });
    const registry = r.computer.extensions.find((e) => e.kind === 'registry');
    expect(registry?.kind === 'registry' && registry.policies.map((p) => p.name)).toEqual([
      'Backup target',
      'Folders to back up',
      'Run the Coffer backup agent',
    ]);
    expect(r.issues.map((i) => i.code)).toEqual(['BACKUP_FILE_TOO_LARGE']);
    expect(await loadAdmxDirectory(join(store, 'missing'))).toEqual({ policies: [], issues: [] });
  });

  it("a backup folder is read through core's BackupReader: a symlink planted in the GPT is refused (BACKUP_PATH_ESCAPES)", async () => {
    const dir = await tempDir('gpmc-settings-');
    const gpt = join(dir, 'DomainSysvol', 'GPO');
    for (const [path, bytes] of Object.entries(baseFiles())) {
      await mkdir(join(gpt, ...path.split('/').slice(0, -1)), { recursive: true });
      await writeFile(join(gpt, ...path.split('/')), bytes);
    }
    const fromDisk = await buildSettingsReport(dir, { machineExtensionNames: SECURITY_CSE });
    expect(fromDisk.issues).toEqual([]);
    // The same through a reader the caller opened (restore and import have one after openTrustedBackup).
    expect(await buildSettingsReport(await BackupReader.open(dir), { machineExtensionNames: SECURITY_CSE })).toEqual(
      fromDisk,
    );
    expect(fromDisk.computer.extensions.map((e) => e.name).slice(0, 4)).toEqual([
      'Security',
      'Advanced Audit Configuration',
      'Registry',
      'Scripts',
    ]);
    await symlink('/etc/passwd', join(gpt, 'User', 'Preferences', 'Drives', 'Printers.xml'));
    await expect(buildSettingsReport(dir)).rejects.toMatchObject({ code: 'BACKUP_PATH_ESCAPES' });
  });

  it('isSettingsFile names exactly the files the decoders read', () => {
    expect(Object.keys(baseFiles()).filter(isSettingsFile)).toEqual([
      'Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf',
      'Machine/Microsoft/Windows NT/Audit/audit.csv',
      'Machine/Registry.pol',
      'Machine/Scripts/scripts.ini',
      'Machine/Scripts/psscripts.ini',
      'Machine/Preferences/Registry/Registry.xml',
      'User/Documents & Settings/fdeploy.ini',
      'User/Preferences/Drives/Drives.xml',
    ]);
  });
});
