import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { CofferError, invalidArgument } from '@coffer/core';
import type { Secret } from '../credentials/secret.js';
import { AD_HRESULT, AdErrorCode } from '../errors.js';
import { firstNtStatus, type SmbErrorContext } from '../sysvol/smbclient-errors.js';
import { createSmbclientSysvolSource } from '../sysvol/smbclient-sysvol.js';
import { runTool } from '../sysvol/run-tool.js';
import type { SysvolSource } from '../sysvol/sysvol-source.js';
import { shareFailure } from './share-errors.js';
import type { SmbShareLocation } from './share-path.js';

export interface ShareAccount {
  user: string;
  domain: string;
  password: Secret;
}

/**
 * One SMB share reached with smbclient. Whole folders travel through the SYSVOL source's tar mode (one pass, exact
 * names and bytes); the single steps a commit needs — an atomic mkdir, a rename that replaces, a small file read —
 * are smbclient commands of their own. The password goes to every smbclient through a pipe (PASSWD_FD).
 */
export interface ShareClient {
  readonly location: SmbShareLocation;
  /** Tar transfers of whole folders (readTree / writeTree), exists, rename without replace, removeTree. */
  readonly tree: SysvolSource;
  /** Creates a folder; false when the name is taken (NT_STATUS_OBJECT_NAME_COLLISION): the atomic step of a lock. */
  mkdir(path: string): Promise<boolean>;
  /**
   * Renames each pair in turn, in one smbclient session (one connection for hundreds of entries). smbclient goes on
   * after a failed step, so what failed is returned (its output lines), not thrown: the caller checks and repairs.
   */
  renameAll(pairs: ReadonlyArray<readonly [string, string]>): Promise<string[]>;
  /** Renames `from` to `to`, replacing a file already at `to` in the same step (smbclient `rename … -f`). */
  renameReplace(from: string, to: string): Promise<void>;
  /** A small file's bytes (over stdout, never through a local file), or null when it does not exist. */
  readFileOrNull(path: string): Promise<Buffer | null>;
  /** Writes one file into an existing folder, replacing any at that path. */
  writeFile(path: string, content: Uint8Array): Promise<void>;
  /** Removes a file or a folder with everything in it; nothing when it does not exist. */
  remove(path: string): Promise<void>;
  /** Removes each path (file or folder, with everything in it) in one session; what is missing or fails is left. */
  removeAll(paths: readonly string[]): Promise<void>;
  /** The names in a folder (without . and ..), with whether each is a folder. */
  list(path: string): Promise<Array<{ name: string; directory: boolean }>>;
}

const MISSING = new Set([
  'NT_STATUS_OBJECT_NAME_NOT_FOUND',
  'NT_STATUS_OBJECT_PATH_NOT_FOUND',
  'NT_STATUS_NO_SUCH_FILE',
  'NT_STATUS_NOT_FOUND',
]);

export async function openShareClient(location: SmbShareLocation, account: ShareAccount): Promise<ShareClient> {
  const password = account.password.reveal();
  if (/[\r\n]/.test(password) || /[\r\n%]/.test(account.user) || /[\r\n%]/.test(account.domain))
    throw invalidArgument(
      'User and domain must not contain line breaks or %, nor the password a line break (Samba reads the password up to a line break).',
    );
  const address = await resolveServer(location.server);
  const unc = `//${address}/${location.share}`;
  const common = ['-U', account.user, '-W', account.domain, '--use-kerberos=off', '--option=unix charset=UTF-8'];
  const tree = await createSmbclientSysvolSource({
    host: location.server,
    address,
    share: location.share,
    credentials: { user: account.user, domain: account.domain, password: account.password },
  });
  const context = (path: string, operation: string): SmbErrorContext => ({
    server: location.server,
    share: location.share,
    path,
    account: `${account.domain}\\${account.user}`,
    operation,
  });

  /** Runs `-c command`; returns the first NT status (null: none) so callers can accept the expected ones. */
  async function run(command: string, path: string): Promise<{ status: string | null; output: string; ok: boolean }> {
    const result = await runTool('smbclient', [unc, ...common, '-c', command], {
      object: `${location.display}/${path}`,
      allowFailure: true,
      password,
    });
    const output = `${result.stdout}\n${result.stderr}`;
    const status = firstNtStatus(output);
    return { status, output, ok: result.exitCode === 0 && (status === null || status === 'NT_STATUS_OK') };
  }

  function fail(output: string, path: string, operation: string): never {
    throw shareFailure(
      output.trim() === '' ? `smbclient failed ${operation}` : output,
      context(path, operation),
      false,
    );
  }

  return {
    location,
    tree,
    async mkdir(path) {
      const { ok, status, output } = await run(`mkdir "${path}"`, path);
      if (ok) return true;
      if (status === 'NT_STATUS_OBJECT_NAME_COLLISION') return false;
      return fail(output, path, `creating ${path}`);
    },
    async renameAll(pairs) {
      if (pairs.length === 0) return [];
      for (const [from, to] of pairs)
        if (/[";\r\n]/.test(from + to)) throw invalidArgument(`A name holds " ; or a line break: ${from} -> ${to}.`);
      const { output, status, ok } = await run(pairs.map(([from, to]) => `rename "${from}" "${to}"`).join('; '), '');
      if (ok) return [];
      const failed = output.split('\n').filter((line) => /NT_STATUS_/.test(line) && !/NT_STATUS_OK/.test(line));
      return failed.length > 0 ? failed : [status ?? 'smbclient failed'];
    },
    async renameReplace(from, to) {
      const { ok, output } = await run(`rename "${from}" "${to}" -f`, from);
      if (!ok) fail(output, from, `renaming ${from} to ${to}`);
    },
    async readFileOrNull(path) {
      const result = await runTool('smbclient', [unc, ...common, '-c', `get "${path}" -`], {
        object: `${location.display}/${path}`,
        allowFailure: true,
        password,
      });
      // stdout is the file's bytes (any text at all): only the exit code and stderr tell a failure.
      // Without a file to send, smbclient names the status on stdout (and exits non-zero).
      const status = firstNtStatus(result.stderr) ?? (result.exitCode === 0 ? null : firstNtStatus(result.stdout));
      if (result.exitCode === 0 && (status === null || status === 'NT_STATUS_OK')) return result.stdoutBytes;
      if (status !== null && MISSING.has(status)) return null;
      return fail(`${result.stderr}\n${result.stdout.slice(-400)}`, path, `reading ${path}`);
    },
    async writeFile(path, content) {
      // Extracted at the share's root with its whole path: its folder exists (the caller made it), so no mkdir step.
      await tree.writeTree('', [{ path, kind: 'file', content, size: content.byteLength }]);
    },
    async remove(path) {
      if (path === '' || path === '.') throw invalidArgument('Refusing to remove a share’s root.');
      const { ok, status, output } = await run(`deltree "${path}"`, path);
      if (ok || (status !== null && MISSING.has(status))) return;
      // deltree of a name that matches nothing prints no status on some Samba versions: gone is gone.
      if (/No such file|not found|does not exist/i.test(output) || !(await tree.exists(path))) return;
      fail(output, path, `removing ${path}`);
    },
    async removeAll(paths) {
      const safe = paths.filter((path) => path !== '' && !/[";\r\n]/.test(path));
      if (safe.length > 0) await run(safe.map((path) => `deltree "${path}"`).join('; '), '');
    },
    async list(path) {
      const mask = path === '' ? '*' : `${path}/*`;
      const { ok, output, status } = await run(`ls "${mask}"`, path);
      if (!ok) {
        if (status === 'NT_STATUS_NO_SUCH_FILE') return []; // an empty folder
        fail(output, path, `listing ${path}`);
      }
      const entries: Array<{ name: string; directory: boolean }> = [];
      // "  name<spaces>ATTRS<spaces>size  Fri Dec  4 23:25:04 2026": the date is fixed-width at the end.
      for (const line of output.split('\n')) {
        const match = /^ {2}(.+?)\s+([A-Z]*)\s+(\d+)\s+\w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4}$/.exec(line);
        if (!match) continue;
        const name = match[1]!;
        if (name === '.' || name === '..') continue;
        entries.push({ name, directory: match[2]!.includes('D') });
      }
      return entries;
    },
  };
}

/** The server's address, looked up once (smbclient's own name cache can hold stale ones), as the SYSVOL source does. */
async function resolveServer(server: string): Promise<string> {
  const bare = server.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare)) return bare;
  try {
    return (await lookup(server, { family: 0 })).address;
  } catch (error) {
    throw new CofferError(AdErrorCode.ServerUnreachable, `Cannot resolve the SMB server name ${server}.`, {
      hresult: AD_HRESULT.ERROR_BAD_NETPATH,
      object: `//${server}`,
      hint: 'Check DNS or /etc/hosts for the server name.',
      cause: error,
    });
  }
}
