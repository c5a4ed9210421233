import {
  connectLdap,
  createLocalSysvolSource,
  createSmbclientSysvolSource,
  parseGuid,
  parseSid,
  readCredentials,
  Secret,
  splitAccount,
  type Credentials,
  type LdapConnection,
  type LdapEntry,
  type SysvolSource,
} from '@coffer/active-directory';
import { CofferError, HRESULT, type OperationContext } from '@coffer/core';
import type { ConnectionOptions } from '../options.js';
import { attributeText } from './ldap-values.js';

/** A bound LDAP connection and a SYSVOL source for one domain, with the facts every reader needs. */
export interface DomainSession {
  ldap: LdapConnection;
  sysvol: SysvolSource;
  /** e.g. `DC=corp,DC=example`. */
  baseDn: string;
  configurationDn: string;
  /** DNS name of the domain, as SYSVOL and GPMC spell it. */
  dnsDomain: string;
  netbiosDomain: string;
  /** objectGUID of the domain head, braced lower-case (GPMC's GPODomainGuid). */
  domainGuid: string;
  domainSid: string;
  /** FQDN of the DC read from (rootDSE dnsHostName). */
  dcHostName: string;
  close(): Promise<void>;
}

/** Opens LDAP (TLS verified unless told otherwise) and SYSVOL (local path or smbclient) for a provider run. */
export async function openDomainSession(options: ConnectionOptions, context: OperationContext): Promise<DomainSession> {
  const credentials = await credentialsFrom(options);
  const ldap = await connectLdap({
    host: options.dc,
    security: options.ldapSecurity,
    ...(options.caFile ? { caFile: options.caFile } : {}),
    tlsVerify: options.tlsVerify,
    bindName: `${credentials.user}@${credentials.domain}`,
    password: credentials.password,
    caOptionName: '--ca-file',
    warn: (message) => context.report({ severity: 'warning', code: 'TLS_VERIFY_OFF', message, object: options.dc }),
  });
  try {
    const root = await ldap.rootDse();
    const [head] = await ldap.search(root.defaultNamingContext, { scope: 'base', attributes: ['objectGUID', 'objectSid'], paged: false });
    const [partition] = await ldap.search(`CN=Partitions,${root.configurationNamingContext}`, {
      scope: 'one',
      filter: `(&(objectClass=crossRef)(nCName=${escapeFilterValue(root.defaultNamingContext)}))`,
      attributes: ['nETBIOSName', 'dnsRoot'],
      paged: false,
    });
    if (!head) throw new CofferError('DOMAIN_NOT_FOUND', `${options.dc} did not return its domain head ${root.defaultNamingContext}.`, { hresult: HRESULT.ERROR_NOT_FOUND, object: options.dc });
    const dnsDomain = options.domain ?? (partition ? attributeText(partition, 'dnsRoot') : '') ?? dnFromBase(root.defaultNamingContext);
    const domainSid = parseSid(binary(head, 'objectSid'));
    // smbcacls needs the domain SID to write ACLs naming DA, EA... (restore and import set the GPT folder's ACL).
    const sysvol = options.sysvol
      ? createLocalSysvolSource({ root: options.sysvol })
      : await createSmbclientSysvolSource({ host: options.dc, domainSid, credentials: { user: credentials.user, domain: credentials.domain, password: credentials.password } });
    return {
      ldap,
      sysvol,
      baseDn: root.defaultNamingContext,
      configurationDn: root.configurationNamingContext,
      dnsDomain: dnsDomain || dnFromBase(root.defaultNamingContext),
      netbiosDomain: (partition && attributeText(partition, 'nETBIOSName')) || dnsDomain.split('.')[0]!.toUpperCase(),
      domainGuid: `{${parseGuid(binary(head, 'objectGUID'))}}`,
      domainSid,
      dcHostName: root.dnsHostName || options.dc,
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

/** The account and password the connection options name (also used to run smbclient for SYSVOL renames). */
export async function credentialsFrom(options: ConnectionOptions): Promise<Credentials> {
  // Without --domain and without user@domain, the DC's own DNS suffix names the domain.
  const domain = options.domain ?? (options.dc.includes('.') ? options.dc.slice(options.dc.indexOf('.') + 1) : undefined);
  if (options.password !== undefined && options.passwordFile === undefined) {
    // The host (the CLI) already took it from COFFER_PASSWORD or a prompt.
    const account = splitAccount(options.user, domain);
    return { ...account, password: new Secret(options.password), source: 'value' };
  }
  return readCredentials({
    user: options.user,
    ...(domain ? { domain } : {}),
    ...(options.passwordFile ? { passwordFile: options.passwordFile } : {}),
    prompt: false,
  });
}

function binary(entry: LdapEntry, name: string): Buffer {
  const value = entry[name];
  const buffer = Array.isArray(value) ? value[0] : value;
  if (!Buffer.isBuffer(buffer)) throw new CofferError('LDAP_ATTRIBUTE_MISSING', `${entry.dn} has no ${name}.`, { hresult: HRESULT.ERROR_INVALID_DATA, object: entry.dn });
  return buffer;
}

/** `DC=corp,DC=example` → `corp.example`. */
export function dnFromBase(baseDn: string): string {
  return baseDn
    .split(',')
    .filter((rdn) => /^dc=/i.test(rdn.trim()))
    .map((rdn) => rdn.trim().slice(3))
    .join('.')
    .toLowerCase();
}

/** RFC 4515 escaping of a value inside a search filter. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\\*()\0]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** RFC 4515 escaping of binary bytes (e.g. an objectSid) for an equality filter. */
export function escapeFilterBytes(bytes: Uint8Array): string {
  return [...bytes].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
}
