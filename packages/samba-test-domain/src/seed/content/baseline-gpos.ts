import { renderCommentCmtx } from '../starter-gpo-files.js';
import { ADMX_NAMESPACE } from './admx.js';
import { renderAuditCsv } from './audit-csv.js';
import { EXTENSIONS, extensionNames, type ExtensionPair } from './extensions.js';
import { securityTemplate } from './gpttmpl-inf.js';
import {
  filterGroup,
  filterOs,
  gppPath,
  GPP_TYPES,
  renderGppFile,
  taskDefinition,
  type GppItem,
  type GppKind,
} from './gpp.js';
import { renderFdeploy1Ini, renderScriptsIni } from './ini-files.js';
import { encodeRegistryPol, type RegistryPolEntry } from './registry-pol.js';
import * as settings from './registry-settings.js';
import { groupSid, type FileContent } from './text.js';

/** One generated GPT file and what it is, so the GPO's extension names follow from its content. */
export interface GeneratedFile {
  path: string;
  content: FileContent;
  /** e.g. `machine:registry-pol`, `user:gpp-drives`; several files may share one (a script and its ini). */
  kind: string;
  extension: ExtensionPair | null;
}

export interface GeneratedGpo {
  displayName: string;
  purpose: string;
  /** 0 enabled, 1 user half disabled, 2 computer half disabled. */
  flags: number;
  machineAdVersion: number;
  machineSysvolVersion: number;
  userAdVersion: number;
  userSysvolVersion: number;
  files: GeneratedFile[];
  machineExtensionNames: string | null;
  userExtensionNames: string | null;
  contentKinds: string[];
}

/** sAMAccountName of the seed group the generated files name (restricted groups, targeting, drive filters). */
export const OPERATORS_GROUP = 'Finance-Users';

type Side = 'Machine' | 'User';
const sideKind = (side: Side, kind: string) => `${side.toLowerCase()}:${kind}`;

function registryPol(side: Side, entries: RegistryPolEntry[]): GeneratedFile {
  return {
    path: `${side}/Registry.pol`,
    content: encodeRegistryPol(entries),
    kind: sideKind(side, 'registry-pol'),
    extension: side === 'Machine' ? EXTENSIONS.registryMachine : EXTENSIONS.registryUser,
  };
}

function gppFile(side: Side, kind: GppKind, content: FileContent): GeneratedFile {
  return {
    path: gppPath(side, kind),
    content,
    kind: sideKind(side, `gpp-${GPP_TYPES[kind].folder.toLowerCase()}`),
    extension: GPP_TYPES[kind].extension,
  };
}

function gpp(side: Side, kind: GppKind, items: GppItem[]): GeneratedFile {
  return gppFile(side, kind, renderGppFile(kind, items));
}

/** Items that name seeded groups (members, targeting): rendered once the groups have SIDs. */
function gppWithSids(
  side: Side,
  kind: GppKind,
  items: (sid: (group: string) => string, netbios: string) => GppItem[],
): GeneratedFile {
  return gppFile(side, kind, (context) =>
    renderGppFile(
      kind,
      items((group) => groupSid(context, group), context.netbiosDomain),
    ),
  );
}

function comment(side: Side, policyRef: string, text: string): GeneratedFile {
  return {
    path: `${side}/comment.cmtx`,
    content: Buffer.from(renderCommentCmtx(ADMX_NAMESPACE, policyRef, text), 'utf8'),
    kind: sideKind(side, 'comment-cmtx'),
    extension: null,
  };
}

function script(side: Side, event: string, name: string, text: string): GeneratedFile {
  return {
    path: `${side}/Scripts/${event}/${name}`,
    content: Buffer.from(text.replace(/\n/g, '\r\n'), 'utf8'),
    kind: sideKind(side, 'script'),
    extension: null,
  };
}

function finish(
  gpo: Omit<GeneratedGpo, 'machineExtensionNames' | 'userExtensionNames' | 'contentKinds'>,
): GeneratedGpo {
  const pairs = (side: Side) =>
    gpo.files.filter((f) => f.path.startsWith(`${side}/`) && f.extension).map((f) => f.extension as ExtensionPair);
  return {
    ...gpo,
    machineExtensionNames: extensionNames(pairs('Machine')),
    userExtensionNames: extensionNames(pairs('User')),
    contentKinds: [...new Set(gpo.files.map((f) => f.kind))].sort(),
  };
}

const scriptsMachine = EXTENSIONS.scriptsMachine;
const scriptsUser = EXTENSIONS.scriptsUser;

/** Replaces the corpus' DoD/NSA workstation computer baseline: computer half only in effect (flags 1). */
function workstationBaseline(): GeneratedGpo {
  return finish({
    displayName: 'Workstation Security Baseline',
    purpose: 'workstation-baseline',
    flags: 1,
    machineAdVersion: 14,
    machineSysvolVersion: 14,
    userAdVersion: 2,
    userSysvolVersion: 2,
    files: [
      registryPol('Machine', settings.workstationMachineSettings()),
      comment('Machine', 'BackupTarget', 'Retention agreed with Finance (ticket 4711) ✓'),
      {
        path: 'Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf',
        content: securityTemplate({ profile: 'workstation', operatorsGroup: OPERATORS_GROUP }),
        kind: 'machine:security-template',
        extension: EXTENSIONS.security,
      },
      {
        path: 'Machine/Microsoft/Windows NT/Audit/audit.csv',
        content: renderAuditCsv([
          ['Audit Credential Validation', 3],
          ['Audit Security Group Management', 1],
          ['Audit User Account Management', 3],
          ['Audit Account Lockout', 2],
          ['Audit Logon', 3],
          ['Audit Logoff', 1],
          ['Audit Special Logon', 1],
          ['Audit Security State Change', 1],
          ['Audit Security System Extension', 3],
          ['Audit System Integrity', 3],
          ['Audit Other System Events', 4],
        ]),
        kind: 'machine:advanced-audit',
        extension: EXTENSIONS.audit,
      },
      {
        path: 'Machine/Scripts/scripts.ini',
        content: renderScriptsIni({
          Startup: [{ cmdLine: 'set-baseline.cmd', parameters: '/quiet' }],
          Shutdown: [{ cmdLine: 'flush-logs.cmd', parameters: '' }],
        }),
        kind: 'machine:scripts',
        extension: scriptsMachine,
      },
      {
        path: 'Machine/Scripts/psscripts.ini',
        content: renderScriptsIni(
          { Startup: [{ cmdLine: 'Set-Baseline.ps1', parameters: '-Verbose' }] },
          { StartExecutePSFirst: 'true' },
        ),
        kind: 'machine:powershell-scripts',
        extension: scriptsMachine,
      },
      script(
        'Machine',
        'Startup',
        'set-baseline.cmd',
        '@echo off\nrem Coffer seed: applies the workstation baseline at startup\nauditpol /get /category:* > "%ProgramData%\\Coffer\\audit.txt"\n',
      ),
      script(
        'Machine',
        'Startup',
        'Set-Baseline.ps1',
        "param([switch]$Verbose)\n# Coffer seed: startup PowerShell script\nSet-MpPreference -PUAProtection Enabled\nWrite-Verbose 'baseline applied'\n",
      ),
      script(
        'Machine',
        'Shutdown',
        'flush-logs.cmd',
        '@echo off\nwevtutil epl Security "%ProgramData%\\Coffer\\security.evtx" /ow:true\n',
      ),
      gppWithSids('Machine', 'groups', (sid, netbios): GppItem[] => [
        {
          tag: 'Group',
          name: 'Administrators (built-in)',
          image: 2,
          properties: {
            action: 'U',
            newName: '',
            description: 'Local administrators of Coffer workstations',
            deleteAllUsers: '0',
            deleteAllGroups: '0',
            removeAccounts: '0',
            groupSid: 'S-1-5-32-544',
            groupName: 'Administrators (built-in)',
          },
          propertiesBody: `<Members><Member name="${netbios}\\${OPERATORS_GROUP}" action="ADD" sid="${sid(OPERATORS_GROUP)}"/><Member name="${netbios}\\Contractors" action="REMOVE" sid="${sid('Contractors')}"/></Members>`,
        },
        {
          tag: 'User',
          name: 'CofferService',
          image: 2,
          common: { removePolicy: '0' },
          properties: {
            action: 'U',
            newName: '',
            fullName: 'Coffer backup service',
            description: 'Local account the backup agent runs as',
            cpassword: '',
            changeLogon: '0',
            noChange: '1',
            neverExpires: '1',
            acctDisabled: '0',
            userName: 'CofferService',
          },
        },
        {
          tag: 'User',
          name: 'Administrator (built-in)',
          image: 2,
          properties: {
            action: 'U',
            newName: 'CofferAdmin',
            fullName: '',
            description: '',
            cpassword: '',
            changeLogon: '0',
            noChange: '0',
            neverExpires: '0',
            acctDisabled: '1',
            subAuthority: 'RID_ADMIN',
            userName: 'Administrator (built-in)',
          },
        },
      ]),
      gpp('Machine', 'registry', [
        {
          tag: 'Registry',
          name: 'InstallRoot',
          status: 'InstallRoot',
          image: 7,
          common: { bypassErrors: '1' },
          properties: {
            action: 'U',
            displayDecimal: '0',
            default: '0',
            hive: 'HKEY_LOCAL_MACHINE',
            key: 'SOFTWARE\\Coffer\\Agent',
            name: 'InstallRoot',
            type: 'REG_EXPAND_SZ',
            value: '%ProgramFiles%\\Coffer',
          },
        },
        {
          tag: 'Registry',
          name: 'MaxParallelJobs',
          status: 'MaxParallelJobs',
          image: 17,
          properties: {
            action: 'R',
            displayDecimal: '1',
            default: '0',
            hive: 'HKEY_LOCAL_MACHINE',
            key: 'SOFTWARE\\Coffer\\Agent',
            name: 'MaxParallelJobs',
            type: 'REG_DWORD',
            value: '00000004',
          },
        },
      ]),
      gpp('Machine', 'files', [
        {
          tag: 'File',
          name: 'coffer-agent.json',
          status: 'coffer-agent.json',
          image: 2,
          common: { bypassErrors: '1' },
          properties: {
            action: 'U',
            fromPath: '\\\\coffer.test\\NETLOGON\\Coffer\\coffer-agent.json',
            targetPath: '%ProgramData%\\Coffer\\coffer-agent.json',
            readOnly: '1',
            archive: '1',
            hidden: '0',
            suppress: '0',
          },
        },
      ]),
      gpp('Machine', 'folders', [
        {
          tag: 'Folder',
          name: 'Coffer',
          status: 'Coffer',
          image: 2,
          properties: { action: 'U', path: '%ProgramData%\\Coffer\\Logs', readOnly: '0', archive: '1', hidden: '0' },
        },
      ]),
      gpp('Machine', 'scheduledTasks', [
        {
          tag: 'TaskV2',
          name: 'Coffer nightly backup',
          image: 2,
          common: { userContext: '0', removePolicy: '0' },
          properties: { action: 'U', name: 'Coffer nightly backup', runAs: 'NT AUTHORITY\\System', logonType: 'S4U' },
          propertiesBody: taskDefinition(
            'COFFER\\Administrator',
            'Nightly backup of local data – Zürich ✓',
            'NT AUTHORITY\\System',
            '%ProgramFiles%\\Coffer\\coffer.exe',
            'backup --all --quiet',
            'daily',
          ),
          filters: filterOs('WIN10'),
        },
      ]),
      gpp('Machine', 'environment', [
        {
          tag: 'EnvironmentVariable',
          name: 'COFFER_HOME',
          status: 'COFFER_HOME = %ProgramFiles%\\Coffer',
          image: 2,
          properties: { action: 'U', name: 'COFFER_HOME', value: '%ProgramFiles%\\Coffer', user: '0', partial: '0' },
        },
      ]),
      registryPol('User', settings.workstationUserSettings()),
    ],
  });
}

/** Replaces the corpus' user STIG: user half only in effect (flags 2). */
function userDesktopLockdown(): GeneratedGpo {
  return finish({
    displayName: 'User Desktop Lockdown',
    purpose: 'user-lockdown',
    flags: 2,
    machineAdVersion: 1,
    machineSysvolVersion: 1,
    userAdVersion: 11,
    userSysvolVersion: 11,
    files: [
      registryPol('User', settings.lockdownUserSettings()),
      comment('User', 'ShowTrayIcon', 'Users asked to see the backup state'),
      {
        path: 'User/Scripts/scripts.ini',
        content: renderScriptsIni({
          Logon: [
            { cmdLine: 'map-home.cmd', parameters: '' },
            { cmdLine: '\\\\coffer.test\\NETLOGON\\inventory.vbs', parameters: '//B' },
          ],
          Logoff: [{ cmdLine: 'clear-temp.cmd', parameters: '' }],
        }),
        kind: 'user:scripts',
        extension: scriptsUser,
      },
      {
        path: 'User/Scripts/psscripts.ini',
        content: renderScriptsIni({ Logon: [{ cmdLine: 'Set-Printers.ps1', parameters: '-Site Zürich' }] }),
        kind: 'user:powershell-scripts',
        extension: scriptsUser,
      },
      script(
        'User',
        'Logon',
        'map-home.cmd',
        '@echo off\nnet use H: \\\\files.coffer.test\\home\\%USERNAME% /persistent:no\n',
      ),
      script(
        'User',
        'Logon',
        'Set-Printers.ps1',
        'param([string]$Site)\n# Coffer seed: logon PowerShell script\nWrite-Output "printers for $Site"\n',
      ),
      script('User', 'Logoff', 'clear-temp.cmd', '@echo off\ndel /q "%TEMP%\\*.tmp"\n'),
      {
        path: 'User/Documents & Settings/fdeploy1.ini',
        content: renderFdeploy1Ini([
          {
            folder: 'Documents',
            sid: 'S-1-1-0',
            flags: '1231',
            fullPath: '\\\\files.coffer.test\\home\\%USERNAME%\\Documents',
          },
          {
            folder: 'Desktop',
            sid: 'S-1-1-0',
            flags: '1211',
            fullPath: '\\\\files.coffer.test\\home\\%USERNAME%\\Desktop',
          },
          { folder: 'Pictures', sid: 'S-1-1-0', flags: '2', parentFolder: 'Documents', relativePath: 'Pictures' },
        ]),
        kind: 'user:folder-redirection',
        extension: EXTENSIONS.folderRedirection,
      },
      gpp('User', 'shortcuts', [
        {
          tag: 'Shortcut',
          name: 'Intranet',
          status: 'Intranet',
          image: 2,
          common: { userContext: '1', bypassErrors: '1' },
          properties: {
            pidl: '',
            targetType: 'URL',
            action: 'U',
            comment: 'Coffer intranet',
            shortcutKey: '0',
            startIn: '',
            arguments: '',
            iconIndex: '0',
            targetPath: 'https://intranet.coffer.test/',
            iconPath: '',
            window: '',
            shortcutPath: '%DesktopDir%\\Intranet',
          },
        },
        {
          tag: 'Shortcut',
          name: 'Coffer Restore',
          status: 'Coffer Restore',
          image: 2,
          common: { userContext: '1', removePolicy: '1' },
          properties: {
            pidl: '',
            targetType: 'FILESYSTEM',
            action: 'R',
            comment: 'Restore your files',
            shortcutKey: '0',
            startIn: '%ProgramFiles%\\Coffer',
            arguments: 'restore --interactive',
            iconIndex: '0',
            targetPath: '%ProgramFiles%\\Coffer\\coffer.exe',
            iconPath: '%ProgramFiles%\\Coffer\\coffer.exe',
            window: '',
            shortcutPath: '%StartMenuDir%\\Programs\\Coffer\\Coffer Restore',
          },
          filters: filterOs('WIN10') + filterOs('WIN11', 'OR'),
        },
      ]),
      gpp('User', 'registry', [
        {
          tag: 'Registry',
          name: 'TaskbarAl',
          status: 'TaskbarAl',
          image: 12,
          common: { userContext: '1' },
          properties: {
            action: 'U',
            displayDecimal: '1',
            default: '0',
            hive: 'HKEY_CURRENT_USER',
            key: 'Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Advanced',
            name: 'TaskbarAl',
            type: 'REG_DWORD',
            value: '00000000',
          },
        },
      ]),
      gpp('User', 'environment', [
        {
          tag: 'EnvironmentVariable',
          name: 'COFFER_PROFILE',
          status: 'COFFER_PROFILE = %USERPROFILE%\\.coffer',
          image: 2,
          properties: { action: 'U', name: 'COFFER_PROFILE', value: '%USERPROFILE%\\.coffer', user: '1', partial: '0' },
        },
      ]),
      gpp('User', 'files', [
        {
          tag: 'File',
          name: 'Signature.htm',
          status: 'Signature.htm',
          image: 2,
          common: { userContext: '1' },
          properties: {
            action: 'R',
            fromPath: '\\\\coffer.test\\NETLOGON\\Signatures\\Signatur – Zürich.htm',
            targetPath: '%AppData%\\Microsoft\\Signatures\\Coffer.htm',
            readOnly: '0',
            archive: '1',
            hidden: '0',
            suppress: '0',
          },
        },
      ]),
      gpp('User', 'folders', [
        {
          tag: 'Folder',
          name: 'Signatures',
          status: 'Signatures',
          image: 2,
          common: { userContext: '1' },
          properties: {
            action: 'C',
            path: '%AppData%\\Microsoft\\Signatures',
            readOnly: '0',
            archive: '0',
            hidden: '0',
          },
        },
      ]),
      registryPol('Machine', settings.lockdownMachineSettings()),
    ],
  });
}

/** Replaces the corpus' DISA user GPO: linked but disabled, and its AD and SYSVOL versions disagree. */
function legacyUserSettings(): GeneratedGpo {
  return finish({
    displayName: 'Legacy User Settings (computer half disabled)',
    purpose: 'legacy-user',
    flags: 2,
    machineAdVersion: 3,
    machineSysvolVersion: 4,
    userAdVersion: 6,
    userSysvolVersion: 5,
    files: [
      registryPol('User', settings.legacyUserSettings()),
      registryPol('Machine', settings.legacyMachineSettings()),
    ],
  });
}

/** Replaces the corpus' EMET GPO on the lab OU: preference drive maps (group-targeted) and printers. */
function driveMappings(): GeneratedGpo {
  return finish({
    displayName: 'Mapped Drives and Printers',
    purpose: 'drive-mappings',
    flags: 0,
    machineAdVersion: 3,
    machineSysvolVersion: 3,
    userAdVersion: 5,
    userSysvolVersion: 5,
    files: [
      gppWithSids('User', 'drives', (sid, netbios): GppItem[] => [
        {
          tag: 'Drive',
          name: 'H:',
          status: 'H:',
          image: 2,
          common: { bypassErrors: '1' },
          properties: {
            action: 'U',
            thisDrive: 'NOCHANGE',
            allDrives: 'NOCHANGE',
            userName: '',
            path: '\\\\files.coffer.test\\home\\%USERNAME%',
            label: 'Home',
            persistent: '1',
            useLetter: '1',
            letter: 'H',
          },
        },
        {
          tag: 'Drive',
          name: 'F:',
          status: 'F:',
          image: 2,
          properties: {
            action: 'R',
            thisDrive: 'SHOW',
            allDrives: 'NOCHANGE',
            userName: '',
            path: '\\\\files.coffer.test\\Finanzen',
            label: 'Finanzen – Zürich & <Tokyo>',
            persistent: '1',
            useLetter: '1',
            letter: 'F',
          },
          filters: filterGroup(`${netbios}\\${OPERATORS_GROUP}`, sid(OPERATORS_GROUP)),
        },
        {
          tag: 'Drive',
          name: 'S:',
          status: 'S:',
          image: 3,
          properties: {
            action: 'D',
            thisDrive: 'NOCHANGE',
            allDrives: 'NOCHANGE',
            userName: '',
            path: '',
            label: '',
            persistent: '0',
            useLetter: '1',
            letter: 'S',
          },
        },
      ]),
      gppWithSids('User', 'printers', (sid, netbios): GppItem[] => [
        {
          tag: 'SharedPrinter',
          name: 'Finance-Laser',
          status: 'Finance-Laser',
          image: 2,
          common: { bypassErrors: '1' },
          properties: {
            action: 'U',
            comment: '',
            path: '\\\\print01.coffer.test\\Finance-Laser',
            location: 'Zürich, 3. Stock',
            default: '1',
            skipLocal: '1',
            deleteAll: '0',
            persistent: '0',
            deleteMaps: '0',
            port: '',
          },
          filters: filterGroup(`${netbios}\\${OPERATORS_GROUP}`, sid(OPERATORS_GROUP)),
        },
      ]),
      registryPol('User', settings.driveMappingUserSettings()),
      registryPol('Machine', settings.driveMappingMachineSettings()),
    ],
  });
}

/** Replaces the corpus' mixed-CSE GPO on the Servers OU: security template, audit, local groups, a task. */
function serverHardening(): GeneratedGpo {
  return finish({
    displayName: 'Server Hardening',
    purpose: 'server-hardening',
    flags: 0,
    machineAdVersion: 9,
    machineSysvolVersion: 9,
    userAdVersion: 2,
    userSysvolVersion: 2,
    files: [
      registryPol('Machine', settings.serverMachineSettings()),
      {
        path: 'Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf',
        content: securityTemplate({ profile: 'server', operatorsGroup: OPERATORS_GROUP }),
        kind: 'machine:security-template',
        extension: EXTENSIONS.security,
      },
      {
        path: 'Machine/Microsoft/Windows NT/Audit/audit.csv',
        content: renderAuditCsv([
          ['Audit Credential Validation', 3],
          ['Audit Logon', 3],
          ['Audit Special Logon', 1],
          ['Audit Security Group Management', 3],
          ['Audit User Account Management', 3],
        ]),
        kind: 'machine:advanced-audit',
        extension: EXTENSIONS.audit,
      },
      gppWithSids('Machine', 'groups', (sid, netbios): GppItem[] => [
        {
          tag: 'Group',
          name: 'Remote Desktop Users (built-in)',
          image: 2,
          properties: {
            action: 'U',
            newName: '',
            description: '',
            deleteAllUsers: '1',
            deleteAllGroups: '1',
            removeAccounts: '0',
            groupSid: 'S-1-5-32-555',
            groupName: 'Remote Desktop Users (built-in)',
          },
          propertiesBody: `<Members><Member name="${netbios}\\${OPERATORS_GROUP}" action="ADD" sid="${sid(OPERATORS_GROUP)}"/></Members>`,
        },
      ]),
      gpp('Machine', 'scheduledTasks', [
        {
          tag: 'ImmediateTaskV2',
          name: 'Coffer agent registration',
          image: 0,
          common: { userContext: '0', removePolicy: '0' },
          properties: {
            action: 'C',
            name: 'Coffer agent registration',
            runAs: 'NT AUTHORITY\\System',
            logonType: 'S4U',
          },
          propertiesBody: taskDefinition(
            'COFFER\\Administrator',
            'Registers the server with the backup service once',
            'NT AUTHORITY\\System',
            '%ProgramFiles%\\Coffer\\coffer.exe',
            'register --server backup01.coffer.test',
            'boot',
          ),
        },
      ]),
      registryPol('User', settings.serverUserSettings()),
      gpp('User', 'registry', [
        {
          tag: 'Registry',
          name: 'ShowFileExtensions',
          status: 'HideFileExt',
          image: 12,
          common: { userContext: '1' },
          properties: {
            action: 'U',
            displayDecimal: '1',
            default: '0',
            hive: 'HKEY_CURRENT_USER',
            key: 'Software\\Microsoft\\Windows\\CurrentVersion\\Explorer\\Advanced',
            name: 'HideFileExt',
            type: 'REG_DWORD',
            value: '00000000',
          },
        },
      ]),
    ],
  });
}

/** The generated GPOs that stand in the roles the real-GPMC corpus GPOs played, in a fixed order. */
export function buildBaselineGpos(): Record<'workstation' | 'lockdown' | 'legacy' | 'drives' | 'server', GeneratedGpo> {
  return {
    workstation: workstationBaseline(),
    lockdown: userDesktopLockdown(),
    legacy: legacyUserSettings(),
    drives: driveMappings(),
    server: serverHardening(),
  };
}
