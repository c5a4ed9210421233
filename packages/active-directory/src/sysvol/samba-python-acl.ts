/**
 * Sets an NT ACL over SMB with its ACEs in the order given. smbcacls sorts ACEs into canonical order when it writes;
 * Samba's own Python bindings (the `Conn.set_acl` call `samba-tool gpo` uses) store the descriptor as given. They
 * are run by the Python samba-tool itself runs on, the one that has them.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CofferError, HRESULT } from '@coffer/core';
import { AdErrorCode } from '../errors.js';
import { runTool } from './run-tool.js';

/** The script's exit status when the bindings are not installed. */
const BINDINGS_MISSING = 3;

/**
 * Arguments: address, share, path (`\`-separated), domain SID, user, domain. stdin carries the password on its first
 * line, then the SDDL: neither is ever in a file, in argv or in the environment, so neither shows in a process
 * listing or /proc/<pid>/environ. An SMB failure is printed as its NT_STATUS name, which smbFailure understands.
 */
const SET_ACL_SCRIPT = `
import sys
try:
    from samba import NTSTATUSError, credentials, ntstatus, param
    from samba.dcerpc import security
    from samba.samba3 import libsmb_samba_internal as libsmb
    from samba.samba3 import param as s3param
except ImportError:
    sys.exit(${BINDINGS_MISSING})
address, share, path, domain_sid, user, domain = sys.argv[1:7]
# The first line is the password (Coffer always ends it with a line break; a password holds none).
password = sys.stdin.readline()[:-1]
sddl = sys.stdin.read().strip()
lp = param.LoadParm()
s3_lp = s3param.get_context()
s3_lp.load_default()
creds = credentials.Credentials()
creds.guess(lp)
creds.set_username(user)
creds.set_domain(domain)
creds.set_password(password)
creds.set_kerberos_state(credentials.DONT_USE_KERBEROS)
sd = security.descriptor.from_sddl(sddl, security.dom_sid(domain_sid))
sio = security.SECINFO_OWNER | security.SECINFO_GROUP | security.SECINFO_DACL
if sd.type & security.SEC_DESC_DACL_PROTECTED:
    sio |= security.SECINFO_PROTECTED_DACL
else:
    sio |= security.SECINFO_UNPROTECTED_DACL
try:
    conn = libsmb.Conn(address, share, lp=s3_lp, creds=creds)
    conn.set_acl(path, sd, sio)
except NTSTATUSError as error:
    names = {value: name for name, value in vars(ntstatus).items() if name.startswith('NT_STATUS_')}
    status = error.args[0] & 0xFFFFFFFF
    sys.stderr.write('%s: %s\\n' % (names.get(status, '0x%08X' % status), error.args[1]))
    sys.exit(2)
`;

/** The interpreter samba-tool's `#!` line names, found on PATH; `python3` when samba-tool is not there. */
export async function sambaToolPython(): Promise<string> {
  for (const dir of (process.env.PATH ?? '').split(':').filter((d) => d !== '')) {
    const head = await readFile(join(dir, 'samba-tool')).then(
      (bytes) => bytes.subarray(0, 200).toString('utf8'),
      () => null,
    );
    const interpreter = head === null ? undefined : /^#!\s*(\S+)/.exec(head)?.[1];
    if (interpreter !== undefined) return interpreter;
  }
  return 'python3';
}

export interface SambaPythonAclTarget {
  python: string;
  address: string;
  share: string;
  /** Below the share, `/`-separated. */
  path: string;
  domainSid: string;
  user: string;
  domain: string;
  /** Sent on the script's stdin, ahead of the SDDL; must not contain a line break. */
  password: string;
  /** For messages. */
  object: string;
}

/**
 * Sets the descriptor. Returns false when this Python has no Samba bindings (or is not installed): the caller then
 * falls back to smbcacls. An SMB failure is thrown as `smbError` makes it of the printed NT_STATUS; anything else
 * (SDDL Samba cannot parse) is ACL_WRITE_FAILED.
 */
export async function setAclWithSambaPython(
  target: SambaPythonAclTarget,
  sddl: string,
  smbError: (output: string) => CofferError,
): Promise<boolean> {
  const args = [
    '-c',
    SET_ACL_SCRIPT,
    target.address,
    target.share,
    target.path.replaceAll('/', '\\'),
    target.domainSid,
    target.user,
    target.domain,
  ];
  let result;
  try {
    result = await runTool(target.python, args, {
      object: target.object,
      input: `${target.password}\n${sddl}`,
      allowFailure: true,
    });
  } catch (error) {
    if (error instanceof CofferError && error.code === AdErrorCode.ToolMissing) return false;
    throw error;
  }
  if (result.exitCode === 0) return true;
  if (result.exitCode === BINDINGS_MISSING) return false;
  const output = `${result.stderr}\n${result.stdout}`.trim();
  if (/NT_STATUS_[A-Z0-9_]+/.test(output)) throw smbError(output);
  const detail =
    output.split('\n').slice(-2).join(' ') || `${target.python} exited with ${result.exitCode ?? 'a signal'}`;
  throw new CofferError(AdErrorCode.AclWriteFailed, `Setting the ACL of ${target.object} failed: ${detail}`, {
    hresult: HRESULT.ERROR_INVALID_SECURITY_DESCR,
    object: target.object,
  });
}
