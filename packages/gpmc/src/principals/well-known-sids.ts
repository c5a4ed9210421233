/**
 * English names of the built-in and NT AUTHORITY principals, as LookupAccountSid returns them (the
 * account part only, which is what GPMC writes as SamAccountName for principals found in settings).
 */
const WELL_KNOWN_NAMES: Readonly<Record<string, string>> = {
  'S-1-0-0': 'NULL SID',
  'S-1-1-0': 'Everyone',
  'S-1-2-0': 'LOCAL',
  'S-1-2-1': 'CONSOLE LOGON',
  'S-1-3-0': 'CREATOR OWNER',
  'S-1-3-1': 'CREATOR GROUP',
  'S-1-3-4': 'OWNER RIGHTS',
  'S-1-5-1': 'DIALUP',
  'S-1-5-2': 'NETWORK',
  'S-1-5-3': 'BATCH',
  'S-1-5-4': 'INTERACTIVE',
  'S-1-5-6': 'SERVICE',
  'S-1-5-7': 'ANONYMOUS LOGON',
  'S-1-5-8': 'PROXY',
  'S-1-5-9': 'ENTERPRISE DOMAIN CONTROLLERS',
  'S-1-5-10': 'SELF',
  'S-1-5-11': 'Authenticated Users',
  'S-1-5-12': 'RESTRICTED',
  'S-1-5-13': 'TERMINAL SERVER USER',
  'S-1-5-14': 'REMOTE INTERACTIVE LOGON',
  'S-1-5-15': 'This Organization',
  'S-1-5-17': 'IUSR',
  'S-1-5-18': 'SYSTEM',
  'S-1-5-19': 'LOCAL SERVICE',
  'S-1-5-20': 'NETWORK SERVICE',
  'S-1-5-32-544': 'Administrators',
  'S-1-5-32-545': 'Users',
  'S-1-5-32-546': 'Guests',
  'S-1-5-32-547': 'Power Users',
  'S-1-5-32-548': 'Account Operators',
  'S-1-5-32-549': 'Server Operators',
  'S-1-5-32-550': 'Print Operators',
  'S-1-5-32-551': 'Backup Operators',
  'S-1-5-32-552': 'Replicator',
  'S-1-5-32-554': 'Pre-Windows 2000 Compatible Access',
  'S-1-5-32-555': 'Remote Desktop Users',
  'S-1-5-32-556': 'Network Configuration Operators',
  'S-1-5-32-557': 'Incoming Forest Trust Builders',
  'S-1-5-32-558': 'Performance Monitor Users',
  'S-1-5-32-559': 'Performance Log Users',
  'S-1-5-32-560': 'Windows Authorization Access Group',
  'S-1-5-32-561': 'Terminal Server License Servers',
  'S-1-5-32-562': 'Distributed COM Users',
  'S-1-5-32-568': 'IIS_IUSRS',
  'S-1-5-32-569': 'Cryptographic Operators',
  'S-1-5-32-573': 'Event Log Readers',
  'S-1-5-32-574': 'Certificate Service DCOM Access',
  'S-1-5-32-575': 'RDS Remote Access Servers',
  'S-1-5-32-576': 'RDS Endpoint Servers',
  'S-1-5-32-577': 'RDS Management Servers',
  'S-1-5-32-578': 'Hyper-V Administrators',
  'S-1-5-32-579': 'Access Control Assistance Operators',
  'S-1-5-32-580': 'Remote Management Users',
  'S-1-5-32-583': 'Device Owners',
  'S-1-5-64-10': 'NTLM Authentication',
  'S-1-5-64-14': 'SChannel Authentication',
  'S-1-5-64-21': 'Digest Authentication',
  'S-1-5-80-0': 'ALL SERVICES',
  'S-1-5-83-0': 'Virtual Machines',
  'S-1-5-113': 'Local account',
  'S-1-5-114': 'Local account and member of Administrators group',
  'S-1-15-2-1': 'ALL APPLICATION PACKAGES',
  'S-1-15-2-2': 'ALL RESTRICTED APPLICATION PACKAGES',
};

/** The English account name of a built-in / NT AUTHORITY SID, or undefined. */
export function wellKnownSidName(sid: string): string | undefined {
  return WELL_KNOWN_NAMES[sid.toUpperCase()];
}

/** A SID of a domain (or machine) account: `S-1-5-21-…`. Everything else is built in. */
export function isDomainSid(sid: string): boolean {
  return /^S-1-5-21-/i.test(sid);
}
