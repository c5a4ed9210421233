import { spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeSysvolPath } from '@coffer/active-directory';
import { CofferError, HRESULT } from '@coffer/core';
import { credentialsFrom } from '../ad/domain-session.js';
import type { ConnectionOptions } from '../options.js';

/**
 * Renames folders inside SYSVOL: the one operation a staged restore needs that SysvolSource lacks.
 * A rename is the commit point of a GPT swap, so a cancelled or failed restore never leaves a half-written GPT.
 */
export interface SysvolMover {
  rename(from: string, to: string): Promise<void>;
  close(): Promise<void>;
}

export async function openSysvolMover(options: ConnectionOptions): Promise<SysvolMover> {
  if (options.sysvol) {
    const root = options.sysvol;
    return {
      rename: async (from, to) => rename(join(root, normalizeSysvolPath(from)), join(root, normalizeSysvolPath(to))),
      close: async () => undefined,
    };
  }
  return openSmbclientMover(options);
}

async function openSmbclientMover(options: ConnectionOptions): Promise<SysvolMover> {
  const credentials = await credentialsFrom(options);
  const password = credentials.password.reveal();
  if (/[\r\n]/.test(password + credentials.user + credentials.domain)) {
    throw new CofferError('INVALID_ARGUMENT', 'User, domain and password must not contain line breaks (smbclient auth file).', { hresult: HRESULT.E_INVALIDARG });
  }
  const address = (await lookup(options.dc, { family: 0 })).address;
  const privateDir = await mkdtemp(join(tmpdir(), 'coffer-gpo-mv-'));
  const authFile = join(privateDir, 'auth');
  // The password only ever sits in this 0600 file, never on a command line.
  await writeFile(authFile, `username = ${credentials.user}\npassword = ${password}\ndomain = ${credentials.domain}\n`, { mode: 0o600 });
  return {
    async rename(from, to) {
      const source = smbPath(from);
      const target = smbPath(to);
      const output = await run('smbclient', [`//${address}/sysvol`, '-A', authFile, '--use-kerberos=off', '--option=unix charset=UTF-8', '-c', `rename "${source}" "${target}"`]);
      const status = /NT_STATUS_[A-Z0-9_]+/.exec(output.text)?.[0];
      if (output.code !== 0 || (status !== undefined && status !== 'NT_STATUS_OK')) {
        throw new CofferError('SYSVOL_RENAME_FAILED', `Renaming ${source} to ${target} in SYSVOL on ${options.dc} failed: ${status ?? output.text.trim().slice(-300)}.`, {
          hresult: status === 'NT_STATUS_ACCESS_DENIED' || status === 'NT_STATUS_SHARING_VIOLATION' ? HRESULT.ERROR_SHARING_VIOLATION : HRESULT.E_FAIL,
          object: source,
          hint: 'A client or another tool may hold a file of the GPT open; retry, or check the account may write SYSVOL.',
        });
      }
    },
    close: () => rm(privateDir, { recursive: true, force: true }),
  };
}

function smbPath(path: string): string {
  const normalized = normalizeSysvolPath(path);
  if (/[";\r\n]/.test(normalized)) {
    throw new CofferError('INVALID_ARGUMENT', `The SYSVOL path ${normalized} cannot be passed to smbclient.`, { hresult: HRESULT.E_INVALIDARG, object: normalized });
  }
  return normalized.replace(/\//g, '\\');
}

function run(program: string, args: string[]): Promise<{ code: number | null; text: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, text: Buffer.concat(chunks).toString('utf8') }));
  });
}
