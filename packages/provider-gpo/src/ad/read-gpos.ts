import {
  type LdapEntry,
  parseSecurityDescriptor,
  type SecurityDescriptor,
  SecurityInformation,
} from '@coffer/active-directory';
import { CofferError, HRESULT, type OperationContext } from '@coffer/core';
import type { DomainSession } from './domain-session.js';
import { attributeBytes, attributeNumber, attributeText, parseGeneralizedTime } from './ldap-values.js';

/** The AD half of a GPO (its groupPolicyContainer), as a backup needs it. */
export interface GpoContainer {
  /** `{GUID}` as stored (`cn`). */
  id: string;
  dn: string;
  displayName: string;
  flags: number;
  versionNumber: number;
  /** `gPCFileSysPath`, the UNC of the SYSVOL half. */
  fileSysPath: string;
  /** The same folder relative to the SYSVOL share root: `<dns domain>/Policies/{GUID}`. */
  sysvolPath: string;
  machineExtensionNames: string;
  userExtensionNames: string;
  wqlFilter: string;
  whenCreated: Date;
  whenChanged: Date;
  whenCreatedText: string;
  whenChangedText: string;
  /** The self-relative descriptor as read: owner, group, DACL, and the SACL when `saclIncluded`. */
  securityDescriptor: Buffer;
  /**
   * The same, decoded on each read (validated once when read from AD). Not kept: decoded, a descriptor takes about
   * 8 KB (an object per ACE, flag and GUID) against the 1 KB of its bytes, which for every GPO of a 10,000-GPO domain
   * held through the whole backup was most of its memory; each reader decodes it once for its step.
   */
  readonly descriptor: SecurityDescriptor;
  saclIncluded: boolean;
}

const GPO_ATTRIBUTES = [
  'cn',
  'displayName',
  'flags',
  'versionNumber',
  'gPCFileSysPath',
  'gPCMachineExtensionNames',
  'gPCUserExtensionNames',
  'gPCWQLFilter',
  'whenCreated',
  'whenChanged',
  'nTSecurityDescriptor',
];

const OWNER_GROUP_DACL = SecurityInformation.Owner | SecurityInformation.Group | SecurityInformation.Dacl;
const WITH_SACL = OWNER_GROUP_DACL | SecurityInformation.Sacl;

export function policiesContainerDn(session: Pick<DomainSession, 'baseDn'>): string {
  return `CN=Policies,CN=System,${session.baseDn}`;
}

/**
 * Reads every GPO container of the domain. The SACL needs the security privilege: it is asked
 * for, and where the DC withholds it each GPO concerned gets a warning and is kept without it.
 */
export async function readGpoContainers(session: DomainSession, context: OperationContext): Promise<GpoContainer[]> {
  const base = policiesContainerDn(session);
  // Page by page: each page's entries become containers before the next arrives, so the raw entries (about 5 KB each
  // with their decoding) are never all held at once, which for 10,000 GPOs was the backup's peak.
  const read = async (sdFlags: number, saclReadable: boolean) => {
    const containers: GpoContainer[] = [];
    const pages = session.ldap.searchPages(base, {
      scope: 'one',
      filter: '(objectClass=groupPolicyContainer)',
      attributes: GPO_ATTRIBUTES,
      sdFlags,
    });
    for await (const page of pages)
      for (const entry of page) containers.push(toContainer(entry, session, saclReadable));
    return containers;
  };
  const containers = (await read(WITH_SACL, true).catch(() => undefined)) ?? (await read(OWNER_GROUP_DACL, false));
  for (const { displayName, id, saclIncluded } of containers) {
    if (saclIncluded) continue;
    context.report({
      severity: 'warning',
      code: 'SACL_NOT_READABLE',
      message: `The auditing entries (SACL) of GPO ${displayName} could not be read; the backup keeps owner, group and DACL.`,
      object: `${displayName} ${id}`,
    });
  }
  return containers;
}

function toContainer(entry: LdapEntry, session: DomainSession, saclReadable: boolean): GpoContainer {
  const id = attributeText(entry, 'cn') ?? entry.dn.split(',')[0]!.replace(/^cn=/i, '');
  const displayName = attributeText(entry, 'displayName') ?? id;
  const descriptor = attributeBytes(entry, 'nTSecurityDescriptor');
  if (!descriptor) {
    throw new CofferError(
      'SECURITY_DESCRIPTOR_UNREADABLE',
      `The security descriptor of GPO ${displayName} ${id} could not be read.`,
      {
        hresult: HRESULT.E_ACCESSDENIED,
        object: `${displayName} ${id}`,
        hint: 'Bind with an account that may read the GPO permissions (e.g. a member of Group Policy Creator Owners or Domain Admins).',
      },
    );
  }
  // Decoded here once, to check it and see whether the SACL came; not kept (see GpoContainer.descriptor).
  const parsed = parseSecurityDescriptor(descriptor);
  const fileSysPath = attributeText(entry, 'gPCFileSysPath') ?? '';
  const whenCreatedText = attributeText(entry, 'whenCreated') ?? '';
  const whenChangedText = attributeText(entry, 'whenChanged') ?? '';
  return new ReadContainer({
    id,
    dn: entry.dn,
    displayName,
    flags: attributeNumber(entry, 'flags'),
    versionNumber: attributeNumber(entry, 'versionNumber') >>> 0,
    fileSysPath,
    sysvolPath: sharePathOf(fileSysPath, session.dnsDomain, id),
    machineExtensionNames: attributeText(entry, 'gPCMachineExtensionNames') ?? '',
    userExtensionNames: attributeText(entry, 'gPCUserExtensionNames') ?? '',
    wqlFilter: attributeText(entry, 'gPCWQLFilter') ?? '',
    whenCreated: parseGeneralizedTime(whenCreatedText) ?? new Date(0),
    whenChanged: parseGeneralizedTime(whenChangedText) ?? new Date(0),
    whenCreatedText,
    whenChangedText,
    securityDescriptor: descriptor,
    saclIncluded: saclReadable && parsed.control.saclPresent === true && parsed.sacl !== undefined,
  });
}

/** A container as read: its descriptor's bytes kept, decoded when asked for (see {@link GpoContainer.descriptor}). */
class ReadContainer implements GpoContainer {
  id!: string;
  dn!: string;
  displayName!: string;
  flags!: number;
  versionNumber!: number;
  fileSysPath!: string;
  sysvolPath!: string;
  machineExtensionNames!: string;
  userExtensionNames!: string;
  wqlFilter!: string;
  whenCreated!: Date;
  whenChanged!: Date;
  whenCreatedText!: string;
  whenChangedText!: string;
  securityDescriptor!: Buffer;
  saclIncluded!: boolean;

  constructor(fields: Omit<GpoContainer, 'descriptor'>) {
    Object.assign(this, fields);
  }

  get descriptor(): SecurityDescriptor {
    return parseSecurityDescriptor(this.securityDescriptor);
  }
}

/**
 * `\\corp.example\SysVol\corp.example\Policies\{GUID}` → `corp.example/Policies/{GUID}`:
 * the path below the share, whatever host and share case the UNC uses.
 */
export function sharePathOf(fileSysPath: string, dnsDomain: string, id: string): string {
  const parts = fileSysPath.split(/[\\/]+/).filter(Boolean);
  if (parts.length >= 3 && parts[1]!.toLowerCase() === 'sysvol') return parts.slice(2).join('/');
  return `${dnsDomain}/Policies/${id}`;
}
