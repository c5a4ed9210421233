/**
 * Reaches the domain the way the options say, through active-directory's domain session (shared with the GPO
 * provider): SYSVOL over SMB with the DC given, or a local/mounted SYSVOL path. With a DC, LDAP (TLS verified) is used
 * once, to check the account and read the domain head's objectGUID that GPMC records as GPODomainGuid; Starter GPOs
 * themselves live only in SYSVOL.
 */
import { openDomainSession, type SysvolSource } from '@coffer/active-directory';
import type { OperationContext } from '@coffer/core';
import type { StarterGpoBackupSource } from '../backup/write-starter-gpo-backups.js';
import type { StarterGpoConnectionOptions } from '../options.js';

export interface OpenedDomain {
  /** SYSVOL, for reading and for a staged write (its rename is the commit point; its writeAcl keeps ACE order). */
  sysvol: SysvolSource;
  source: StarterGpoBackupSource;
  /** How folder ACLs are read, for the extras file. */
  aclSource: string;
  /** Whether folder ACLs can be written (a local SYSVOL needs the DC's smb.conf for samba-tool). */
  aclWritable: boolean;
  /** objectSid of the domain head (`S-1-5-21-…`); `''` without a DC. Writing ACLs over SMB needs it. */
  domainSid: string;
  close(): Promise<void>;
}

export async function openDomain(
  options: StarterGpoConnectionOptions,
  context: Pick<OperationContext, 'report' | 'throwIfCancelled'>,
): Promise<OpenedDomain> {
  const session = await openDomainSession(options, context, { keepLdap: false });
  const local = session.transport === 'local';
  return {
    sysvol: session.sysvol,
    source: {
      domain: session.dnsDomain.toLowerCase(),
      domainGuid: session.facts?.domainGuid ?? '',
      domainController: session.facts?.dcHostName ?? '',
      transport: session.transport,
    },
    aclSource: local ? 'samba-tool ntacl' : 'smbcacls',
    aclWritable: local ? options.smbConf !== undefined : true,
    domainSid: session.facts?.domainSid ?? '',
    close: () => session.close(),
  };
}
