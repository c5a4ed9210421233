import { randomUUID } from 'node:crypto';
import { ADML_FILE, ADMX_FILE, renderAdml, renderAdmx } from './content/admx.js';
import { buildBaselineGpos, type GeneratedGpo } from './content/baseline-gpos.js';
import { EXTENSIONS, extensionNames } from './content/extensions.js';
import { encodeRegistryPol, REG_DWORD, REG_SZ, type RegistryPolEntry } from './content/registry-pol.js';
import { utf16WithBom, type FileContent } from './content/text.js';
import {
  renderCommentCmtx,
  renderStarterGpoTmpll,
  renderStarterGpoTmplx,
  type StarterGpoDescription,
} from './starter-gpo-files.js';

export const APPLY_GROUP_POLICY_RIGHT = 'edacfd8f-ffb3-11d1-b41d-00a0c968f939';
export const MACHINE_REGISTRY_EXTENSIONS = extensionNames([EXTENSIONS.registryMachine]);
export const USER_REGISTRY_EXTENSIONS = extensionNames([EXTENSIONS.registryUser]);
export const UNICODE_SCRIPT_NAME = 'ünï cödé ✓.cmd';

/** A file to create inside a GPT or starter GPO folder (relative `/` path). */
export interface PlannedFile {
  path: string;
  /** Bytes, or a function of the domain's SIDs for files that name seeded groups (rendered once they exist). */
  content: FileContent;
}

export interface PlannedGpo {
  guid: string;
  displayName: string;
  flags: number;
  userAdVersion: number;
  machineAdVersion: number;
  userSysvolVersion: number;
  machineSysvolVersion: number;
  machineExtensionNames: string | null;
  userExtensionNames: string | null;
  files: PlannedFile[];
  purpose: string;
  /** What the GPT holds, `<side>:<kind>` (`machine:registry-pol`, `user:gpp-drives`, ...), sorted. */
  contentKinds: string[];
  wmiFilterGuid: string | null;
  securityFiltered: boolean;
}

export interface PlannedLink {
  gpoGuid: string;
  options: number;
}

export interface PlannedContainer {
  dn: string;
  kind: 'domain' | 'ou' | 'site';
  /** Links written after any that exist already, left to right. */
  links: PlannedLink[];
  blockInheritance: boolean;
  /** OUs are created by the seed; the domain head and the site exist. */
  create: boolean;
  name: string;
}

export interface PlannedWmiFilter {
  guid: string;
  name: string;
  description: string;
  queries: Array<{ namespace: string; query: string }>;
  parm2: string;
}

export interface PlannedStarterGpo extends StarterGpoDescription {
  files: PlannedFile[];
  localizedLanguages: string[];
}

export interface PlannedGroup {
  name: string;
  samAccountName: string;
  dn: string;
  role: 'apply' | 'deny';
}

export interface SeedPlan {
  baseDn: string;
  dnsDomain: string;
  gpos: PlannedGpo[];
  containers: PlannedContainer[];
  groups: PlannedGroup[];
  wmiFilters: PlannedWmiFilter[];
  starterGpos: PlannedStarterGpo[];
  extraGpoCount: number;
  unicodeScriptGpoGuid: string;
  /** The central store's files, relative to `Policies/PolicyDefinitions`. */
  policyDefinitions: PlannedFile[];
}

export function newGuid(): string {
  return `{${randomUUID().toUpperCase()}}`;
}

export function gpoDn(guid: string, baseDn: string): string {
  return `CN=${guid},CN=Policies,CN=System,${baseDn}`;
}

/** gPLink entries as GPMC writes them: lower-case `cn=` prefix on the GPO DN. */
export function gpLinkEntry(guid: string, baseDn: string, options: number): string {
  return `[LDAP://cn=${guid},cn=policies,cn=system,${baseDn};${options}]`;
}

/** msWMI-Parm2: `<count>;` then per query `3;10;<length>;WQL;<namespace>;<query>;`. */
export function encodeWmiParm2(queries: ReadonlyArray<{ namespace: string; query: string }>): string {
  return `${queries.length};${queries.map((q) => `3;10;${q.query.length};WQL;${q.namespace};${q.query};`).join('')}`;
}

export function gptIniContent(version: number, displayName = 'New Group Policy Object'): Buffer {
  return Buffer.from(`[General]\r\nVersion=${version}\r\ndisplayName=${displayName}\r\n`, 'utf8');
}

function pol(entries: RegistryPolEntry[]): Buffer {
  return encodeRegistryPol(entries);
}

function generatedGpo(partial: Partial<PlannedGpo> & Pick<PlannedGpo, 'displayName' | 'purpose'>): PlannedGpo {
  return {
    guid: newGuid(),
    flags: 0,
    userAdVersion: 0,
    machineAdVersion: 0,
    userSysvolVersion: 0,
    machineSysvolVersion: 0,
    machineExtensionNames: null,
    userExtensionNames: null,
    files: [],
    wmiFilterGuid: null,
    securityFiltered: false,
    ...partial,
    contentKinds: partial.contentKinds ?? kindsOf(partial.files ?? []),
  };
}

function withVersions(gpo: PlannedGpo, machine: number, user: number): PlannedGpo {
  return {
    ...gpo,
    machineAdVersion: machine,
    machineSysvolVersion: machine,
    userAdVersion: user,
    userSysvolVersion: user,
  };
}

function fromGenerated(generated: GeneratedGpo): PlannedGpo {
  const {
    displayName,
    purpose,
    flags,
    machineAdVersion,
    machineSysvolVersion,
    userAdVersion,
    userSysvolVersion,
    machineExtensionNames,
    userExtensionNames,
    contentKinds,
  } = generated;
  return generatedGpo({
    displayName,
    purpose,
    flags,
    machineAdVersion,
    machineSysvolVersion,
    userAdVersion,
    userSysvolVersion,
    machineExtensionNames,
    userExtensionNames,
    contentKinds,
    files: generated.files.map(({ path, content }) => ({ path, content })),
  });
}

/** Kinds of a GPO's files from their paths, for the small GPOs whose files are written here directly. */
function kindsOf(files: readonly PlannedFile[]): string[] {
  const kind = (path: string) => {
    const side = path.startsWith('User/') ? 'user' : 'machine';
    if (/\/registry\.pol$/i.test(path)) return `${side}:registry-pol`;
    if (/\/scripts\.ini$/i.test(path)) return `${side}:scripts`;
    return `${side}:script`;
  };
  return [...new Set(files.map((f) => kind(f.path)))].sort();
}

export interface SeedPlanInput {
  baseDn: string;
  dnsDomain: string;
  extraGpos: number;
}

/** Decides everything the seed writes; pure, so the summary and the writes come from the same data. */
export function buildSeedPlan({ baseDn, dnsDomain, extraGpos }: SeedPlanInput): SeedPlan {
  // Generated stand-ins for real-world GPOs: every common client-side extension, both halves, flags 1 and 2,
  // AD and SYSVOL versions that differ, and the links the old corpus GPOs had.
  const baseline = buildBaselineGpos();
  const workstationBaseline = fromGenerated(baseline.workstation);
  const userLockdown = fromGenerated(baseline.lockdown);
  const legacyUser = fromGenerated(baseline.legacy);
  const driveMappings = fromGenerated(baseline.drives);
  const serverHardening = fromGenerated(baseline.server);
  const baselineGpos = [workstationBaseline, userLockdown, legacyUser, driveMappings, serverHardening];

  const wmiFilter: PlannedWmiFilter = (() => {
    const queries = [
      {
        namespace: 'root\\CIMv2',
        query: 'SELECT * FROM Win32_SystemEnclosure WHERE ChassisTypes = 9 OR ChassisTypes = 10',
      },
      { namespace: 'root\\CIMv2', query: "SELECT * FROM Win32_OperatingSystem WHERE ProductType = '1'" },
    ];
    return {
      guid: newGuid(),
      name: 'Laptops (portable chassis, client OS)',
      description: 'Portable chassis on a client operating system',
      queries,
      parm2: encodeWmiParm2(queries),
    };
  })();

  const unicodeName = withVersions(
    generatedGpo({
      // Wider on a terminal than its UTF-16 length (CJK and an emoji take two columns): tables must measure it.
      displayName: 'Räume – 東京 ✓ 🚀',
      purpose: 'unicode-name',
      machineExtensionNames: MACHINE_REGISTRY_EXTENSIONS,
      files: [
        {
          path: 'Machine/registry.pol',
          content: pol([
            {
              key: 'Software\\Policies\\Coffer\\Räume',
              valueName: 'Standort',
              type: REG_SZ,
              data: '東京 – Zentrale ✓',
            },
          ]),
        },
      ],
    }),
    1,
    0,
  );
  const cdataTerminator = withVersions(
    generatedGpo({
      displayName: 'Legacy ]]> Settings & <Quirks>',
      purpose: 'cdata-terminator',
      userExtensionNames: USER_REGISTRY_EXTENSIONS,
      files: [
        {
          path: 'User/registry.pol',
          content: pol([{ key: 'Software\\Policies\\Coffer\\Legacy', valueName: 'Marker', type: REG_SZ, data: ']]>' }]),
        },
      ],
    }),
    0,
    1,
  );
  const allDisabled = withVersions(
    generatedGpo({
      displayName: 'All Settings Disabled',
      purpose: 'all-disabled',
      flags: 3,
      machineExtensionNames: MACHINE_REGISTRY_EXTENSIONS,
      userExtensionNames: USER_REGISTRY_EXTENSIONS,
      files: [
        {
          path: 'Machine/registry.pol',
          content: pol([
            { key: 'Software\\Policies\\Coffer\\Disabled', valueName: 'Machine', type: REG_DWORD, data: 1 },
          ]),
        },
        {
          path: 'User/registry.pol',
          content: pol([{ key: 'Software\\Policies\\Coffer\\Disabled', valueName: 'User', type: REG_DWORD, data: 1 }]),
        },
      ],
    }),
    2,
    2,
  );
  const securityFiltered = withVersions(
    generatedGpo({
      displayName: 'Finance – Security Filtered',
      purpose: 'security-filtering',
      securityFiltered: true,
      machineExtensionNames: MACHINE_REGISTRY_EXTENSIONS,
      files: [
        {
          path: 'Machine/registry.pol',
          content: pol([
            { key: 'Software\\Policies\\Coffer\\Finance', valueName: 'LedgerLock', type: REG_DWORD, data: 1 },
          ]),
        },
      ],
    }),
    1,
    0,
  );
  const wmiFiltered = withVersions(
    generatedGpo({
      displayName: 'Laptops Only (WMI filtered)',
      purpose: 'wmi-filter',
      wmiFilterGuid: wmiFilter.guid,
      machineExtensionNames: MACHINE_REGISTRY_EXTENSIONS,
      files: [
        {
          path: 'Machine/registry.pol',
          content: pol([
            {
              key: 'Software\\Policies\\Microsoft\\Power\\PowerSettings',
              valueName: 'ACSettingIndex',
              type: REG_DWORD,
              data: 0,
            },
          ]),
        },
      ],
    }),
    1,
    0,
  );
  const scripts = withVersions(
    generatedGpo({
      displayName: 'Startup Scripts ✓',
      purpose: 'unicode-file',
      machineExtensionNames: extensionNames([EXTENSIONS.scriptsMachine]),
      files: [
        {
          path: `Machine/Scripts/Startup/${UNICODE_SCRIPT_NAME}`,
          content: Buffer.from(
            '@echo off\r\nrem Coffer seed: a startup script with a Unicode name\r\necho ünï cödé ✓\r\n',
            'utf8',
          ),
        },
        { path: 'Machine/Scripts/Shutdown/Empty Folder Marker.txt', content: Buffer.alloc(0) },
        {
          path: 'Machine/Scripts/scripts.ini',
          content: utf16WithBom(`\r\n[Startup]\r\n0CmdLine=${UNICODE_SCRIPT_NAME}\r\n0Parameters=\r\n`),
        },
      ],
    }),
    1,
    0,
  );

  const extra: PlannedGpo[] = [];
  for (let i = 1; i <= extraGpos; i++) {
    const n = String(i).padStart(4, '0');
    extra.push(
      withVersions(
        generatedGpo({
          displayName: `Bench GPO ${n}`,
          purpose: 'bench',
          machineExtensionNames: MACHINE_REGISTRY_EXTENSIONS,
          files: [
            {
              path: 'Machine/registry.pol',
              content: pol([
                { key: `Software\\Policies\\Coffer\\Bench\\${n}`, valueName: 'Enabled', type: REG_DWORD, data: 1 },
                {
                  key: `Software\\Policies\\Coffer\\Bench\\${n}`,
                  valueName: 'Label',
                  type: REG_SZ,
                  data: `Bench ${n}`,
                },
                { key: `Software\\Policies\\Coffer\\Bench\\${n}`, valueName: 'Threshold', type: REG_DWORD, data: i },
              ]),
            },
          ],
        }),
        1,
        0,
      ),
    );
  }

  const gpos = [
    ...baselineGpos,
    unicodeName,
    cdataTerminator,
    allDisabled,
    securityFiltered,
    wmiFiltered,
    scripts,
    ...extra,
  ];
  const link = (gpo: PlannedGpo, options = 0): PlannedLink[] => [{ gpoGuid: gpo.guid, options }];

  const lab = `OU=Coffer Lab,${baseDn}`;
  const workstations = `OU=Workstations,${lab}`;
  const containers: PlannedContainer[] = [
    {
      dn: baseDn,
      kind: 'domain',
      name: dnsDomain,
      create: false,
      blockInheritance: false,
      links: link(unicodeName, 2),
    },
    {
      dn: `CN=Default-First-Site-Name,CN=Sites,CN=Configuration,${baseDn}`,
      kind: 'site',
      name: 'Default-First-Site-Name',
      create: false,
      blockInheritance: false,
      links: link(cdataTerminator),
    },
    {
      dn: lab,
      kind: 'ou',
      name: 'Coffer Lab',
      create: true,
      blockInheritance: false,
      links: [...link(driveMappings), ...link(unicodeName)],
    },
    {
      dn: workstations,
      kind: 'ou',
      name: 'Workstations',
      create: true,
      blockInheritance: false,
      links: [...link(workstationBaseline, 2), ...link(userLockdown), ...link(legacyUser, 1), ...link(wmiFiltered)],
    },
    {
      dn: `OU=Kiosks,${workstations}`,
      kind: 'ou',
      name: 'Kiosks',
      create: true,
      blockInheritance: true,
      links: [...link(allDisabled), ...link(scripts, 3)],
    },
    {
      dn: `OU=Servers,${lab}`,
      kind: 'ou',
      name: 'Servers',
      create: true,
      blockInheritance: false,
      links: [...link(serverHardening), ...link(securityFiltered)],
    },
    {
      dn: `OU=Büro Zürich,${lab}`,
      kind: 'ou',
      name: 'Büro Zürich',
      create: true,
      blockInheritance: false,
      links: link(cdataTerminator, 1),
    },
  ];
  if (extra.length > 0) {
    containers.push({
      dn: `OU=Bench,${baseDn}`,
      kind: 'ou',
      name: 'Bench',
      create: true,
      blockInheritance: false,
      links: extra.map((g) => ({ gpoGuid: g.guid, options: 0 })),
    });
  }

  const groups: PlannedGroup[] = [
    { name: 'Finance Users', samAccountName: 'Finance-Users', dn: `CN=Finance Users,${lab}`, role: 'apply' },
    { name: 'Contractors', samAccountName: 'Contractors', dn: `CN=Contractors,${lab}`, role: 'deny' },
  ];

  return {
    baseDn,
    dnsDomain,
    gpos,
    containers,
    groups,
    wmiFilters: [wmiFilter],
    starterGpos: buildStarterGpos(),
    extraGpoCount: extra.length,
    unicodeScriptGpoGuid: scripts.guid,
    policyDefinitions: [
      { path: ADMX_FILE, content: renderAdmx() },
      { path: ADML_FILE, content: renderAdml() },
    ],
  };
}

function buildStarterGpos(): PlannedStarterGpo[] {
  const system: StarterGpoDescription = {
    guid: newGuid(),
    displayName: 'Windows Client Baseline – Computer',
    description: 'Computer settings recommended for managed Windows clients.',
    author: 'Microsoft Corporation',
    product: 'Microsoft Windows',
    type: 0,
    computerVersion: 1,
    userVersion: 0,
    starterGpoVersion: '1.0',
    creationTime: '2024-03-14T09:26:53',
    modifiedTime: '2024-03-14T09:26:53',
  };
  const custom: StarterGpoDescription = {
    guid: newGuid(),
    displayName: 'Kiosk-Sperre ✓ – Ünïcödé 東京',
    description: 'Locks kiosk machines and their users down (custom starter GPO with both sides).',
    author: 'COFFER\\Administrator',
    product: '',
    type: 1,
    computerVersion: 2,
    userVersion: 1,
    starterGpoVersion: '1.0',
    creationTime: '2025-01-07T16:02:11',
    modifiedTime: '2025-02-19T08:45:30',
  };
  const browser: StarterGpoDescription = {
    guid: newGuid(),
    displayName: 'Browser Defaults',
    description: 'User-side browser defaults.',
    author: 'COFFER\\Administrator',
    product: '',
    type: 1,
    computerVersion: 0,
    userVersion: 1,
    starterGpoVersion: '1.0',
    creationTime: '2025-05-02T11:30:00',
    modifiedTime: '2025-05-02T11:30:00',
  };
  return [
    {
      ...system,
      localizedLanguages: ['en-US'],
      files: [
        { path: 'StarterGPO.tmplx', content: Buffer.from(renderStarterGpoTmplx(system), 'utf8') },
        {
          path: 'en-US/StarterGPO.tmpll',
          content: Buffer.from(renderStarterGpoTmpll('en-US', system.displayName, system.description), 'utf8'),
        },
        {
          path: 'Machine/registry.pol',
          content: pol([
            {
              key: 'Software\\Policies\\Microsoft\\Windows\\System',
              valueName: 'DisableLockScreenAppNotifications',
              type: REG_DWORD,
              data: 1,
            },
          ]),
        },
        {
          path: 'Machine/comment.cmtx',
          content: Buffer.from(
            renderCommentCmtx('Microsoft.Policies.WindowsLogon', 'DisableLockScreenAppNotifications', 'Baseline'),
            'utf8',
          ),
        },
      ],
    },
    {
      ...custom,
      localizedLanguages: [],
      files: [
        { path: 'StarterGPO.tmplx', content: Buffer.from(renderStarterGpoTmplx(custom), 'utf8') },
        {
          path: 'Machine/registry.pol',
          content: pol([
            {
              key: 'Software\\Policies\\Microsoft\\Windows\\Explorer',
              valueName: 'NoUseStoreOpenWith',
              type: REG_DWORD,
              data: 1,
            },
            { key: 'Software\\Policies\\Coffer\\Kiosk', valueName: 'Standort', type: REG_SZ, data: 'Zürich – 東京' },
          ]),
        },
        {
          path: 'Machine/comment.cmtx',
          content: Buffer.from(
            renderCommentCmtx('Microsoft.Policies.WindowsExplorer', 'NoUseStoreOpenWith', 'Kiosk: no store ✓'),
            'utf8',
          ),
        },
        {
          path: 'User/registry.pol',
          content: pol([
            {
              key: 'Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer',
              valueName: 'NoRun',
              type: REG_DWORD,
              data: 1,
            },
          ]),
        },
        {
          path: 'User/comment.cmtx',
          content: Buffer.from(
            renderCommentCmtx('Microsoft.Policies.StartMenu', 'NoRun', 'Kiosk users never see Run'),
            'utf8',
          ),
        },
      ],
    },
    {
      ...browser,
      localizedLanguages: [],
      files: [
        { path: 'StarterGPO.tmplx', content: Buffer.from(renderStarterGpoTmplx(browser), 'utf8') },
        {
          path: 'User/registry.pol',
          content: pol([
            {
              key: 'Software\\Policies\\Microsoft\\Edge',
              valueName: 'HomepageLocation',
              type: REG_SZ,
              data: 'https://intranet.coffer.test/',
            },
          ]),
        },
      ],
    },
  ];
}

/** Security descriptor of the security-filtered GPO: the default GPO DACL minus Authenticated Users' apply, plus a grant and a deny. */
export function securityFilteredSddl(grantSid: string, denySid: string): string {
  const full = 'RPWPCCDCLCLORCWOWDSDDTSW';
  return (
    'O:DAG:DAD:P' +
    `(OD;CI;CR;${APPLY_GROUP_POLICY_RIGHT};;${denySid})` +
    `(A;CI;${full};;;DA)(A;CI;${full};;;EA)(A;CIIO;${full};;;CO)(A;CI;${full};;;SY)` +
    '(A;CI;RPLCLORC;;;AU)(A;CI;RPLCLORC;;;ED)' +
    `(A;CI;RPLCLORC;;;${grantSid})(OA;CI;CR;${APPLY_GROUP_POLICY_RIGHT};;${grantSid})` +
    `(A;CI;RPLCLORC;;;${denySid})`
  );
}
