import {
  openDomainSession as openAdDomainSession,
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

/** active-directory's domain session (shared with the Starter GPO provider), with LDAP kept: GPOs live in AD. */
export async function openDomainSession(options: ConnectionOptions, context: OperationContext): Promise<DomainSession> {
  const session = await openAdDomainSession(options, context, { keepLdap: true });
  const facts = session.facts!;
  return {
    ...facts,
    dnsDomain: session.dnsDomain,
    netbiosDomain: facts.netbiosDomain || session.dnsDomain.split('.')[0]!.toUpperCase(),
    ldap: session.ldap!,
    sysvol: session.sysvol,
    close: () => session.close(),
  };
}
