/**
 * The two SYSVOL writes a staged restore needs beyond active-directory's SysvolSource:
 * - renaming a folder (the commit point of a Starter GPO swap): rename(2) locally, `smbclient -c rename` over SMB;
 * - setting a folder's ACL with its ACEs in the order given. Over SMB, SysvolSource.writeAcl goes through
 *   smbcacls, which re-sorts ACEs; a restore must give back the descriptor as backed up, so the ACL is set with
 *   Samba's own Python bindings (the same `Conn.set_acl` call `samba-tool gpo` uses), run by the Python that
 *   samba-tool itself runs on. Where they are missing, smbcacls is used and an info message says the ACE order
 *   may differ. Locally, samba-tool ntacl keeps the order already.
 * Over SMB the password only sits in a 0600 auth file in a private folder (never on a command line), removed on close.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { normalizeSysvolPath, smbFailure, type Secret, type SysvolSource } from '@coffer/active-directory';
import { CofferError, HRESULT, toCofferError, type OperationContext } from '@coffer/core';

export interface SysvolWriteTools {
  rename(from: string, to: string): Promise<void>;
  /** Sets the NT ACL of a file or folder to exactly this SDDL, ACE order kept where the transport allows. */
  writeAcl(path: string, sddl: string): Promise<void>;
  close(): Promise<void>;
}

export function localSysvolWriteTools(root: string, sysvol: Pick<SysvolSource, 'writeAcl'>): SysvolWriteTools {
  return {
    async rename(from, to) {
      try {
        await rename(join(root, normalizeSysvolPath(from)), join(root, normalizeSysvolPath(to)));
      } catch (error) {
        throw toCofferError(error, from);
      }
    },
    writeAcl: (path, sddl) => sysvol.writeAcl(path, sddl),
    close: async () => undefined,
  };
}

function smbPath(path: string): string {
  const normalized = normalizeSysvolPath(path);
  if (/[";\r\n]/.test(normalized)) {
    throw new CofferError('INVALID_ARGUMENT', `The SYSVOL path ${normalized} cannot be passed to smbclient (it holds " ; or a line break).`, {
      hresult: HRESULT.E_INVALIDARG,
      object: normalized,
    });
  }
  return normalized.replaceAll('/', '\\');
}

function runProgram(program: string, args: string[], input = ''): Promise<{ code: number | null; output: string; missing: boolean }> {
  return new Promise((resolve) => {
    const child = spawn(program, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', (error) => resolve({ code: null, output: error.message, missing: (error as NodeJS.ErrnoException).code === 'ENOENT' }));
    child.on('close', (code) => resolve({ code, output: Buffer.concat(chunks).toString('utf8'), missing: false }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input);
  });
}

/**
 * Sets a descriptor over SMB with Samba's bindings. Arguments: address, share path, domain SID, auth file; the
 * SDDL comes on stdin. Exit 3 means the bindings are not there (the caller falls back to smbcacls).
 */
const SET_ACL_SCRIPT = `
import sys
try:
    from samba import credentials, param
    from samba.dcerpc import security
    from samba.samba3 import libsmb_samba_internal as libsmb
    from samba.samba3 import param as s3param
except ImportError:
    sys.exit(3)
address, path, domain_sid, auth_file = sys.argv[1:5]
sddl = sys.stdin.read().strip()
lp = param.LoadParm()
s3_lp = s3param.get_context()
s3_lp.load_default()
creds = credentials.Credentials()
creds.guess(lp)
creds.parse_file(auth_file)
creds.set_kerberos_state(credentials.DONT_USE_KERBEROS)
conn = libsmb.Conn(address, 'sysvol', lp=s3_lp, creds=creds)
sd = security.descriptor.from_sddl(sddl, security.dom_sid(domain_sid))
sio = security.SECINFO_OWNER | security.SECINFO_GROUP | security.SECINFO_DACL
if sd.type & security.SEC_DESC_DACL_PROTECTED:
    sio |= security.SECINFO_PROTECTED_DACL
else:
    sio |= security.SECINFO_UNPROTECTED_DACL
conn.set_acl(path, sd, sio)
`;

/** The Python samba-tool runs on (its `#!` line): the one that has Samba's bindings. */
async function sambaPython(): Promise<string> {
  for (const dir of (process.env['PATH'] ?? '').split(':').filter((d) => d !== '')) {
    const head = await readFile(join(dir, 'samba-tool')).then(
      (bytes) => bytes.subarray(0, 200).toString('utf8'),
      () => null,
    );
    const interpreter = head === null ? undefined : /^#!\s*(\S+)/.exec(head)?.[1];
    if (interpreter !== undefined) return interpreter;
  }
  return 'python3';
}

export async function smbclientSysvolWriteTools(options: {
  host: string;
  address: string;
  credentials: { user: string; domain: string; password: Secret };
  domainSid: string;
  sysvol: Pick<SysvolSource, 'writeAcl'>;
  context: Pick<OperationContext, 'report'>;
}): Promise<SysvolWriteTools> {
  const { user, domain } = options.credentials;
  const password = options.credentials.password.reveal();
  if (/[\r\n]/.test(`${user}${domain}${password}`)) {
    throw new CofferError('INVALID_ARGUMENT', 'User, domain and password must not contain line breaks (smbclient auth file).', { hresult: HRESULT.E_INVALIDARG });
  }
  const privateDir = await mkdtemp(join(tmpdir(), 'coffer-sg-write-'));
  const authFile = join(privateDir, 'auth');
  await writeFile(authFile, `username = ${user}\npassword = ${password}\ndomain = ${domain}\n`, { mode: 0o600 });
  const account = `${domain}\\${user}`;
  const errorContext = (path: string, operation: string) => ({ server: options.host, share: 'sysvol', path, account, operation });
  let python: string | null | undefined;
  return {
    async rename(from, to) {
      const source = smbPath(from);
      const target = smbPath(to);
      const { code, output } = await runProgram('smbclient', [
        `//${options.address}/sysvol`,
        '-A',
        authFile,
        '--use-kerberos=off',
        '--option=unix charset=UTF-8',
        '-c',
        `rename "${source}" "${target}"`,
      ]);
      const status = /NT_STATUS_[A-Z0-9_]+/.exec(output)?.[0];
      if (code === 0 && (status === undefined || status === 'NT_STATUS_OK')) return;
      if (status === 'NT_STATUS_SHARING_VIOLATION' || status === 'NT_STATUS_OBJECT_NAME_COLLISION') {
        throw new CofferError('SYSVOL_RENAME_FAILED', `Renaming ${source} to ${target} on //${options.host}/sysvol failed: ${status}.`, {
          hresult: status === 'NT_STATUS_SHARING_VIOLATION' ? HRESULT.ERROR_SHARING_VIOLATION : HRESULT.ERROR_ALREADY_EXISTS,
          object: source,
          hint: 'A client or another tool may hold a file of the folder open; retry in a moment.',
        });
      }
      throw smbFailure(output || `smbclient exited with ${code}`, errorContext(source, `renaming ${source} to ${target}`), true);
    },
    async writeAcl(path, sddl) {
      if (python === undefined) python = await sambaPython();
      if (python !== null) {
        const target = smbPath(path);
        const { code, output, missing } = await runProgram(python, ['-c', SET_ACL_SCRIPT, options.address, target, options.domainSid, authFile], sddl);
        if (code === 0) return;
        if (code !== 3 && !missing) {
          const status = /NT_STATUS_[A-Z0-9_]+/.exec(output)?.[0];
          if (status !== undefined) throw smbFailure(output, errorContext(target, 'writing an ACL'), true);
          throw new CofferError('ACL_WRITE_FAILED', `Setting the ACL of ${target} on //${options.host}/sysvol failed: ${output.trim().split('\n').slice(-2).join(' ')}`, {
            hresult: HRESULT.ERROR_INVALID_SECURITY_DESCR,
            object: target,
          });
        }
        python = null;
        options.context.report({
          severity: 'info',
          code: 'ACL_ORDER_CANONICAL',
          message: "Samba's Python bindings (python3-samba) are not installed here, so ACLs are set with smbcacls, which stores their entries in canonical order.",
          object: options.host,
        });
      }
      await options.sysvol.writeAcl(path, sddl);
    },
    close: () => rm(privateDir, { recursive: true, force: true }),
  };
}
