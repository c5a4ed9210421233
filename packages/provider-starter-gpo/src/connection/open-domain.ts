/**
 * Reaches the domain the way the options say: SYSVOL over SMB (smbclient) with the DC given, or a local/mounted
 * SYSVOL path. With a DC, LDAP (LDAPS, CA verified) is used once, to check the account and to read the domain
 * head's objectGUID that GPMC records as GPODomainGuid; Starter GPOs themselves live only in SYSVOL.
 */
import { lookup } from 'node:dns/promises';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CofferError, ErrorCode, HRESULT, pathNotFound, type OperationContext } from '@coffer/core';
import {
  connectLdap,
  createLocalSysvolSource,
  createSmbclientSysvolSource,
  parseBracedGuid,
  parseSid,
  readCredentials,
  splitAccount,
  toSecret,
  type Credentials,
  type SysvolSource,
} from '@coffer/active-directory';
import type { StarterGpoBackupSource } from '../backup/write-starter-gpo-backups.js';
import type { StarterGpoConnectionOptions } from '../options.js';
import { localSysvolWriteTools, smbclientSysvolWriteTools, type SysvolWriteTools } from './sysvol-write-tools.js';

export interface OpenedDomain {
  sysvol: SysvolSource;
  source: StarterGpoBackupSource;
  /** How folder ACLs are read, for the extras file. */
  aclSource: string;
  /** Whether folder ACLs can be written (a local SYSVOL needs the DC's smb.conf for samba-tool). */
  aclWritable: boolean;
  /** objectSid of the domain head (`S-1-5-21-…`); `''` without a DC. Writing ACLs over SMB needs it. */
  domainSid: string;
  /** Opens what a staged write needs beyond the source (folder rename, exact ACL writes); the caller closes it. */
  openWriteTools(context: Pick<OperationContext, 'report'>): Promise<SysvolWriteTools>;
  close(): Promise<void>;
}

function dnsDomainOf(namingContext: string): string {
  return namingContext
    .split(',')
    .map((part) => part.trim())
    .filter((part) => /^dc=/i.test(part))
    .map((part) => part.slice(3))
    .join('.')
    .toLowerCase();
}

/** The account's own domain comes from `user@domain` / `DOMAIN\\user` when written so; --domain otherwise. */
function accountDomain(options: StarterGpoConnectionOptions): string | undefined {
  return /[@\\]/.test(options.user!) ? undefined : options.domain;
}

async function credentialsFor(options: StarterGpoConnectionOptions): Promise<Credentials> {
  const domain = accountDomain(options);
  if (options.password !== undefined) {
    const account = splitAccount(options.user!, domain);
    return { ...account, password: toSecret(options.password), source: 'value' };
  }
  return readCredentials({
    user: options.user!,
    ...(domain === undefined ? {} : { domain }),
    ...(options.passwordFile === undefined ? {} : { passwordFile: options.passwordFile }),
    prompt: false,
  });
}

/** The domain's DNS name, its head's objectGUID (braced lower-case, GPMC's GPODomainGuid) and the DC's own FQDN. */
async function readDomainFacts(
  options: StarterGpoConnectionOptions,
  credentials: Credentials,
  context: Pick<OperationContext, 'report'>,
): Promise<{ domain: string; guid: string; sid: string; dcHostName: string }> {
  const ldap = await connectLdap({
    host: options.dc!,
    security: options.ldapSecurity,
    ...(options.caFile === undefined ? {} : { caFile: options.caFile }),
    tlsVerify: options.tlsVerify,
    bindName: `${credentials.user}@${credentials.domain}`,
    password: credentials.password,
    caOptionName: '--ca-file',
    warn: (message) => context.report({ severity: 'warning', code: 'TLS_VERIFY_OFF', message, object: options.dc! }),
  });
  try {
    const root = await ldap.rootDse();
    const domain = dnsDomainOf(root.defaultNamingContext);
    if (options.domain !== undefined && domain !== options.domain.toLowerCase()) {
      throw new CofferError(ErrorCode.InvalidArgument, `${options.dc} serves the domain ${domain}, not ${options.domain}.`, {
        hresult: HRESULT.E_INVALIDARG,
        object: options.domain,
        hint: `Pass --domain ${domain}, or a DC of ${options.domain}.`,
      });
    }
    const [head] = await ldap.search(root.defaultNamingContext, { scope: 'base', attributes: ['objectGUID', 'objectSid'], paged: false });
    const guid = head?.['objectGUID'];
    if (!Buffer.isBuffer(guid)) {
      throw new CofferError('LDAP_OPERATION_FAILED', `${options.dc} returned no objectGUID for ${root.defaultNamingContext}.`, {
        hresult: HRESULT.E_FAIL,
        object: root.defaultNamingContext,
      });
    }
    const sid = head?.['objectSid'];
    return { domain, guid: parseBracedGuid(guid, 0, 'lower'), sid: Buffer.isBuffer(sid) ? parseSid(sid) : '', dcHostName: root.dnsHostName || options.dc! };
  } finally {
    await ldap.close();
  }
}

/** A local SYSVOL path may be the share root (holding `<domain>/`) or the domain's own folder. */
async function localSysvolRoot(path: string, domain: string): Promise<string> {
  const isDirectory = async (candidate: string) => (await stat(candidate).catch(() => undefined))?.isDirectory() === true;
  if (!(await isDirectory(path))) throw pathNotFound(path, 'SYSVOL folder', 'Give the folder shared as SYSVOL (it holds a folder named after the domain).');
  if (await isDirectory(join(path, domain))) return path;
  const parent = join(path, '..');
  if (path.replace(/[\\/]+$/, '').split(/[\\/]/).pop()?.toLowerCase() === domain.toLowerCase()) return parent;
  throw new CofferError(ErrorCode.PathNotFound, `${path} holds no folder named ${domain}: it is not the SYSVOL of that domain.`, {
    hresult: HRESULT.ERROR_PATH_NOT_FOUND,
    object: join(path, domain),
    hint: 'Give the SYSVOL share folder (Samba: <state dir>/sysvol) and check --domain.',
  });
}

export async function openDomain(options: StarterGpoConnectionOptions, context: Pick<OperationContext, 'report' | 'throwIfCancelled'>): Promise<OpenedDomain> {
  let domain = options.domain?.toLowerCase() ?? '';
  let domainGuid = '';
  let domainSid = '';
  let domainController = '';
  let credentials: Credentials | undefined;
  if (options.dc !== undefined) {
    credentials = await credentialsFor(options);
    const facts = await readDomainFacts(options, credentials, context);
    domain = facts.domain;
    domainGuid = facts.guid;
    domainSid = facts.sid;
    domainController = facts.dcHostName;
  } else {
    context.report({
      severity: 'info',
      code: 'NO_DOMAIN_CONTROLLER',
      message: 'No domain controller was given: the backups record an empty GPODomainGuid and GPODomainController.',
      object: domain,
    });
  }
  context.throwIfCancelled();
  if (options.sysvol !== undefined) {
    const root = await localSysvolRoot(options.sysvol, domain);
    const sysvol = createLocalSysvolSource({ root, ...(options.smbConf === undefined ? {} : { smbConfPath: options.smbConf }) });
    return {
      sysvol,
      source: { domain, domainGuid, domainController, transport: 'local' },
      aclSource: 'samba-tool ntacl',
      aclWritable: options.smbConf !== undefined,
      domainSid,
      openWriteTools: async () => localSysvolWriteTools(root, sysvol),
      close: () => sysvol.close(),
    };
  }
  // Resolved once, as the SYSVOL source does, so the renamer talks to the same DC.
  let address: string;
  try {
    address = (await lookup(options.dc!, { family: 0 })).address;
  } catch (error) {
    throw new CofferError('AD_SERVER_UNREACHABLE', `Cannot resolve the domain controller name ${options.dc}.`, {
      hresult: HRESULT.ERROR_DS_SERVER_DOWN,
      object: options.dc!,
      hint: 'Check DNS or /etc/hosts for the DC name.',
      cause: error,
    });
  }
  const smbCredentials = { user: credentials!.user, domain: credentials!.domain, password: credentials!.password };
  const sysvol = await createSmbclientSysvolSource({
    host: options.dc!,
    address,
    credentials: smbCredentials,
    ...(domainSid === '' ? {} : { domainSid }),
  });
  return {
    sysvol,
    source: { domain, domainGuid, domainController, transport: 'smb' },
    aclSource: 'smbcacls',
    aclWritable: domainSid !== '',
    domainSid,
    openWriteTools: (toolContext) => smbclientSysvolWriteTools({ host: options.dc!, address, credentials: smbCredentials, domainSid, sysvol, context: toolContext }),
    close: () => sysvol.close(),
  };
}
