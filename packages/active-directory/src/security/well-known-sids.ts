import { normalizeSid, parseSidString } from './sid.js';

export interface WellKnownSid {
  sid: string;
  /** The English account name Windows shows (`NT AUTHORITY\` / `BUILTIN\` prefix left off). */
  name: string;
  /** The SDDL alias, when sddl.h defines one. */
  sddlAlias?: string;
}

/**
 * SIDs that mean the same thing in every domain and on every machine ([MS-DTYP] 2.4.2.4). GPMC
 * never lists them as `<Group bkp:Source="FromDACL">` entries: only domain principals need mapping.
 */
export const WELL_KNOWN_SIDS: readonly WellKnownSid[] = [
  { sid: 'S-1-0-0', name: 'NULL SID' },
  { sid: 'S-1-1-0', name: 'Everyone', sddlAlias: 'WD' },
  { sid: 'S-1-2-0', name: 'LOCAL' },
  { sid: 'S-1-2-1', name: 'CONSOLE LOGON' },
  { sid: 'S-1-3-0', name: 'CREATOR OWNER', sddlAlias: 'CO' },
  { sid: 'S-1-3-1', name: 'CREATOR GROUP', sddlAlias: 'CG' },
  { sid: 'S-1-3-2', name: 'CREATOR OWNER SERVER' },
  { sid: 'S-1-3-3', name: 'CREATOR GROUP SERVER' },
  { sid: 'S-1-3-4', name: 'OWNER RIGHTS', sddlAlias: 'OW' },
  { sid: 'S-1-5-1', name: 'DIALUP' },
  { sid: 'S-1-5-2', name: 'NETWORK', sddlAlias: 'NU' },
  { sid: 'S-1-5-3', name: 'BATCH' },
  { sid: 'S-1-5-4', name: 'INTERACTIVE', sddlAlias: 'IU' },
  { sid: 'S-1-5-6', name: 'SERVICE', sddlAlias: 'SU' },
  { sid: 'S-1-5-7', name: 'ANONYMOUS LOGON', sddlAlias: 'AN' },
  { sid: 'S-1-5-8', name: 'PROXY' },
  { sid: 'S-1-5-9', name: 'ENTERPRISE DOMAIN CONTROLLERS', sddlAlias: 'ED' },
  { sid: 'S-1-5-10', name: 'SELF', sddlAlias: 'PS' },
  { sid: 'S-1-5-11', name: 'Authenticated Users', sddlAlias: 'AU' },
  { sid: 'S-1-5-12', name: 'RESTRICTED', sddlAlias: 'RC' },
  { sid: 'S-1-5-13', name: 'TERMINAL SERVER USER' },
  { sid: 'S-1-5-14', name: 'REMOTE INTERACTIVE LOGON' },
  { sid: 'S-1-5-15', name: 'This Organization' },
  { sid: 'S-1-5-17', name: 'IUSR' },
  { sid: 'S-1-5-18', name: 'SYSTEM', sddlAlias: 'SY' },
  { sid: 'S-1-5-19', name: 'LOCAL SERVICE', sddlAlias: 'LS' },
  { sid: 'S-1-5-20', name: 'NETWORK SERVICE', sddlAlias: 'NS' },
  { sid: 'S-1-5-33', name: 'WRITE RESTRICTED', sddlAlias: 'WR' },
  { sid: 'S-1-5-64-10', name: 'NTLM Authentication' },
  { sid: 'S-1-5-64-14', name: 'SChannel Authentication' },
  { sid: 'S-1-5-64-21', name: 'Digest Authentication' },
  { sid: 'S-1-5-80-0', name: 'ALL SERVICES' },
  { sid: 'S-1-5-83-0', name: 'Virtual Machines' },
  { sid: 'S-1-5-84-0-0-0-0-0', name: 'USER MODE DRIVERS', sddlAlias: 'UD' },
  { sid: 'S-1-5-113', name: 'Local account' },
  { sid: 'S-1-5-114', name: 'Local account and member of Administrators group' },
  { sid: 'S-1-5-1000', name: 'Other Organization' },
  { sid: 'S-1-5-32-544', name: 'Administrators', sddlAlias: 'BA' },
  { sid: 'S-1-5-32-545', name: 'Users', sddlAlias: 'BU' },
  { sid: 'S-1-5-32-546', name: 'Guests', sddlAlias: 'BG' },
  { sid: 'S-1-5-32-547', name: 'Power Users', sddlAlias: 'PU' },
  { sid: 'S-1-5-32-548', name: 'Account Operators', sddlAlias: 'AO' },
  { sid: 'S-1-5-32-549', name: 'Server Operators', sddlAlias: 'SO' },
  { sid: 'S-1-5-32-550', name: 'Print Operators', sddlAlias: 'PO' },
  { sid: 'S-1-5-32-551', name: 'Backup Operators', sddlAlias: 'BO' },
  { sid: 'S-1-5-32-552', name: 'Replicator', sddlAlias: 'RE' },
  { sid: 'S-1-5-32-554', name: 'Pre-Windows 2000 Compatible Access', sddlAlias: 'RU' },
  { sid: 'S-1-5-32-555', name: 'Remote Desktop Users', sddlAlias: 'RD' },
  { sid: 'S-1-5-32-556', name: 'Network Configuration Operators', sddlAlias: 'NO' },
  { sid: 'S-1-5-32-557', name: 'Incoming Forest Trust Builders' },
  { sid: 'S-1-5-32-558', name: 'Performance Monitor Users', sddlAlias: 'MU' },
  { sid: 'S-1-5-32-559', name: 'Performance Log Users', sddlAlias: 'LU' },
  { sid: 'S-1-5-32-560', name: 'Windows Authorization Access Group' },
  { sid: 'S-1-5-32-561', name: 'Terminal Server License Servers' },
  { sid: 'S-1-5-32-562', name: 'Distributed COM Users' },
  { sid: 'S-1-5-32-568', name: 'IIS_IUSRS', sddlAlias: 'IS' },
  { sid: 'S-1-5-32-569', name: 'Cryptographic Operators', sddlAlias: 'CY' },
  { sid: 'S-1-5-32-573', name: 'Event Log Readers', sddlAlias: 'ER' },
  { sid: 'S-1-5-32-574', name: 'Certificate Service DCOM Access', sddlAlias: 'CD' },
  { sid: 'S-1-5-32-575', name: 'RDS Remote Access Servers', sddlAlias: 'RA' },
  { sid: 'S-1-5-32-576', name: 'RDS Endpoint Servers', sddlAlias: 'ES' },
  { sid: 'S-1-5-32-577', name: 'RDS Management Servers', sddlAlias: 'MS' },
  { sid: 'S-1-5-32-578', name: 'Hyper-V Administrators', sddlAlias: 'HA' },
  { sid: 'S-1-5-32-579', name: 'Access Control Assistance Operators', sddlAlias: 'AA' },
  { sid: 'S-1-5-32-580', name: 'Remote Management Users', sddlAlias: 'RM' },
  { sid: 'S-1-5-32-582', name: 'Storage Replica Administrators' },
  { sid: 'S-1-5-32-583', name: 'Device Owners' },
  { sid: 'S-1-5-32-585', name: 'OpenSSH Users', sddlAlias: 'SH' },
  { sid: 'S-1-15-2-1', name: 'ALL APPLICATION PACKAGES', sddlAlias: 'AC' },
  { sid: 'S-1-15-2-2', name: 'ALL RESTRICTED APPLICATION PACKAGES' },
  { sid: 'S-1-16-0', name: 'Untrusted Mandatory Level' },
  { sid: 'S-1-16-4096', name: 'Low Mandatory Level', sddlAlias: 'LW' },
  { sid: 'S-1-16-8192', name: 'Medium Mandatory Level', sddlAlias: 'ME' },
  { sid: 'S-1-16-8448', name: 'Medium Plus Mandatory Level', sddlAlias: 'MP' },
  { sid: 'S-1-16-12288', name: 'High Mandatory Level', sddlAlias: 'HI' },
  { sid: 'S-1-16-16384', name: 'System Mandatory Level', sddlAlias: 'SI' },
  { sid: 'S-1-16-20480', name: 'Protected Process Mandatory Level' },
  { sid: 'S-1-18-1', name: 'Authentication authority asserted identity', sddlAlias: 'AS' },
  { sid: 'S-1-18-2', name: 'Service asserted identity', sddlAlias: 'SS' },
];

export interface WellKnownDomainRid {
  rid: number;
  name: string;
  sddlAlias?: string;
  /** Forest-wide groups live in the forest root domain: SDDL aliases them only against its SID. */
  scope: 'domain' | 'forestRoot';
}

/** Well-known RIDs of domain principals ([MS-DTYP] 2.4.2.4; [MS-ADTS] 6.1.1.6). */
export const WELL_KNOWN_DOMAIN_RIDS: readonly WellKnownDomainRid[] = [
  { rid: 498, name: 'Enterprise Read-only Domain Controllers', sddlAlias: 'RO', scope: 'forestRoot' },
  { rid: 500, name: 'Administrator', sddlAlias: 'LA', scope: 'domain' },
  { rid: 501, name: 'Guest', sddlAlias: 'LG', scope: 'domain' },
  { rid: 502, name: 'krbtgt', scope: 'domain' },
  { rid: 512, name: 'Domain Admins', sddlAlias: 'DA', scope: 'domain' },
  { rid: 513, name: 'Domain Users', sddlAlias: 'DU', scope: 'domain' },
  { rid: 514, name: 'Domain Guests', sddlAlias: 'DG', scope: 'domain' },
  { rid: 515, name: 'Domain Computers', sddlAlias: 'DC', scope: 'domain' },
  { rid: 516, name: 'Domain Controllers', sddlAlias: 'DD', scope: 'domain' },
  { rid: 517, name: 'Cert Publishers', sddlAlias: 'CA', scope: 'domain' },
  { rid: 518, name: 'Schema Admins', sddlAlias: 'SA', scope: 'forestRoot' },
  { rid: 519, name: 'Enterprise Admins', sddlAlias: 'EA', scope: 'forestRoot' },
  { rid: 520, name: 'Group Policy Creator Owners', sddlAlias: 'PA', scope: 'domain' },
  { rid: 521, name: 'Read-only Domain Controllers', scope: 'domain' },
  { rid: 522, name: 'Cloneable Domain Controllers', sddlAlias: 'CN', scope: 'domain' },
  { rid: 525, name: 'Protected Users', sddlAlias: 'AP', scope: 'domain' },
  { rid: 526, name: 'Key Admins', sddlAlias: 'KA', scope: 'domain' },
  { rid: 527, name: 'Enterprise Key Admins', sddlAlias: 'EK', scope: 'forestRoot' },
  { rid: 553, name: 'RAS and IAS Servers', sddlAlias: 'RS', scope: 'domain' },
  { rid: 571, name: 'Allowed RODC Password Replication Group', scope: 'domain' },
  { rid: 572, name: 'Denied RODC Password Replication Group', scope: 'domain' },
];

const BY_SID = new Map(WELL_KNOWN_SIDS.map((entry) => [entry.sid, entry]));
const BY_RID = new Map(WELL_KNOWN_DOMAIN_RIDS.map((entry) => [entry.rid, entry]));

/** The table entry of a constant well-known SID, if it is one. */
export function lookupWellKnownSid(sid: string): WellKnownSid | undefined {
  return BY_SID.get(normalizeSid(sid));
}

/**
 * True for SIDs that are the same everywhere: the table above plus whole families that never
 * name a domain account: BUILTIN (S-1-5-32-*), service SIDs (S-1-5-80-*), logon sessions
 * (S-1-5-5-*), integrity levels (S-1-16-*), app packages (S-1-15-*), asserted identities (S-1-18-*).
 */
export function isWellKnownSid(sid: string): boolean {
  const canonical = normalizeSid(sid);
  if (BY_SID.has(canonical)) return true;
  return /^S-1-(5-(32|80|5|64|84)|15|16|18|1|2|3)-/.test(canonical);
}

/**
 * True for a principal of an Active Directory domain (or a machine's account domain):
 * S-1-5-21-<a>-<b>-<c>-<RID>. These are the SIDs GPMC records as FromDACL groups.
 */
export function isDomainSid(sid: string): boolean {
  const parts = parseSidString(sid);
  return parts.identifierAuthority === 5 && parts.subAuthorities.length === 5 && parts.subAuthorities[0] === 21;
}

/** `S-1-5-21-a-b-c` of a domain principal's SID, or undefined for other SIDs. */
export function domainSidOf(sid: string): string | undefined {
  if (!isDomainSid(sid)) return undefined;
  const canonical = normalizeSid(sid);
  return canonical.slice(0, canonical.lastIndexOf('-'));
}

/** The RID (last sub-authority) of a SID. */
export function ridOf(sid: string): number | undefined {
  const parts = parseSidString(sid);
  return parts.subAuthorities[parts.subAuthorities.length - 1];
}

/** The well-known RID entry (Domain Admins, ...) of a domain principal, if its RID is one. */
export function lookupWellKnownDomainRid(sid: string): WellKnownDomainRid | undefined {
  if (!isDomainSid(sid)) return undefined;
  const rid = ridOf(sid);
  return rid === undefined ? undefined : BY_RID.get(rid);
}

/** An English display name for a SID when one is known without asking a directory. */
export function wellKnownSidName(sid: string): string | undefined {
  return lookupWellKnownSid(sid)?.name ?? lookupWellKnownDomainRid(sid)?.name;
}
