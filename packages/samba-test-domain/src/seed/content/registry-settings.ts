import { admxRegistryEntries } from './admx.js';
import {
  deleteAllValues,
  deleteValue,
  REG_BINARY,
  REG_DWORD,
  REG_EXPAND_SZ,
  REG_MULTI_SZ,
  REG_QWORD,
  REG_SZ,
  type RegistryPolEntry,
} from './registry-pol.js';

/**
 * Registry.pol contents of the seeded GPOs: real Administrative Templates settings (the keys and values Windows'
 * own ADMX files write), the project's Coffer.Policies ones, and at least one of every value type and of both
 * deletion markers, so a backup tool meets everything a real Registry.pol holds.
 */
const dw = (key: string, valueName: string, data: number): RegistryPolEntry => ({
  key,
  valueName,
  type: REG_DWORD,
  data,
});
const sz = (key: string, valueName: string, data: string): RegistryPolEntry => ({ key, valueName, type: REG_SZ, data });

const WU = 'Software\\Policies\\Microsoft\\Windows\\WindowsUpdate';
const AU = `${WU}\\AU`;
const DEFENDER = 'Software\\Policies\\Microsoft\\Windows Defender';
const SYSTEM = 'Software\\Policies\\Microsoft\\Windows\\System';
const PS = 'Software\\Policies\\Microsoft\\Windows\\PowerShell';
const EDGE = 'Software\\Policies\\Microsoft\\Edge';
const FW = 'Software\\Policies\\Microsoft\\WindowsFirewall';
const EXPLORER_M = 'Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer';
const TERMINAL = 'Software\\Policies\\Microsoft\\Windows NT\\Terminal Services';
const EVENTLOG = 'Software\\Policies\\Microsoft\\Windows\\EventLog';

/** The workstation baseline's machine half: 50+ settings. */
export function workstationMachineSettings(): RegistryPolEntry[] {
  return [
    dw(WU, 'DisableDualScan', 1),
    sz(WU, 'WUServer', 'https://wsus.coffer.test:8531'),
    sz(WU, 'WUStatusServer', 'https://wsus.coffer.test:8531'),
    dw(WU, 'DeferFeatureUpdates', 1),
    dw(WU, 'DeferFeatureUpdatesPeriodInDays', 180),
    dw(WU, 'DeferQualityUpdates', 1),
    dw(WU, 'DeferQualityUpdatesPeriodInDays', 7),
    dw(AU, 'NoAutoUpdate', 0),
    dw(AU, 'AUOptions', 4),
    dw(AU, 'ScheduledInstallDay', 0),
    dw(AU, 'ScheduledInstallTime', 3),
    dw(AU, 'UseWUServer', 1),
    dw(AU, 'NoAutoRebootWithLoggedOnUsers', 1),
    deleteValue(AU, 'AutomaticMaintenanceEnabled'),
    dw(DEFENDER, 'DisableAntiSpyware', 0),
    dw(DEFENDER, 'PUAProtection', 1),
    dw(`${DEFENDER}\\Real-Time Protection`, 'DisableRealtimeMonitoring', 0),
    dw(`${DEFENDER}\\Real-Time Protection`, 'DisableBehaviorMonitoring', 0),
    dw(`${DEFENDER}\\Scan`, 'DisableRemovableDriveScanning', 0),
    dw(`${DEFENDER}\\Scan`, 'ScheduleDay', 0),
    dw(`${DEFENDER}\\Spynet`, 'SpynetReporting', 2),
    dw(`${DEFENDER}\\Spynet`, 'SubmitSamplesConsent', 1),
    dw(`${DEFENDER}\\Windows Defender Exploit Guard\\ASR`, 'ExploitGuard_ASR_Rules', 1),
    deleteAllValues(`${DEFENDER}\\Windows Defender Exploit Guard\\ASR\\Rules`),
    sz(`${DEFENDER}\\Windows Defender Exploit Guard\\ASR\\Rules`, 'BE9BA2D9-53EA-4CDC-84E5-9B1EEEE46550', '1'),
    sz(`${DEFENDER}\\Windows Defender Exploit Guard\\ASR\\Rules`, 'D4F940AB-401B-4EFC-AADC-AD5F3C50688A', '1'),
    sz(`${DEFENDER}\\Windows Defender Exploit Guard\\ASR\\Rules`, '3B576869-A4EC-4529-8536-B80A7769E899', '2'),
    dw(SYSTEM, 'EnableSmartScreen', 1),
    sz(SYSTEM, 'ShellSmartScreenLevel', 'Block'),
    dw(SYSTEM, 'DontDisplayNetworkSelectionUI', 1),
    dw(SYSTEM, 'EnumerateLocalUsers', 0),
    dw(SYSTEM, 'DisableLockScreenAppNotifications', 1),
    dw(`${PS}\\ScriptBlockLogging`, 'EnableScriptBlockLogging', 1),
    deleteValue(`${PS}\\ScriptBlockLogging`, 'EnableScriptBlockInvocationLogging'),
    dw(`${PS}\\Transcription`, 'EnableTranscripting', 1),
    {
      key: `${PS}\\Transcription`,
      valueName: 'OutputDirectory',
      type: REG_EXPAND_SZ,
      data: '%SystemDrive%\\PSTranscripts',
    },
    dw(`${FW}\\DomainProfile`, 'EnableFirewall', 1),
    dw(`${FW}\\PrivateProfile`, 'EnableFirewall', 1),
    dw(`${FW}\\PublicProfile`, 'EnableFirewall', 1),
    dw(`${FW}\\PublicProfile`, 'DefaultInboundAction', 1),
    {
      key: `${FW}\\DomainProfile\\Logging`,
      valueName: 'LogFilePath',
      type: REG_EXPAND_SZ,
      data: '%SystemRoot%\\System32\\LogFiles\\Firewall\\domainfw.log',
    },
    dw(`${FW}\\DomainProfile\\Logging`, 'LogFileSize', 16384),
    dw(TERMINAL, 'fDisableCdm', 1),
    dw(TERMINAL, 'fPromptForPassword', 1),
    dw(TERMINAL, 'MinEncryptionLevel', 3),
    dw(TERMINAL, 'MaxIdleTime', 900000),
    dw(`${EVENTLOG}\\Security`, 'MaxSize', 196608),
    {
      key: `${EVENTLOG}\\Security`,
      valueName: 'File',
      type: REG_EXPAND_SZ,
      data: '%SystemRoot%\\System32\\winevt\\Logs\\Security.evtx',
    },
    dw(`${EVENTLOG}\\Application`, 'MaxSize', 32768),
    dw(EXPLORER_M, 'NoAutorun', 1),
    dw(EXPLORER_M, 'NoDriveTypeAutoRun', 255),
    dw('Software\\Policies\\Microsoft\\Windows\\Personalization', 'NoLockScreenCamera', 1),
    dw('Software\\Policies\\Microsoft\\Windows\\CredentialsDelegation', 'AllowProtectedCreds', 1),
    dw('Software\\Policies\\Microsoft\\Windows\\LanmanWorkstation', 'AllowInsecureGuestAuth', 0),
    {
      key: 'Software\\Policies\\Microsoft\\Windows\\NetworkProvider\\HardenedPaths',
      valueName: '\\\\*\\SYSVOL',
      type: REG_SZ,
      data: 'RequireMutualAuthentication=1, RequireIntegrity=1',
    },
    {
      key: 'Software\\Policies\\Microsoft\\Windows\\NetworkProvider\\HardenedPaths',
      valueName: '\\\\*\\NETLOGON',
      type: REG_SZ,
      data: 'RequireMutualAuthentication=1, RequireIntegrity=1',
    },
    {
      key: 'Software\\Policies\\Microsoft\\Windows\\DeviceGuard',
      valueName: 'RequirePlatformSecurityFeatures',
      type: REG_DWORD,
      data: 3,
    },
    // Binary and 64-bit values: real ADMX rarely write them, but Registry.pol carries them (REG_BINARY, REG_QWORD).
    {
      key: 'Software\\Policies\\Coffer\\Agent',
      valueName: 'CertificateThumbprint',
      type: REG_BINARY,
      data: Buffer.from('3f9a0c5e7d21b4a86c0f19e2d7b35a4c8e01f6d2', 'hex'),
    },
    {
      key: 'Software\\Policies\\Coffer\\Agent',
      valueName: 'MaxArchiveBytes',
      type: REG_QWORD,
      data: 5_497_558_138_880n,
    },
    {
      key: 'Software\\Policies\\Coffer\\Agent',
      valueName: 'ExcludedExtensions',
      type: REG_MULTI_SZ,
      data: ['.tmp', '.~lock', '.ost', 'Thumbs.db'],
    },
    ...admxRegistryEntries('Machine'),
  ];
}

/** The workstation baseline's user half (its user settings are disabled by flags 1, but present). */
export function workstationUserSettings(): RegistryPolEntry[] {
  return [
    dw('Software\\Policies\\Microsoft\\Windows\\Control Panel\\Desktop', 'ScreenSaveActive', 1),
    sz('Software\\Policies\\Microsoft\\Windows\\Control Panel\\Desktop', 'ScreenSaveTimeOut', '900'),
    sz('Software\\Policies\\Microsoft\\Windows\\Control Panel\\Desktop', 'ScreenSaverIsSecure', '1'),
  ];
}

const EXPLORER_U = 'Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer';
const SYSTEM_U = 'Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\System';

/** The desktop lockdown's user half: every value type, both deletion markers, Unicode data. */
export function lockdownUserSettings(): RegistryPolEntry[] {
  return [
    dw(EXPLORER_U, 'NoRun', 1),
    dw(EXPLORER_U, 'NoControlPanel', 0),
    dw(EXPLORER_U, 'NoDrives', 4),
    dw(EXPLORER_U, 'NoViewOnDrive', 4),
    dw(EXPLORER_U, 'NoClose', 0),
    deleteValue(EXPLORER_U, 'NoFind'),
    dw(SYSTEM_U, 'DisableRegistryTools', 2),
    dw(SYSTEM_U, 'DisableTaskMgr', 1),
    sz(SYSTEM_U, 'Wallpaper', '\\\\files.coffer.test\\branding\\Hintergrund – Zürich.jpg'),
    sz(SYSTEM_U, 'WallpaperStyle', '4'),
    dw('Software\\Policies\\Microsoft\\Windows\\System', 'DisableCMD', 2),
    {
      key: 'Software\\Policies\\Microsoft\\Windows\\Explorer',
      valueName: 'StartLayoutFile',
      type: REG_EXPAND_SZ,
      data: '%LOGONSERVER%\\NETLOGON\\StartLayout.xml',
    },
    dw('Software\\Policies\\Microsoft\\Windows\\Explorer', 'LockedStartLayout', 1),
    sz(EDGE, 'HomepageLocation', 'https://intranet.coffer.test/'),
    dw(EDGE, 'HomepageIsNewTabPage', 0),
    dw(EDGE, 'PasswordManagerEnabled', 0),
    deleteAllValues(`${EDGE}\\URLBlocklist`),
    sz(`${EDGE}\\URLBlocklist`, '1', 'https://*.example-filesharing.test'),
    sz(`${EDGE}\\URLBlocklist`, '2', 'ftp://*'),
    {
      key: 'Software\\Policies\\Microsoft\\Office\\16.0\\Common\\Security',
      valueName: 'TrustedLocations',
      type: REG_MULTI_SZ,
      data: ['\\\\files.coffer.test\\templates', '%APPDATA%\\Microsoft\\Templates', 'Vorlagen – 東京'],
    },
    {
      key: 'Software\\Policies\\Microsoft\\Office\\16.0\\Word\\Security',
      valueName: 'VBAWarnings',
      type: REG_DWORD,
      data: 4,
    },
    { key: 'Software\\Policies\\Coffer\\Desktop', valueName: 'QuotaBytes', type: REG_QWORD, data: 21_474_836_480n },
    {
      key: 'Software\\Policies\\Coffer\\Desktop',
      valueName: 'TrayColour',
      type: REG_BINARY,
      data: Buffer.from([0x1e, 0x90, 0xff, 0x00]),
    },
    ...admxRegistryEntries('User'),
  ];
}

/** The desktop lockdown's machine half (disabled by flags 2, but present). */
export function lockdownMachineSettings(): RegistryPolEntry[] {
  return [
    dw('Software\\Policies\\Microsoft\\Windows\\Explorer', 'NoUseStoreOpenWith', 1),
    dw(SYSTEM, 'DisableAcrylicBackgroundOnLogon', 1),
  ];
}

/** Legacy settings: old Internet Explorer and Office keys a long-lived domain still carries. */
export function legacyUserSettings(): RegistryPolEntry[] {
  const ie = 'Software\\Policies\\Microsoft\\Internet Explorer';
  return [
    sz(`${ie}\\Main`, 'Start Page', 'http://intranet.coffer.test/legacy/'),
    dw(`${ie}\\Main`, 'DisableFirstRunCustomize', 1),
    dw(`${ie}\\Control Panel`, 'HomePage', 1),
    deleteAllValues(`${ie}\\Toolbars\\Restrictions`),
    dw(`${ie}\\Toolbars\\Restrictions`, 'NoNavBar', 1),
    deleteValue(`${ie}\\Main`, 'Use FormSuggest'),
    {
      key: 'Software\\Policies\\Microsoft\\Office\\14.0\\Common\\General',
      valueName: 'SharedTemplates',
      type: REG_EXPAND_SZ,
      data: '%LOGONSERVER%\\Templates\\Office 2010',
    },
    sz('Software\\Policies\\Coffer\\Legacy', 'Hinweis', 'Altlast – bitte nicht löschen ✓'),
  ];
}

export function legacyMachineSettings(): RegistryPolEntry[] {
  return [
    dw('Software\\Policies\\Microsoft\\Windows NT\\Printers', 'DisableWebPnPDownload', 1),
    deleteValue('Software\\Policies\\Microsoft\\Windows NT\\Printers', 'DisableHTTPPrinting'),
  ];
}

export function driveMappingMachineSettings(): RegistryPolEntry[] {
  const pnp = 'Software\\Policies\\Microsoft\\Windows NT\\Printers\\PointAndPrint';
  return [
    dw(pnp, 'Restricted', 1),
    dw(pnp, 'TrustedServers', 1),
    sz(pnp, 'ServerList', 'print01.coffer.test;print02.coffer.test'),
    dw(pnp, 'NoWarningNoElevationOnInstall', 0),
    dw(pnp, 'UpdatePromptSettings', 0),
  ];
}

export function driveMappingUserSettings(): RegistryPolEntry[] {
  return [dw(EXPLORER_U, 'NoNetConnectDisconnect', 1), dw(EXPLORER_U, 'NoRecentDocsNetHood', 1)];
}

export function serverMachineSettings(): RegistryPolEntry[] {
  return [
    dw('Software\\Policies\\Microsoft\\Windows NT\\Terminal Services', 'fDenyTSConnections', 0),
    dw('Software\\Policies\\Microsoft\\Windows NT\\Terminal Services', 'UserAuthentication', 1),
    dw('Software\\Policies\\Microsoft\\Windows NT\\Terminal Services', 'SecurityLayer', 2),
    dw('Software\\Policies\\Microsoft\\Windows\\WinRM\\Service', 'AllowUnencryptedTraffic', 0),
    dw('Software\\Policies\\Microsoft\\Windows\\WinRM\\Service', 'DisableRunAs', 1),
    dw('Software\\Policies\\Microsoft\\Windows\\WinRM\\Client', 'AllowBasic', 0),
    {
      key: 'Software\\Policies\\Microsoft\\Windows\\EventLog\\System',
      valueName: 'MaxSize',
      type: REG_DWORD,
      data: 65536,
    },
    {
      key: 'Software\\Policies\\Microsoft\\Windows NT\\DNSClient',
      valueName: 'SearchList',
      type: REG_SZ,
      data: 'coffer.test,srv.coffer.test',
    },
  ];
}

export function serverUserSettings(): RegistryPolEntry[] {
  return [
    dw('Software\\Policies\\Microsoft\\Windows\\Control Panel\\Desktop', 'ScreenSaveActive', 1),
    sz('Software\\Policies\\Microsoft\\Windows\\Control Panel\\Desktop', 'ScreenSaveTimeOut', '600'),
    dw('Software\\Microsoft\\Windows\\CurrentVersion\\Policies\\Explorer', 'NoInternetIcon', 1),
  ];
}
