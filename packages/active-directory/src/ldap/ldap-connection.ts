import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { ConnectionOptions } from 'node:tls';
import { Attribute, Change, Client, Control, type Entry } from 'ldapts';
import { CofferError, ErrorCode, HRESULT, invalidArgument, toCofferError } from '@coffer/core';
import { type Secret, toSecret } from '../credentials/secret.js';
import { AdErrorCode, connectionLost } from '../errors.js';
import { toLdapCofferError } from './ldap-errors.js';
import { SdFlagsControl } from './sd-flags-control.js';

/** LDAP_SERVER_TREE_DELETE_OID: delete an entry with its children. */
const TREE_DELETE_CONTROL_OID = '1.2.840.113556.1.4.805';

/** Attributes Active Directory stores as bytes; always returned as Buffers. */
export const BINARY_ATTRIBUTES = [
  'objectGUID',
  'objectSid',
  'nTSecurityDescriptor',
  'msDS-GenerationId',
  'tokenGroups',
  'sIDHistory',
  'schemaIDGUID',
  'attributeSecurityGUID',
  'securityIdentifier',
  'msDS-ManagedPasswordId',
  'thumbnailPhoto',
  'userCertificate',
  'cACertificate',
  'auditingPolicy',
  'dnsRecord',
] as const;

export interface LdapConnectOptions {
  /** The DC's fully qualified name: the TLS certificate is checked against it. */
  host: string;
  /** `ldaps` (636, default) or `starttls` (389, then StartTLS before the bind). */
  security?: 'ldaps' | 'starttls';
  port?: number;
  /** PEM file of the CA that issued the DC certificate; default: Node's trust store. */
  caFile?: string;
  /** PEM text or bytes of that CA, as an alternative to `caFile`. */
  ca?: string | Buffer;
  /**
   * Verify the server certificate (default true). `false` is for labs only and prints a warning on every connect.
   */
  tlsVerify?: boolean;
  /** Simple bind: `user@domain`, `DOMAIN\user` or a DN. Omit for an anonymous connection (rootDSE only). */
  bindName?: string;
  password?: Secret | string;
  /** Per-operation timeout in ms (default 120 000). */
  timeoutMs?: number;
  /** TCP/TLS connect timeout in ms (default 10 000). */
  connectTimeoutMs?: number;
  /** Receives warnings (verification off). Default: stderr. */
  warn?: (message: string) => void;
  /** Name of the CA option in the caller's UI, used in error hints (default `caFile`). */
  caOptionName?: string;
}

export interface RootDse {
  defaultNamingContext: string;
  configurationNamingContext: string;
  schemaNamingContext: string;
  rootDomainNamingContext: string;
  namingContexts: string[];
  dnsHostName: string;
  serverName: string;
  /** msDS-Behavior-Version of the domain (e.g. 7 = Windows Server 2016). */
  domainFunctionality: number;
  forestFunctionality: number;
  domainControllerFunctionality: number;
  supportedControls: string[];
}

export interface LdapSearchOptions {
  scope?: 'base' | 'one' | 'sub';
  filter?: string;
  attributes?: string[];
  /** LDAP_SERVER_SD_FLAGS: e.g. `SecurityInformation.Owner | Group | Dacl` (7) to read nTSecurityDescriptor without SACL rights. */
  sdFlags?: number;
  /** Page size for the paged-results control (default 500); `false` sends no paging control. */
  paged?: boolean | { pageSize: number };
  sizeLimit?: number;
  /** Further attributes to return as Buffers, on top of {@link BINARY_ATTRIBUTES}. */
  binaryAttributes?: string[];
}

/** One entry: `dn` plus attributes; binary ones are Buffers, single values stay arrays only when multi-valued. */
export interface LdapEntry {
  dn: string;
  [attribute: string]: string | string[] | Buffer | Buffer[];
}

export type LdapModification = {
  operation: 'add' | 'replace' | 'delete';
  attribute: string;
  values: Array<string | Buffer>;
};

function redactSecretInMessage(error: unknown, secret: string | undefined): unknown {
  if (!secret || !(error instanceof Error) || !error.message.includes(secret)) return error;
  error.message = error.message.split(secret).join('[secret]');
  return error;
}

/** A bound LDAP session to one DC. Create it with {@link connectLdap}. */
export class LdapConnection {
  readonly host: string;
  readonly url: string;
  readonly #client: Client;
  readonly #options: LdapConnectOptions;
  #everConnected = false;
  #closed = false;

  /** @internal use connectLdap */
  constructor(client: Client, url: string, options: LdapConnectOptions) {
    this.#client = client;
    this.url = url;
    this.host = options.host;
    this.#options = options;
  }

  /** @internal */
  markConnected(): void {
    this.#everConnected = true;
  }

  get isConnected(): boolean {
    return this.#client.isConnected;
  }

  #context(operation: string) {
    return {
      server: this.host,
      operation,
      wasConnected: this.#everConnected,
      caOption: this.#options.caOptionName ?? 'caFile',
      ...(this.#options.bindName ? { account: this.#options.bindName } : {}),
    };
  }

  /** ldapts silently reconnects unauthenticated after a drop; refuse instead, so a lost bind is never hidden. */
  #assertUsable(operation: string): void {
    if (this.#closed)
      throw new CofferError(
        AdErrorCode.ConnectionLost,
        `${operation}: the LDAP connection to ${this.host} is closed.`,
        { hresult: HRESULT.ERROR_DS_SERVER_DOWN, object: this.host, hint: 'Open a new connection with connectLdap().' },
      );
    if (this.#everConnected && !this.#client.isConnected)
      throw connectionLost(this.host, operation, HRESULT.ERROR_DS_SERVER_DOWN);
  }

  async #run<T>(operation: string, action: () => Promise<T>): Promise<T> {
    this.#assertUsable(operation);
    try {
      return await action();
    } catch (error) {
      throw toLdapCofferError(error, this.#context(operation));
    }
  }

  async rootDse(): Promise<RootDse> {
    const [entry] = await this.search('', {
      scope: 'base',
      filter: '(objectClass=*)',
      paged: false,
      attributes: [
        'defaultNamingContext',
        'configurationNamingContext',
        'schemaNamingContext',
        'rootDomainNamingContext',
        'namingContexts',
        'dnsHostName',
        'serverName',
        'domainFunctionality',
        'forestFunctionality',
        'domainControllerFunctionality',
        'supportedControl',
      ],
    });
    if (!entry)
      throw new CofferError(AdErrorCode.LdapOperationFailed, `${this.host} returned no rootDSE.`, {
        hresult: HRESULT.E_FAIL,
        object: this.host,
      });
    const one = (name: string) => {
      const value = entry[name];
      return Array.isArray(value) ? String(value[0] ?? '') : value === undefined ? '' : String(value);
    };
    const many = (name: string) => {
      const value = entry[name];
      return value === undefined ? [] : Array.isArray(value) ? value.map(String) : [String(value)];
    };
    return {
      defaultNamingContext: one('defaultNamingContext'),
      configurationNamingContext: one('configurationNamingContext'),
      schemaNamingContext: one('schemaNamingContext'),
      rootDomainNamingContext: one('rootDomainNamingContext'),
      namingContexts: many('namingContexts'),
      dnsHostName: one('dnsHostName'),
      serverName: one('serverName'),
      domainFunctionality: Number(one('domainFunctionality') || 0),
      forestFunctionality: Number(one('forestFunctionality') || 0),
      domainControllerFunctionality: Number(one('domainControllerFunctionality') || 0),
      supportedControls: many('supportedControl'),
    };
  }

  #searchArguments(options: LdapSearchOptions) {
    const controls: Control[] = options.sdFlags === undefined ? [] : [new SdFlagsControl(options.sdFlags)];
    const paged =
      options.paged === undefined || options.paged === true
        ? { pageSize: 500 }
        : options.paged === false
          ? false
          : { pageSize: options.paged.pageSize };
    return {
      searchOptions: {
        scope: options.scope ?? 'sub',
        filter: options.filter ?? '(objectClass=*)',
        ...(options.attributes ? { attributes: options.attributes } : {}),
        ...(options.sizeLimit ? { sizeLimit: options.sizeLimit } : {}),
        paged,
        explicitBufferAttributes: [...BINARY_ATTRIBUTES, ...(options.binaryAttributes ?? [])],
      },
      controls,
    };
  }

  /** Searches and returns every entry (all pages). */
  async search(base: string, options: LdapSearchOptions = {}): Promise<LdapEntry[]> {
    const entries: LdapEntry[] = [];
    for await (const page of this.searchPages(base, options)) entries.push(...page);
    return entries;
  }

  /** Searches page by page, so large results stream; each page is an array of entries. */
  async *searchPages(base: string, options: LdapSearchOptions = {}): AsyncGenerator<LdapEntry[]> {
    const operation = `search of ${base === '' ? 'the rootDSE' : base}`;
    this.#assertUsable(operation);
    const { searchOptions, controls } = this.#searchArguments(options);
    try {
      if (searchOptions.paged === false) {
        const result = await this.#client.search(base, searchOptions, controls);
        yield result.searchEntries.map(toLdapEntry);
        return;
      }
      for await (const page of this.#client.searchPaginated(base, searchOptions, controls)) {
        yield page.searchEntries.map(toLdapEntry);
        this.#assertUsable(operation);
      }
    } catch (error) {
      throw toLdapCofferError(error, this.#context(operation));
    }
  }

  async add(dn: string, attributes: Record<string, string | Buffer | Array<string | Buffer>>): Promise<void> {
    const list = Object.entries(attributes).map(([type, value]) => new Attribute({ type, values: toValues(value) }));
    await this.#run(`add of ${dn}`, () => this.#client.add(dn, list));
  }

  async modify(dn: string, modifications: LdapModification[], options: { sdFlags?: number } = {}): Promise<void> {
    const changes = modifications.map(
      (m) =>
        new Change({
          operation: m.operation,
          modification: new Attribute({ type: m.attribute, values: toValues(m.values) }),
        }),
    );
    const controls = options.sdFlags === undefined ? [] : [new SdFlagsControl(options.sdFlags)];
    await this.#run(`modify of ${dn}`, () => this.#client.modify(dn, changes, controls));
  }

  /** Deletes an entry; `recursive` sends the tree-delete control so children go too. */
  async del(dn: string, options: { recursive?: boolean } = {}): Promise<void> {
    const controls = options.recursive ? [new Control(TREE_DELETE_CONTROL_OID, { critical: true })] : [];
    await this.#run(`delete of ${dn}`, () => this.#client.del(dn, controls));
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      await this.#client.unbind();
    } catch {
      // the connection is already gone: closing is done either way
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

function toValues(value: string | Buffer | Array<string | Buffer>): Buffer[] | string[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.some((v) => Buffer.isBuffer(v))) return list.map((v) => (Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8')));
  return list as string[];
}

/**
 * ldapts hands binary values as views into the buffer a message arrived in (a whole TLS read, often 16 KiB or more,
 * grown by concatenation when a message spans reads): a caller keeping one small value, such as each GPO's
 * nTSecurityDescriptor for the whole backup, would keep every receive buffer of the search alive. Each value gets its
 * own copy (small copies share Node's 8 KiB allocation pool, packed one after the other).
 */
function toLdapEntry(entry: Entry): LdapEntry {
  for (const [name, value] of Object.entries(entry)) {
    if (Buffer.isBuffer(value)) entry[name] = Buffer.from(value);
    else if (Array.isArray(value) && value.some((item) => Buffer.isBuffer(item)))
      entry[name] = (value as Array<string | Buffer>).map((item) =>
        Buffer.isBuffer(item) ? Buffer.from(item) : item,
      ) as Buffer[];
  }
  return entry as LdapEntry;
}

/**
 * Connects to a DC over LDAPS (or LDAP + StartTLS), verifies its certificate against `caFile` or the system store,
 * and binds. The password is read from the Secret only when the bind request is built.
 */
export async function connectLdap(options: LdapConnectOptions): Promise<LdapConnection> {
  if (!options.host) throw invalidArgument('connectLdap needs the DC host name (its FQDN, as in its certificate).');
  const security = options.security ?? 'ldaps';
  const verify = options.tlsVerify !== false;
  const warn = options.warn ?? ((message: string) => process.stderr.write(`warning: ${message}\n`));
  if (!verify) {
    warn(
      `TLS certificate verification is OFF for ${options.host}: anyone on the network path can read the password and the data. Use only in a lab; pass the DC's CA with caFile instead.`,
    );
  }
  let ca: string | Buffer | undefined = options.ca;
  if (ca === undefined && options.caFile !== undefined) {
    try {
      ca = await readFile(options.caFile);
    } catch (error) {
      throw caFileError(options.caFile, error);
    }
  }
  // An IP literal (IPv6 with or without brackets) is a valid --dc: the URL needs IPv6 in brackets, and TLS sends no
  // server name for an address (RFC 6066), so the certificate must then name that address.
  const bareHost = options.host.replace(/^\[(.*)\]$/, '$1');
  const ipVersion = isIP(bareHost);
  const tlsOptions: ConnectionOptions = {
    ...(ipVersion === 0 ? { servername: bareHost } : {}),
    rejectUnauthorized: verify,
    minVersion: 'TLSv1.2',
    ...(ca !== undefined ? { ca } : {}),
  };
  const port = options.port ?? (security === 'ldaps' ? 636 : 389);
  const url = `${security === 'ldaps' ? 'ldaps' : 'ldap'}://${ipVersion === 6 ? `[${bareHost}]` : bareHost}:${port}`;
  const client = new Client({
    url,
    timeout: options.timeoutMs ?? 120_000,
    connectTimeout: options.connectTimeoutMs ?? 10_000,
    ...(security === 'ldaps' ? { tlsOptions } : {}),
    strictDN: false,
  });
  const connection = new LdapConnection(client, url, options);
  const password = options.password === undefined ? undefined : toSecret(options.password);
  const context = (operation: string, wasConnected: boolean) => ({
    server: options.host,
    operation,
    wasConnected,
    caOption: options.caOptionName ?? 'caFile',
    ...(options.bindName ? { account: options.bindName } : {}),
  });
  try {
    if (security === 'starttls') await client.startTLS(tlsOptions);
  } catch (error) {
    await client.unbind().catch(() => undefined);
    throw toLdapCofferError(error, context('StartTLS', false));
  }
  if (options.bindName !== undefined) {
    if (password === undefined)
      throw invalidArgument(`connectLdap: bindName ${options.bindName} was given without a password.`);
    try {
      await client.bind(options.bindName, password.reveal());
    } catch (error) {
      await client.unbind().catch(() => undefined);
      throw toLdapCofferError(redactSecretInMessage(error, password.reveal()), context('bind', false));
    }
  } else if (security === 'ldaps') {
    // Anonymous: make the TLS handshake happen now so certificate problems surface at connect time.
    try {
      await client.search('', { scope: 'base', filter: '(objectClass=*)', attributes: ['dnsHostName'] });
    } catch (error) {
      await client.unbind().catch(() => undefined);
      throw toLdapCofferError(error, context('connect', false));
    }
  }
  connection.markConnected();
  return connection;
}

/**
 * Why the CA file could not be read, as it is: only a missing file is ERROR_FILE_NOT_FOUND. A file the account may
 * not read, or a folder given in its place, is fixed differently (permissions; the path), so it is said differently.
 */
function caFileError(path: string, error: unknown): CofferError {
  const hint = 'Give the PEM file of the CA that issued the domain controller certificate.';
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return new CofferError(AdErrorCode.PathNotFound, `The CA file ${path} does not exist.`, {
        hresult: HRESULT.ERROR_FILE_NOT_FOUND,
        object: path,
        hint,
        cause: error,
      });
    case 'ENOTDIR':
      return new CofferError(
        AdErrorCode.PathNotFound,
        `The CA file ${path} does not exist: part of its path is a file, not a folder.`,
        { hresult: HRESULT.ERROR_PATH_NOT_FOUND, object: path, hint, cause: error },
      );
    case 'EACCES':
    case 'EPERM':
      return new CofferError(
        ErrorCode.AccessDenied,
        `The CA file ${path} exists but this account may not read it (permission denied).`,
        {
          hresult: HRESULT.E_ACCESSDENIED,
          object: path,
          hint: 'Make it (and the folders above it) readable by the account Coffer runs as.',
          cause: error,
        },
      );
    case 'EISDIR':
      return invalidArgument(`The CA file ${path} is a folder, not a PEM file.`, { object: path, hint, cause: error });
    default: {
      const failure = toCofferError(error, path);
      return new CofferError(failure.code, `Cannot read the CA file ${path}: ${failure.message}`, {
        hresult: failure.hresult,
        object: path,
        hint,
        cause: error,
      });
    }
  }
}
