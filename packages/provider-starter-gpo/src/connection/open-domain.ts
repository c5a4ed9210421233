/**
 * Reaches the domain the way the options say: SYSVOL over SMB (smbclient) with the DC given, or a local/mounted
 * SYSVOL path. With a DC, LDAP (LDAPS, CA verified) is used once, to check the account and to read the domain
 * head's objectGUID that GPMC records as GPODomainGuid; Starter GPOs themselves live only in SYSVOL.
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CofferError, ErrorCode, HRESULT, pathNotFound, type OperationContext } from '@coffer/core';
import { connectDomain, createLocalSysvolSource, createSmbclientSysvolSource, type Credentials, type SysvolSource } from '@coffer/active-directory';
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

/** The domain's DNS name, its head's objectGUID (braced lower-case, GPMC's GPODomainGuid), its SID and the DC's own FQDN. */
async function readDomainFacts(
  options: StarterGpoConnectionOptions & { dc: string },
  context: Pick<OperationContext, 'report'>,
): Promise<{ credentials: Credentials; domain: string; guid: string; sid: string; dcHostName: string }> {
  const { credentials, ldap, facts } = await connectDomain(options, (message) => context.report(message));
  await ldap.close();
  const domain = facts.dnsDomain.toLowerCase();
  if (options.domain !== undefined && domain !== options.domain.toLowerCase()) {
    throw new CofferError(ErrorCode.InvalidArgument, `${options.dc} serves the domain ${domain}, not ${options.domain}.`, {
      hresult: HRESULT.E_INVALIDARG,
      object: options.domain,
      hint: `Pass --domain ${domain}, or a DC of ${options.domain}.`,
    });
  }
  return { credentials, domain, guid: facts.domainGuid, sid: facts.domainSid, dcHostName: facts.dcHostName };
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
    const facts = await readDomainFacts({ ...options, dc: options.dc }, context);
    credentials = facts.credentials;
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
      close: () => sysvol.close(),
    };
  }
  // With a DC the domain SID is known, which writing ACLs over SMB needs.
  const sysvol = await createSmbclientSysvolSource({ host: options.dc!, credentials: credentials!, domainSid, report: (message) => context.report(message) });
  return {
    sysvol,
    source: { domain, domainGuid, domainController, transport: 'smb' },
    aclSource: 'smbcacls',
    aclWritable: true,
    domainSid,
    close: () => sysvol.close(),
  };
}
