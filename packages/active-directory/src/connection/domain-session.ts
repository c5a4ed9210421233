import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CofferError, ErrorCode, HRESULT, pathNotFound, type StatusMessage } from '@coffer/core';
import type { LdapConnection } from '../ldap/ldap-connection.js';
import { createLocalSysvolSource } from '../sysvol/local-sysvol.js';
import { createSmbclientSysvolSource } from '../sysvol/smbclient-sysvol.js';
import type { SysvolSource } from '../sysvol/sysvol-source.js';
import { connectDomain, type DomainConnectOptions, type DomainFacts } from './connect-domain.js';

/** How to reach a domain: a DC (LDAP, and SYSVOL over SMB unless `sysvol` is given), or a local SYSVOL alone. */
export type DomainSessionOptions = Omit<DomainConnectOptions, 'dc'> & {
  dc?: string | undefined;
  /** DNS name of the domain; with a DC it must be the DC's own domain. */
  domain?: string | undefined;
  /** A local or mounted SYSVOL: the share root (holding `<domain>/`) or the domain's own folder. */
  sysvol?: string | undefined;
  /** smb.conf of the DC owning a local SYSVOL, so samba-tool can read and write its NT ACLs. */
  smbConf?: string | undefined;
};

/** One domain as a Group Policy provider works on it: what the DC said, LDAP when kept, and SYSVOL. */
export interface DomainSession {
  /** The DC's facts; undefined when no DC was given (a local SYSVOL alone). */
  facts: DomainFacts | undefined;
  /** Bound LDAP, kept open only when asked for (`keepLdap`); the session closes it. */
  ldap: LdapConnection | undefined;
  /** DNS name of the domain: `domain` when given, else the DC's. It names the SYSVOL domain folder. */
  dnsDomain: string;
  sysvol: SysvolSource;
  transport: 'local' | 'smb';
  close(): Promise<void>;
}

export interface DomainSessionContext {
  report(message: StatusMessage): void;
  throwIfCancelled?(): void;
}

/** A local SYSVOL path may be the share root (holding `<domain>/`) or the domain's own folder; the share root is returned. */
async function localSysvolRoot(path: string, domain: string): Promise<string> {
  const isDirectory = async (candidate: string) =>
    (await stat(candidate).catch(() => undefined))?.isDirectory() === true;
  if (!(await isDirectory(path)))
    throw pathNotFound(
      path,
      'SYSVOL folder',
      'Give the folder shared as SYSVOL (it holds a folder named after the domain).',
    );
  if (await isDirectory(join(path, domain))) return path;
  if (
    path
      .replace(/[\\/]+$/, '')
      .split(/[\\/]/)
      .pop()
      ?.toLowerCase() === domain.toLowerCase()
  )
    return join(path, '..');
  throw new CofferError(
    ErrorCode.PathNotFound,
    `${path} holds no folder named ${domain}: it is not the SYSVOL of that domain.`,
    {
      hresult: HRESULT.ERROR_PATH_NOT_FOUND,
      object: join(path, domain),
      hint: 'Give the SYSVOL share folder (Samba: <state dir>/sysvol) and check --domain.',
    },
  );
}

/**
 * Opens a domain for a Group Policy provider (the one domain opening of the GPO and Starter GPO providers). With a
 * DC: binds LDAP (TLS verified unless told otherwise), reads the {@link DomainFacts}, refuses a `domain` that is not
 * the DC's, and keeps LDAP open only with `keepLdap` (Starter GPOs live in SYSVOL alone). Without one (only when
 * `requireDc` is false): reports NO_DOMAIN_CONTROLLER, since the facts GPMC records stay empty. SYSVOL is the local
 * path when given (share root or domain folder), else smbclient on the DC, which needs the domain SID to write ACLs
 * naming DA, EA…. On failure nothing is left open.
 */
export async function openDomainSession(
  options: DomainSessionOptions,
  context: DomainSessionContext,
  mode: { keepLdap: boolean },
): Promise<DomainSession> {
  const report = (message: StatusMessage) => context.report(message);
  let connection: Awaited<ReturnType<typeof connectDomain>> | undefined;
  if (options.dc !== undefined) {
    connection = await connectDomain({ ...options, dc: options.dc }, report);
    if (!mode.keepLdap) await connection.ldap.close();
  } else {
    report({
      severity: 'info',
      code: 'NO_DOMAIN_CONTROLLER',
      message: 'No domain controller was given: the backups record an empty GPODomainGuid and GPODomainController.',
      object: options.domain ?? '',
    });
  }
  const ldap = mode.keepLdap ? connection?.ldap : undefined;
  try {
    const facts = connection?.facts;
    if (
      facts !== undefined &&
      options.domain !== undefined &&
      facts.dnsDomain.toLowerCase() !== options.domain.toLowerCase()
    ) {
      throw new CofferError(
        ErrorCode.InvalidArgument,
        `${options.dc} serves the domain ${facts.dnsDomain.toLowerCase()}, not ${options.domain}.`,
        {
          hresult: HRESULT.E_INVALIDARG,
          object: options.domain,
          hint: `Pass --domain ${facts.dnsDomain.toLowerCase()}, or a DC of ${options.domain}.`,
        },
      );
    }
    const dnsDomain = options.domain ?? facts?.dnsDomain ?? '';
    context.throwIfCancelled?.();
    if (options.sysvol !== undefined) {
      const root = await localSysvolRoot(options.sysvol, dnsDomain);
      const sysvol = createLocalSysvolSource({
        root,
        ...(options.smbConf === undefined ? {} : { smbConfPath: options.smbConf }),
      });
      return { facts, ldap, dnsDomain, sysvol, transport: 'local', close: closer(sysvol, ldap) };
    }
    if (connection === undefined)
      throw new CofferError(
        ErrorCode.InvalidArgument,
        'Give --dc (SYSVOL over SMB) or --sysvol (a local SYSVOL path).',
        { hresult: HRESULT.E_INVALIDARG },
      );
    const sysvol = await createSmbclientSysvolSource({
      host: options.dc!,
      domainSid: connection.facts.domainSid,
      credentials: connection.credentials,
      report,
    });
    return { facts, ldap, dnsDomain, sysvol, transport: 'smb', close: closer(sysvol, ldap) };
  } catch (error) {
    await ldap?.close();
    throw error;
  }
}

function closer(sysvol: SysvolSource, ldap: LdapConnection | undefined): () => Promise<void> {
  return async () => {
    await sysvol.close().catch(() => undefined);
    await ldap?.close();
  };
}
