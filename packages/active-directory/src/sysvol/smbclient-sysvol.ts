import type { ChildProcess } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { extract as tarExtract, pack as tarPack, type Header } from 'tar-stream';
import { CofferError, HRESULT, invalidArgument, type StatusMessage } from '@coffer/core';
import { type Secret, toSecret } from '../credentials/secret.js';
import { AD_HRESULT, AdErrorCode } from '../errors.js';
import { smbFailure, firstNtStatus, type SmbErrorContext } from './smbclient-errors.js';
import { runTool, spawnTool, withoutPasswordNoise } from './run-tool.js';
import { sambaToolPython, setAclWithSambaPython } from './samba-python-acl.js';
import { TarArchiveEnd } from './tar-archive-end.js';
import { parseSmbclientListing, parseSmbclientListings } from './gpt-listing.js';
import { expandDomainAliases } from './sddl-domain-aliases.js';
import {
  normalizeSysvolPath,
  sysvolRenameRefused,
  type ReadTreeOptions,
  type SysvolEntry,
  type SysvolSource,
  type SysvolTreeEntry,
  type SysvolWriteEntry,
} from './sysvol-source.js';

export interface SmbclientSysvolOptions {
  /** The DC's name (FQDN); resolved once, then smbclient connects to that address. */
  host: string;
  /** Connect to this IP instead of resolving `host` (smbclient's own name cache can hold stale addresses). */
  address?: string;
  /** Default `sysvol`. */
  share?: string;
  /**
   * NTLM credentials. The password reaches smbclient/smbcacls through a pipe (PASSWD_FD) and the Python bindings
   * on stdin: never a file, a command line or an environment variable.
   */
  credentials: { user: string; domain: string; password: Secret | string };
  /**
   * The domain's SID (`S-1-5-21-…`, objectSid of the domain head). smbcacls resolves SDDL aliases such as DA
   * against the client's own SID unless told, so {@link SysvolSource.writeAcl} needs it.
   */
  domainSid?: string;
  /** A transfer with no data for this long is stopped (default 60 000 ms). */
  idleTimeoutMs?: number;
  smbclientPath?: string;
  smbcaclsPath?: string;
  /**
   * The Python with Samba's bindings (python3-samba) that {@link SysvolSource.writeAcl} uses to keep ACE order.
   * Default: the interpreter samba-tool runs on. Without the bindings, ACLs are written with smbcacls.
   */
  pythonPath?: string;
  /**
   * Receives what the caller may want to pass on to its user (e.g. an operation's `context.report`): the
   * `ACL_ORDER_CANONICAL` info, once, when ACLs fall back to smbcacls.
   */
  report?: (message: StatusMessage) => void;
}

/** Samba and Windows refuse to rename a folder with a file open below it, with either status. */
const RENAME_REFUSED_OPEN = new Set(['NT_STATUS_SHARING_VIOLATION', 'NT_STATUS_ACCESS_DENIED']);
const PATH_MISSING_STATUSES = new Set([
  'NT_STATUS_OBJECT_NAME_NOT_FOUND',
  'NT_STATUS_OBJECT_PATH_NOT_FOUND',
  'NT_STATUS_NO_SUCH_FILE',
  'NT_STATUS_NOT_FOUND',
]);
/** How much of smbclient's stdout is kept for its messages (in tar mode they follow the archive). */
const STDOUT_TAIL_BYTES = 4096;
/** How many file names one tar transfer of {@link SysvolSource.readFiles} carries on smbclient's command line. */
const READ_FILES_BATCH = 500;
/** smbclient's `-c` splits on `;` and quotes with `"`: a path holding either cannot be passed safely. */
function commandPath(path: string): string {
  const normalized = normalizeSysvolPath(path);
  if (/[";\r\n]/.test(normalized)) {
    throw new CofferError(
      AdErrorCode.UnsupportedPath,
      `The SYSVOL path ${normalized} contains a character smbclient commands cannot carry (" ; or a line break).`,
      {
        hresult: HRESULT.E_INVALIDARG,
        object: normalized,
        hint: 'Files with such names inside a folder are fine (they travel in the tar stream); only the folder named in the call must avoid them.',
      },
    );
  }
  return normalized;
}

/** A tar header's modification time as whole seconds (smbclient writes seconds), when it has one. */
function tarTime(header: Header): { mtime?: number } {
  return header.mtime instanceof Date ? { mtime: Math.floor(header.mtime.getTime() / 1000) } : {};
}

function stripTarName(name: string, root: string): string | null {
  const clean = name.replace(/^\.\//, '').replace(/\/+$/, '');
  if (clean.toLowerCase() === root.toLowerCase()) return '';
  if (root === '') return clean;
  // SMB names are case-insensitive: the server may spell the root as stored rather than as asked.
  if (clean.toLowerCase().startsWith(`${root.toLowerCase()}/`)) return ownCopy(clean.slice(root.length + 1));
  return null;
}

/**
 * A string of its own with the same text. A slice of a string (13 characters or more) is a view that keeps the whole
 * string it was cut from alive: every path a reader keeps (a GPO backup keeps a few for each of 10,000 GPOs until the
 * stream has passed them) held the header's whole name with the share root in front. The copy is checked against the
 * original, so a name UTF-8 cannot carry exactly (a lone surrogate) stays as it was.
 */
function ownCopy(text: string): string {
  const copy = Buffer.from(text, 'utf8').toString('utf8');
  return copy === text ? copy : text;
}

interface RunningTransfer {
  child: ChildProcess;
  stderr: () => string;
  /** The last bytes smbclient wrote to stdout: in tar mode its error messages land there, after the archive. */
  stdoutTail: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  dataSeen: () => boolean;
  timedOut: () => boolean;
}

/** The first `length` characters of a path's first component, lower-cased (SMB matches patterns without case). */
function prefixOf(path: string, length: number): string {
  const slash = path.indexOf('/');
  return (slash < 0 ? path : path.slice(0, slash)).slice(0, length).toLowerCase();
}

/**
 * A folder's names split into `sessions` sets of prefixes for parallel `ls "<prefix>*"` listings: the shortest
 * prefix length that makes at least four prefixes per session (GPO folders: `{0` … `{f`), so each pattern's own
 * round trips stay few against thousands of folders; the prefixes dealt out largest first, each to the session with
 * the fewest names so far. Null (list in one session) when there are too few names, or one cannot give a prefix: too
 * short (ls loses trailing spaces), holding a wildcard (`*?<>"`), a character commands cannot carry, or a character
 * outside the basic plane a prefix could cut in two.
 */
export function patternGroups(names: readonly string[], sessions: number): string[][] | null {
  if (sessions < 2 || names.length < sessions * 4) return null;
  if (names.some((name) => /[*?<>";\r\n\uD800-\uDFFF]/.test(name))) return null;
  for (let length = 1; length <= 4; length += 1) {
    if (names.some((name) => name.trimEnd().length < length)) return null;
    const counts = new Map<string, number>();
    for (const name of names) {
      const prefix = prefixOf(name, length);
      counts.set(prefix, (counts.get(prefix) ?? 0) + 1);
    }
    if (counts.size < sessions * 4) continue;
    const groups = Array.from({ length: sessions }, () => ({ prefixes: [] as string[], names: 0 }));
    for (const [prefix, count] of [...counts].sort((a, b) => b[1] - a[1])) {
      const group = groups.reduce((a, b) => (b.names < a.names ? b : a));
      group.prefixes.push(prefix);
      group.names += count;
    }
    return groups.map((group) => group.prefixes);
  }
  return null;
}

/** SYSVOL over Samba's smbclient/smbcacls: tar mode streams whole folders in one pass with exact names and bytes. */
export async function createSmbclientSysvolSource(options: SmbclientSysvolOptions): Promise<SysvolSource> {
  const share = options.share ?? 'sysvol';
  const smbclient = options.smbclientPath ?? 'smbclient';
  const smbcacls = options.smbcaclsPath ?? 'smbcacls';
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const { user, domain } = options.credentials;
  const password = toSecret(options.credentials.password).reveal();
  // A line break would end the password early where Samba reads it; `%` in -U would split a password off the name.
  if (/[\r\n]/.test(password) || /[\r\n%]/.test(user) || /[\r\n%]/.test(domain))
    throw invalidArgument(
      'User and domain must not contain line breaks or %, nor the password a line break (Samba reads the password up to a line break).',
    );
  const account = `${domain}\\${user}`;

  let address = options.address;
  if (address === undefined) {
    // `[::1]` as a URL would write it is the IPv6 literal ::1 (smbclient takes //::1/share as it is).
    const bareHost = options.host.replace(/^\[(.*)\]$/, '$1');
    if (isIP(bareHost)) address = bareHost;
    else {
      try {
        address = (await lookup(options.host, { family: 0 })).address;
      } catch (error) {
        throw new CofferError(
          AdErrorCode.ServerUnreachable,
          `Cannot resolve the domain controller name ${options.host}.`,
          {
            hresult: AD_HRESULT.ERROR_BAD_NETPATH,
            object: options.host,
            hint: 'Check DNS or /etc/hosts for the DC name.',
            cause: error,
          },
        );
      }
    }
  }
  const serverAddress = address;
  const unc = `//${serverAddress}/${share}`;
  const location = `smb://${options.host}/${share}`;

  // The account on the command line, the password through a pipe (see spawnTool): nothing is written to disk.
  const common = ['-U', user, '-W', domain, '--use-kerberos=off', '--option=unix charset=UTF-8'];
  const domainSidArgs = options.domainSid === undefined ? [] : [`--domain-sid=${options.domainSid}`];

  const context = (path: string, operation: string): SmbErrorContext => ({
    server: options.host,
    share,
    path,
    account,
    operation,
  });

  /** The Python with Samba's bindings; null once they proved missing (then smbcacls writes ACLs). */
  let aclPython: string | null | undefined = options.pythonPath;
  async function writeAclKeepingOrder(path: string, sddl: string, domainSid: string): Promise<boolean> {
    aclPython ??= await sambaToolPython();
    if (aclPython === null) return false;
    const target = {
      python: aclPython,
      address: serverAddress,
      share,
      path,
      domainSid,
      user,
      domain,
      password,
      object: `${location}/${path}`,
    };
    if (
      await setAclWithSambaPython(target, sddl, (output) => smbFailure(output, context(path, 'writing an ACL'), false))
    )
      return true;
    aclPython = null;
    options.report?.({
      severity: 'info',
      code: 'ACL_ORDER_CANONICAL',
      message:
        "Samba's Python bindings (python3-samba) are not installed here, so ACLs are set with smbcacls, which stores their entries in canonical order.",
      object: options.host,
    });
    return false;
  }

  function run(args: string[], path: string) {
    const [program, ...rest] = args;
    return runTool(program === 'smbcacls' ? smbcacls : smbclient, rest, {
      object: `${location}/${path}`,
      allowFailure: true,
      password,
    });
  }

  /** `stdoutIsContent`: stdout is a file's bytes (`get … -`), which may hold any text, so only exit code and stderr tell failure. */
  async function smbCommand(
    command: string,
    path: string,
    operation: string,
    stdoutIsContent = false,
  ): Promise<Buffer> {
    const result = await run(['smbclient', unc, ...common, '-c', command], path);
    const output = `${result.stdout}\n${result.stderr}`;
    const messages = stdoutIsContent ? result.stderr : output;
    if (result.exitCode !== 0 || (firstNtStatus(messages) !== null && !/NT_STATUS_OK/.test(messages)))
      throw smbFailure(output, context(path, operation), false);
    return result.stdoutBytes;
  }

  function startTransfer(args: string[], stdin: 'ignore' | 'pipe'): RunningTransfer {
    const child = spawnTool(smbclient, [unc, ...common, ...args], { stdin, password });
    const stderrChunks: Buffer[] = [];
    let dataSeen = false;
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    const arm = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
      }, idleTimeoutMs);
    };
    arm();
    // The last STDOUT_TAIL_BYTES, kept in one buffer: a new buffer per chunk (the tail and the chunk joined) made as
    // much garbage as the whole archive (36 MB for 10,000 GPOs) outside the heap, freed only as late as V8 collects.
    const tail = Buffer.alloc(STDOUT_TAIL_BYTES);
    let tailLength = 0;
    child.stdout?.on('data', (c: Buffer) => {
      dataSeen = true;
      if (c.length >= STDOUT_TAIL_BYTES) {
        c.copy(tail, 0, c.length - STDOUT_TAIL_BYTES);
        tailLength = STDOUT_TAIL_BYTES;
      } else {
        const kept = Math.min(tailLength, STDOUT_TAIL_BYTES - c.length);
        tail.copy(tail, 0, tailLength - kept, tailLength);
        c.copy(tail, kept);
        tailLength = kept + c.length;
      }
      arm();
    });
    child.stderr?.on('data', (c: Buffer) => {
      stderrChunks.push(c);
      arm();
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolvePromise) => {
      child.on('error', () => resolvePromise({ code: null, signal: null }));
      child.on('close', (code, signal) => {
        if (timer) clearTimeout(timer);
        resolvePromise({ code, signal });
      });
    });
    return {
      child,
      stderr: () => withoutPasswordNoise(Buffer.concat(stderrChunks).toString('utf8')),
      stdoutTail: () => tail.toString('latin1', 0, tailLength),
      exited,
      dataSeen: () => dataSeen,
      timedOut: () => timedOut,
    };
  }

  async function transferFailure(
    transfer: RunningTransfer,
    path: string,
    operation: string,
    connected: boolean,
    cause?: unknown,
  ): Promise<CofferError> {
    const exit = await Promise.race([transfer.exited, new Promise<null>((r) => setTimeout(() => r(null), 5_000))]);
    if (exit === null) transfer.child.kill('SIGKILL');
    if (transfer.timedOut()) {
      return new CofferError(
        AdErrorCode.Timeout,
        `${operation} on ${location}/${path} stalled: no data for ${idleTimeoutMs} ms.`,
        {
          hresult: AD_HRESULT.ERROR_TIMEOUT,
          object: `${location}/${path}`,
          hint: 'The DC stopped answering; check it is up and reachable, then retry.',
          cause,
        },
      );
    }
    const stderr = `${transfer.stderr()}\n${transfer.stdoutTail().replace(/[^\x20-\x7e\n]/g, ' ')}`;
    if (firstNtStatus(stderr) !== null) return smbFailure(stderr, context(path, operation), connected);
    if (cause !== undefined) {
      // The tar stream broke without smbclient naming a status: the transfer was cut off.
      return new CofferError(
        AdErrorCode.ConnectionLost,
        `${operation} of ${location}/${path} was cut off: ${cause instanceof Error ? cause.message : String(cause)}.`,
        {
          hresult: AD_HRESULT.ERROR_NETNAME_DELETED,
          object: `${location}/${path}`,
          hint: 'The connection to the DC ended mid-transfer; nothing partial was kept. Retry once the DC is back.',
          cause,
        },
      );
    }
    return smbFailure(
      stderr || `smbclient exited with ${exit?.code ?? 'a signal'}`,
      context(path, operation),
      connected,
    );
  }

  async function* readTree(path: string, readOptions: ReadTreeOptions = {}): AsyncGenerator<SysvolTreeEntry> {
    const root = commandPath(path);
    if (readOptions.only === undefined) {
      yield* transferTree(path, root, [root], false);
      return;
    }
    // Named folders in one transfer per batch instead of a session each. smbclient's tar stops at the first name that
    // is not there: the names after it go in the next transfer.
    let rest = [...new Set(readOptions.only.map((name) => commandPath(`${root}/${name}`)))];
    while (rest.length > 0) {
      const batch = rest.slice(0, READ_FILES_BATCH);
      const missing = yield* transferTree(path, root, batch, true);
      if (missing === null) rest = rest.slice(batch.length);
      else {
        const at = batch.findIndex((name) => name.toLowerCase() === missing.toLowerCase());
        // A missing path that names none of ours is not an answer to read past.
        if (at < 0)
          throw smbFailure(
            `${missing} (NT_STATUS_OBJECT_NAME_NOT_FOUND)`,
            context(path, `reading SYSVOL folder ${path}`),
            true,
          );
        rest = rest.slice(at + 1);
      }
    }
  }

  /**
   * One tar transfer of `targets` (paths on the share), entries relative to `root`. `namedFolders`: the targets are
   * folders named by the caller, and one that is not there ends the transfer early: its path is returned (smbclient
   * does not go on to the next name), null when every target was read.
   */
  async function* transferTree(
    path: string,
    root: string,
    targets: readonly string[],
    namedFolders: boolean,
  ): AsyncGenerator<SysvolTreeEntry, string | null> {
    const transfer = startTransfer(['-Tc', '-', ...targets], 'ignore');
    const extract = tarExtract();
    const archiveEnd = new TarArchiveEnd();
    transfer.child.stdout?.pipe(archiveEnd).pipe(extract);
    transfer.child.stdout?.on('error', (error) => extract.destroy(error));
    let finished = false;
    let entriesSeen = 0;
    try {
      try {
        for await (const entry of extract) {
          entriesSeen += 1;
          const header: Header = entry.header;
          const rel = stripTarName(header.name, root);
          if (rel === null || rel === '') {
            entry.resume();
            continue;
          }
          if (header.type === 'directory') {
            entry.resume();
            yield { path: rel, kind: 'directory', size: 0, ...tarTime(header), content: null };
            continue;
          }
          if (header.type !== 'file' && header.type !== 'contiguous-file') {
            entry.resume();
            continue;
          }
          let failed: CofferError | null = null;
          const content = (async function* guarded(): AsyncGenerator<Uint8Array> {
            try {
              for await (const chunk of entry as AsyncIterable<Uint8Array>) yield chunk;
            } catch (error) {
              failed = await transferFailure(transfer, path, `reading SYSVOL folder ${path}`, true, error);
              throw failed;
            }
          })();
          yield { path: rel, kind: 'file', size: header.size ?? 0, ...tarTime(header), content };
          // Whatever the consumer left unread is drained so the next header can be parsed.
          entry.resume();
          if (failed) throw failed;
        }
      } catch (error) {
        if (error instanceof CofferError) throw error;
        throw await transferFailure(transfer, path, `reading SYSVOL folder ${path}`, entriesSeen > 0, error);
      }
      const exit = await transfer.exited;
      finished = true;
      if (exit.code === 0 && !transfer.timedOut()) return null;
      if (namedFolders && !transfer.timedOut()) {
        const messages = `${transfer.stderr()}\n${transfer.stdoutTail()}`;
        const statuses = messages.match(/NT_STATUS_[A-Z0-9_]+/g) ?? [];
        const missing = /do_list failed on (.*) \((NT_STATUS_[A-Z0-9_]+)\)/.exec(messages);
        if (missing && statuses.length > 0 && statuses.every((status) => PATH_MISSING_STATUSES.has(status)))
          return normalizeSysvolPath(missing[1]!);
      }
      throw await transferFailure(transfer, path, `reading SYSVOL folder ${path}`, entriesSeen > 0);
    } finally {
      if (!finished) {
        transfer.child.kill('SIGKILL');
        extract.destroy();
      }
    }
  }

  /** Files named on smbclient's tar command line: one transfer for a batch, missing names reported and skipped. */
  async function readFiles(paths: readonly string[]): Promise<Map<string, Buffer>> {
    const found = new Map<string, Buffer>();
    const byName = new Map<string, string>();
    for (const path of paths) {
      // smbclient would take * and ? in a name as a pattern, and a name is all this call may read.
      if (/[*?]/.test(path)) throw invalidArgument(`SYSVOL path ${path} contains a wildcard.`, { object: path });
      byName.set(normalizeSysvolPath(path).toLowerCase(), path);
    }
    const names = [...byName.keys()];
    // Names travel as arguments (never a shell): a batch stays far below the kernel's argument limits.
    for (let start = 0; start < names.length; start += READ_FILES_BATCH) {
      const batch = names.slice(start, start + READ_FILES_BATCH).map((name) => byName.get(name)!);
      const transfer = startTransfer(['-Tc', '-', ...batch.map((p) => normalizeSysvolPath(p))], 'ignore');
      const extract = tarExtract();
      transfer.child.stdout?.pipe(new TarArchiveEnd()).pipe(extract);
      transfer.child.stdout?.on('error', (error) => extract.destroy(error));
      let finished = false;
      try {
        try {
          for await (const entry of extract) {
            const header: Header = entry.header;
            const asked = byName.get(header.name.replace(/^\.\//, '').toLowerCase());
            if (asked === undefined || (header.type !== 'file' && header.type !== 'contiguous-file')) {
              entry.resume();
              continue;
            }
            const chunks: Buffer[] = [];
            for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
            found.set(asked, Buffer.concat(chunks));
          }
        } catch (error) {
          if (error instanceof CofferError) throw error;
          throw await transferFailure(transfer, batch[0]!, 'reading SYSVOL files', found.size > 0, error);
        }
        const exit = await transfer.exited;
        finished = true;
        const messages = `${transfer.stderr()}\n${transfer.stdoutTail()}`;
        const statuses = messages.match(/NT_STATUS_[A-Z0-9_]+/g) ?? [];
        // smbclient exits non-zero when a named file is missing; only a missing path is an expected answer.
        const unexpected = statuses.some((status) => !PATH_MISSING_STATUSES.has(status));
        if (transfer.timedOut() || unexpected || (exit.code !== 0 && statuses.length === 0))
          throw await transferFailure(transfer, batch[0]!, 'reading SYSVOL files', found.size > 0);
      } finally {
        if (!finished) {
          transfer.child.kill('SIGKILL');
          extract.destroy();
        }
      }
    }
    return found;
  }

  /** One smbclient session running `ls "<pattern>"` for each pattern (TZ=UTC); its output, or the failure. */
  async function runListing(target: string, patterns: readonly string[], recurse: boolean): Promise<string> {
    const command = [...(recurse ? ['recurse ON'] : []), ...patterns.map((pattern) => `ls "${pattern}"`)].join('; ');
    // ls prints times in the client's zone: UTC makes them unambiguous (no DST hour read twice).
    const result = await runTool(smbclient, [unc, ...common, '-c', command], {
      object: `${location}/${target}`,
      allowFailure: true,
      password,
      environment: { TZ: 'UTC' },
    });
    const output = `${result.stdout}\n${result.stderr}`;
    // A prefix pattern that matches nothing any more (its folders removed since the names were listed) is an empty
    // answer; any other status fails the listing.
    const prefixes = new Set(recurse && patterns.length > 1 ? patterns.map((p) => `\\${p.replace(/\//g, '\\')}`) : []);
    const failed = [...output.matchAll(/(NT_STATUS_[A-Z0-9_]+)(?: listing (.*))?$/gm)].some(
      ([, status, listed]) =>
        status !== 'NT_STATUS_OK' && !(status === 'NT_STATUS_NO_SUCH_FILE' && prefixes.has(listed ?? '')),
    );
    if (result.exitCode !== 0 || failed) throw smbFailure(output, context(target, 'listing a SYSVOL folder'), false);
    return result.stdout;
  }

  /**
   * Lists `target` recursively in several sessions at once: its own names first (one listing without recursion),
   * grouped by their first characters, then one session per group of `<prefix>*` patterns (see
   * {@link patternGroups}). Null when the names cannot be split, or an output is not shaped as expected (then one
   * session lists it all).
   */
  async function statTreeInSessions(target: string, sessions: number): Promise<SysvolEntry[] | null> {
    const names = parseSmbclientListing(await runListing(target, [`${target}/*`], false), target).map((e) => e.path);
    const groups = patternGroups(names, sessions);
    if (groups === null) return null;
    const parts = await Promise.all(
      groups.map(async (prefixes) => {
        const output = await runListing(
          target,
          prefixes.map((prefix) => `${target}/${prefix}*`),
          true,
        );
        // Each `ls` ends with a summary line; output shaped otherwise is not taken apart by guesswork.
        const listings = parseSmbclientListings(output, target, prefixes.length);
        // A server also matches patterns against 8.3 short names, so a pattern may list a folder another pattern
        // lists too: each keeps only the names its prefix owns.
        return listings?.flatMap((entries, index) =>
          entries.filter((entry) => prefixOf(entry.path, prefixes[index]!.length) === prefixes[index]),
        );
      }),
    );
    if (parts.some((part) => part === undefined)) return null;
    return parts.flatMap((part) => part!);
  }

  const source: SysvolSource = {
    location,
    async exists(path) {
      const target = commandPath(path);
      const result = await run(
        ['smbclient', unc, ...common, '-c', target === '' ? 'ls' : `allinfo "${target}"`],
        target,
      );
      const output = `${result.stdout}\n${result.stderr}`;
      const status = firstNtStatus(output);
      if (result.exitCode === 0 && status === null) return true;
      if (status !== null && PATH_MISSING_STATUSES.has(status)) return false;
      throw smbFailure(output, context(target, 'checking a SYSVOL path'), false);
    },
    async *listTree(path): AsyncGenerator<SysvolEntry> {
      // Tar mode is the one listing that keeps names exact (ls pads and trims them); contents are drained unread.
      for await (const entry of readTree(path)) yield { path: entry.path, kind: entry.kind, size: entry.size };
    },
    readTree: (path, readOptions) => readTree(path, readOptions),
    readFiles,
    async statTree(path, statOptions = {}) {
      const target = commandPath(path);
      const sessions = Math.floor(statOptions.sessions ?? 1);
      if (sessions > 1) {
        // smbd serves each connection in a process of its own: the sessions' round trips overlap.
        const entries = await statTreeInSessions(target, sessions);
        if (entries !== null) return entries;
      }
      return parseSmbclientListing(await runListing(target, [`${target}/*`], true), target);
    },
    async readFile(path) {
      const target = commandPath(path);
      // `get … -` writes the file to stdout: its bytes never touch the local disk.
      return smbCommand(`get "${target}" -`, target, 'reading a SYSVOL file', true);
    },
    async readAcl(path) {
      const target = commandPath(path);
      const result = await run(['smbcacls', unc, target, ...common, '--sddl', ...domainSidArgs], target);
      const output = `${result.stdout}\n${result.stderr}`;
      if (result.exitCode !== 0) throw smbFailure(output, context(target, 'reading an ACL'), false);
      const sddl = result.stdout.trim().split('\n').pop() ?? '';
      if (!/^(O:|G:|D:|S:)/.test(sddl)) throw smbFailure(output, context(target, 'reading an ACL'), false);
      return sddl;
    },
    async writeAcl(path, sddl) {
      const target = commandPath(path);
      if (options.domainSid === undefined) {
        throw invalidArgument(
          'writeAcl over SMB needs the domainSid option: smbcacls would otherwise resolve aliases like DA against this machine’s SID.',
          { object: target },
        );
      }
      if (await writeAclKeepingOrder(target, sddl, options.domainSid)) return;
      const result = await run(
        [
          'smbcacls',
          unc,
          target,
          ...common,
          '--sddl',
          ...domainSidArgs,
          '-S',
          expandDomainAliases(sddl, options.domainSid),
        ],
        target,
      );
      if (result.exitCode !== 0)
        throw smbFailure(`${result.stdout}\n${result.stderr}`, context(target, 'writing an ACL'), false);
    },
    async rename(from, to) {
      const source = commandPath(from);
      const target = commandPath(to);
      if (source === '' || target === '') throw invalidArgument('Refusing to rename the SYSVOL share itself.');
      const result = await run(['smbclient', unc, ...common, '-c', `rename "${source}" "${target}"`], source);
      const output = `${result.stdout}\n${result.stderr}`;
      const status = firstNtStatus(output);
      if (result.exitCode === 0 && (status === null || status === 'NT_STATUS_OK')) return;
      if (status !== null && RENAME_REFUSED_OPEN.has(status))
        throw sysvolRenameRefused(source, target, location, 'open', status);
      if (status === 'NT_STATUS_OBJECT_NAME_COLLISION')
        throw sysvolRenameRefused(source, target, location, 'exists', status);
      throw smbFailure(
        output.trim() === '' ? `smbclient exited with ${result.exitCode}` : output,
        context(source, `renaming ${source} to ${target}`),
        true,
      );
    },
    async writeTree(path, entries) {
      const target = commandPath(path);
      if (target !== '')
        await smbCommand(`recurse ON; mkdir "${target}"`, target, 'creating a SYSVOL folder').catch(
          async (error: unknown) => {
            // mkdir of an existing folder reports a collision; that is fine for a merge.
            if (error instanceof CofferError && (await source.exists(target))) return '';
            throw error;
          },
        );
      const packer = tarPack();
      const transfer = startTransfer([...(target === '' ? [] : ['-D', target]), '-Tx', '-'], 'pipe');
      const feeding = (async () => {
        for await (const entry of entries as AsyncIterable<SysvolWriteEntry>) {
          const name = normalizeSysvolPath(entry.path);
          if (entry.kind === 'directory') {
            packer.entry({ name: `${name}/`, type: 'directory', mode: 0o755 });
            continue;
          }
          const content = entry.content ?? new Uint8Array();
          if (content instanceof Uint8Array) {
            await new Promise<void>((resolvePromise, reject) =>
              packer.entry({ name, size: content.length, mode: 0o644 }, Buffer.from(content), (error) =>
                error ? reject(error) : resolvePromise(),
              ),
            );
          } else {
            if (entry.size === undefined)
              throw invalidArgument(`writeTree: streamed content of ${name} needs its size.`, { object: name });
            const sink = packer.entry({ name, size: entry.size, mode: 0o644 });
            await pipeline(Readable.from(content), sink);
          }
        }
        packer.finalize();
      })();
      try {
        await Promise.all([feeding, pipeline(packer, transfer.child.stdin as NodeJS.WritableStream)]);
      } catch (error) {
        transfer.child.kill('SIGKILL');
        if (error instanceof CofferError) throw error;
        throw await transferFailure(transfer, target, `writing SYSVOL folder ${target}`, false, error);
      }
      const exit = await transfer.exited;
      if (exit.code !== 0) throw await transferFailure(transfer, target, `writing SYSVOL folder ${target}`, false);
    },
    async removeTree(path, removeOptions = {}) {
      const target = commandPath(path);
      if (target === '') throw invalidArgument('Refusing to remove the whole SYSVOL share.');
      if (!(await source.exists(target))) {
        if (removeOptions.missingOk) return;
        throw smbFailure('NT_STATUS_OBJECT_NAME_NOT_FOUND', context(target, 'removing a SYSVOL folder'), false);
      }
      await smbCommand(`deltree "${target}"`, target, 'removing a SYSVOL folder');
    },
    async close() {
      // Nothing to release: no file, no connection outlives the call that made it.
    },
  };
  return source;
}
