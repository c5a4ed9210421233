import {
  connectDomain,
  createLocalSysvolSource,
  createSmbclientSysvolSource,
  type DomainFacts,
  type LdapConnection,
  type SysvolSource,
} from '@coffer/active-directory';
import type { OperationContext } from '@coffer/core';
import type { ConnectionOptions } from '../options.js';

/**
 * A bound LDAP connection and a SYSVOL source for one domain, with the facts every reader needs
 * (`dnsDomain` is --domain when given: it names the SYSVOL domain folder).
 */
export interface DomainSession extends DomainFacts {
  ldap: LdapConnection;
  sysvol: SysvolSource;
  close(): Promise<void>;
}

/** Opens LDAP (TLS verified unless told otherwise) and SYSVOL (local path or smbclient) for a provider run. */
export async function openDomainSession(options: ConnectionOptions, context: OperationContext): Promise<DomainSession> {
  const report = context.report.bind(context);
  const { credentials, ldap, facts } = await connectDomain(options, report);
  try {
    const dnsDomain = options.domain ?? facts.dnsDomain;
    // The smbclient source needs the domain SID to write ACLs naming DA, EA... (restore and import set the GPT folder's ACL).
    const sysvol = options.sysvol
      ? createLocalSysvolSource({ root: options.sysvol })
      : await createSmbclientSysvolSource({ host: options.dc, domainSid: facts.domainSid, credentials, report });
    return {
      ...facts,
      dnsDomain,
      netbiosDomain: facts.netbiosDomain || dnsDomain.split('.')[0]!.toUpperCase(),
      ldap,
      sysvol,
      close: async () => {
        await sysvol.close().catch(() => undefined);
        await ldap.close();
      },
    };
  } catch (error) {
    await ldap.close();
    throw error;
  }
}
