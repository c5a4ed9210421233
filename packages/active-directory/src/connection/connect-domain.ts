import { CofferError, HRESULT, type StatusMessage } from '@coffer/core';
import type { Credentials } from '../credentials/read-credentials.js';
import { connectLdap, type LdapConnection, type LdapEntry } from '../ldap/ldap-connection.js';
import { dnsNameFromDn, escapeFilterValue } from '../ldap/ldap-names.js';
import { parseBracedGuid } from '../security/guid.js';
import { parseSid } from '../security/sid.js';
import type { AdConnectionOptions } from './connection-options.js';
import { credentialsFromOptions, type AccountOptions } from './credentials-from-options.js';

/** What every provider reads about the domain it works on, from the DC's rootDSE, domain head and crossRef. */
export interface DomainFacts {
  /** The domain naming context, e.g. `DC=corp,DC=example`. */
  baseDn: string;
  configurationDn: string;
  /** DNS name of the domain, as SYSVOL and GPMC spell it (the crossRef's dnsRoot, else read from `baseDn`). */
  dnsDomain: string;
  /** NetBIOS name of the domain (the crossRef's nETBIOSName); `''` when the DC does not say. */
  netbiosDomain: string;
  /** objectGUID of the domain head, braced lower case (GPMC's GPODomainGuid). */
  domainGuid: string;
  /** objectSid of the domain head (`S-1-5-21-…`): smbcacls and Samba need it to write ACLs naming DA, EA… */
  domainSid: string;
  /** FQDN of the DC connected to (rootDSE dnsHostName, else the name it was reached by). */
  dcHostName: string;
}

/** An open, bound LDAP connection to a DC, the account it bound as and what it said about its domain. */
export interface DomainConnection {
  credentials: Credentials;
  ldap: LdapConnection;
  facts: DomainFacts;
}

/** What {@link connectDomain} needs: the account and how to reach the DC's LDAP. */
export type DomainConnectOptions = AccountOptions & { dc: string } & Partial<
    Pick<AdConnectionOptions, 'caFile' | 'tlsVerify' | 'ldapSecurity'>
  >;

/**
 * Binds to the DC's LDAP with the options' account (LDAPS or StartTLS, the certificate verified against `caFile`
 * or the system store unless `tlsVerify` is false, which `report`s a TLS_VERIFY_OFF warning) and reads the
 * {@link DomainFacts}. The caller closes `ldap`; on failure nothing is left open.
 */
export async function connectDomain(
  options: DomainConnectOptions,
  report?: (message: StatusMessage) => void,
): Promise<DomainConnection> {
  const credentials = await credentialsFromOptions(options, report);
  const ldap = await connectLdap({
    host: options.dc,
    security: options.ldapSecurity ?? 'ldaps',
    ...(options.caFile === undefined ? {} : { caFile: options.caFile }),
    tlsVerify: options.tlsVerify ?? true,
    bindName: `${credentials.user}@${credentials.domain}`,
    password: credentials.password,
    caOptionName: '--ca-file',
    warn: (message) => report?.({ severity: 'warning', code: 'TLS_VERIFY_OFF', message, object: options.dc }),
  });
  try {
    return { credentials, ldap, facts: await readDomainFacts(ldap, options.dc) };
  } catch (error) {
    await ldap.close();
    throw error;
  }
}

/** Reads the {@link DomainFacts} over a bound connection; `dc` is the name the DC was reached by. */
export async function readDomainFacts(ldap: LdapConnection, dc: string): Promise<DomainFacts> {
  const root = await ldap.rootDse();
  const [head] = await ldap.search(root.defaultNamingContext, {
    scope: 'base',
    attributes: ['objectGUID', 'objectSid'],
    paged: false,
  });
  if (!head)
    throw new CofferError('DOMAIN_NOT_FOUND', `${dc} did not return its domain head ${root.defaultNamingContext}.`, {
      hresult: HRESULT.ERROR_NOT_FOUND,
      object: dc,
    });
  const [partition] = await ldap.search(`CN=Partitions,${root.configurationNamingContext}`, {
    scope: 'one',
    filter: `(&(objectClass=crossRef)(nCName=${escapeFilterValue(root.defaultNamingContext)}))`,
    attributes: ['nETBIOSName', 'dnsRoot'],
    paged: false,
  });
  return {
    baseDn: root.defaultNamingContext,
    configurationDn: root.configurationNamingContext,
    dnsDomain: (partition && firstText(partition, 'dnsRoot')) || dnsNameFromDn(root.defaultNamingContext),
    netbiosDomain: (partition && firstText(partition, 'nETBIOSName')) || '',
    domainGuid: parseBracedGuid(binary(head, 'objectGUID'), 0, 'lower'),
    domainSid: parseSid(binary(head, 'objectSid')),
    dcHostName: root.dnsHostName || dc,
  };
}

function firstText(entry: LdapEntry, name: string): string {
  const key = Object.keys(entry).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : entry[key];
  const first = Array.isArray(value) ? value[0] : value;
  if (first === undefined) return '';
  return Buffer.isBuffer(first) ? first.toString('utf8') : String(first);
}

function binary(entry: LdapEntry, name: string): Buffer {
  const value = entry[name];
  const buffer = Array.isArray(value) ? value[0] : value;
  if (!Buffer.isBuffer(buffer))
    throw new CofferError('LDAP_ATTRIBUTE_MISSING', `${entry.dn} has no ${name}.`, {
      hresult: HRESULT.ERROR_INVALID_DATA,
      object: entry.dn,
    });
  return buffer;
}
