import { spawn } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HRESULT, type StatusMessage } from '@coffer/core';
import {
  AdErrorCode,
  createLocalSysvolSource,
  createSmbclientSysvolSource,
  parseSddl,
  type SysvolSource,
} from '../../src/index.js';
import { sambaToolPython } from '../../src/sysvol/samba-python-acl.js';
import { testDomain, writeTempFile } from '../helpers/test-domain.js';
import { failure } from '../helpers/expect-failure.js';

const domain = testDomain();
const domainSid = () => (domain.seed?.groups[0]?.sid ?? '').replace(/-\d+$/, '');
const credentials = { user: domain.adminUser, domain: domain.netbiosDomain, password: domain.adminPassword };

/**
 * A DACL out of canonical order (an allow before a deny, then another allow): smbcacls would store the deny first.
 * Full SIDs and hex masks, as Samba prints file ACLs.
 */
function nonCanonicalSddl(): string {
  const sid = domainSid();
  return `O:${sid}-512G:${sid}-513D:P(A;OICI;0x001f01ff;;;${sid}-512)(D;OICI;0x00000002;;;${sid}-513)(A;OICI;0x001200a9;;;S-1-5-11)(A;OICI;0x001f01ff;;;S-1-5-18)`;
}

/** The DACL as `type:sid` in stored order. */
function aceOrder(sddl: string): string[] {
  const sd = parseSddl(sddl, { domainSid: domainSid(), rootDomainSid: domainSid() });
  return (sd.dacl?.aces ?? []).map((ace) => `${ace.kind}:${'sid' in ace ? ace.sid : '?'}`);
}

const expectedOrder = () => {
  const sid = domainSid();
  return [`accessAllowed:${sid}-512`, `accessDenied:${sid}-513`, 'accessAllowed:S-1-5-11', 'accessAllowed:S-1-5-18'];
};

/** A script standing in for the Samba Python: runs it with `args` first (e.g. -S: no site packages, so no bindings). */
function pythonWrapper(python: string, prelude: string, args: string): string {
  const path = writeTempFile('python-wrapper', `#!/bin/sh\n${prelude}\nexec ${python} ${args} "$@"\n`, 0o700);
  chmodSync(path, 0o700);
  return path;
}

const transports: Array<[string, (extra?: Record<string, unknown>) => Promise<SysvolSource>]> = [
  ['local path', async () => createLocalSysvolSource({ root: domain.sysvolPath, smbConfPath: domain.smbConfPath })],
  [
    'smbclient',
    async (extra = {}) =>
      createSmbclientSysvolSource({ host: domain.dcHostname, credentials, domainSid: domainSid(), ...extra }),
  ],
];

describe.each(transports)('SYSVOL writes over %s', (name, open) => {
  let sysvol: SysvolSource;
  const scratch = `${domain.dnsDomain}/coffer-writes-${name.replace(/\W/g, '-')}`;

  beforeAll(async () => {
    sysvol = await open();
    await sysvol.removeTree(scratch, { missingOk: true });
    await sysvol.writeTree(scratch, [{ path: 'a/file.txt', kind: 'file', content: Buffer.from('payload') }]);
  });
  afterAll(async () => {
    await sysvol?.removeTree(scratch, { missingOk: true });
    await sysvol?.close();
  });

  it('renames a folder with what is in it, and back', async () => {
    await sysvol.rename(`${scratch}/a`, `${scratch}/b`);
    expect(await sysvol.exists(`${scratch}/a`)).toBe(false);
    expect((await sysvol.readFile(`${scratch}/b/file.txt`)).toString()).toBe('payload');
    await sysvol.rename(`${scratch}\\b`, `${scratch}/a`);
    expect((await sysvol.readFile(`${scratch}/a/file.txt`)).toString()).toBe('payload');
  });

  it('refuses to rename onto something that exists, and a missing source', async () => {
    await sysvol.writeTree(`${scratch}/taken`, []);
    const taken = await failure(sysvol.rename(`${scratch}/a`, `${scratch}/taken`));
    expect(taken).toMatchObject({ code: AdErrorCode.RenameFailed, hresult: HRESULT.ERROR_ALREADY_EXISTS });
    expect(await sysvol.exists(`${scratch}/a/file.txt`)).toBe(true);
    const missing = await failure(sysvol.rename(`${scratch}/not-there`, `${scratch}/c`));
    expect(missing.code).toBe(AdErrorCode.PathNotFound);
    await expect(sysvol.rename(`${scratch}/../../etc`, `${scratch}/c`)).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
  });

  it('writes an ACL with its ACEs in the order given, not canonical order', async () => {
    const sddl = nonCanonicalSddl();
    await sysvol.writeAcl(`${scratch}/a`, sddl);
    expect(aceOrder(await sysvol.readAcl(`${scratch}/a`))).toEqual(expectedOrder());
    await sysvol.writeAcl(`${scratch}/a/file.txt`, sddl);
    expect(aceOrder(await sysvol.readAcl(`${scratch}/a/file.txt`))).toEqual(expectedOrder());
  });
});

describe('SYSVOL writes over smbclient: order-keeping ACLs through Samba’s Python bindings', () => {
  const scratch = `${domain.dnsDomain}/coffer-writes-python`;
  let sysvol: SysvolSource;

  beforeAll(async () => {
    sysvol = await createSmbclientSysvolSource({ host: domain.dcHostname, credentials, domainSid: domainSid() });
    await sysvol.removeTree(scratch, { missingOk: true });
    await sysvol.writeTree(scratch, [{ path: 'held/file.txt', kind: 'file', content: Buffer.from('x') }]);
  });
  afterAll(async () => {
    await sysvol?.removeTree(scratch, { missingOk: true });
    await sysvol?.close();
  });

  it('gives the bindings the password only on stdin: never on the command line, in the environment or in a file', async () => {
    const argsFile = writeTempFile('python-args', '');
    const envFile = writeTempFile('python-env', '');
    const python = pythonWrapper(await sambaToolPython(), `printf '%s\\n' "$@" > ${argsFile}; env > ${envFile}`, '');
    const recorded = await createSmbclientSysvolSource({
      host: domain.dcHostname,
      credentials,
      domainSid: domainSid(),
      pythonPath: python,
    });
    const before = process.env.COFFER_PASSWORD;
    process.env.COFFER_PASSWORD = domain.adminPassword;
    try {
      await recorded.writeAcl(`${scratch}/held`, nonCanonicalSddl());
      const args = readFileSync(argsFile, 'utf8');
      expect(args).toContain('set_acl');
      expect(args).not.toContain(domain.adminPassword);
      const env = readFileSync(envFile, 'utf8');
      expect(env).toContain('PATH=');
      expect(env).not.toContain(domain.adminPassword);
      expect(env).not.toContain('COFFER_PASSWORD');
      expect(aceOrder(await recorded.readAcl(`${scratch}/held`))).toEqual(expectedOrder());
    } finally {
      if (before === undefined) delete process.env.COFFER_PASSWORD;
      else process.env.COFFER_PASSWORD = before;
      await recorded.close();
    }
  });

  it('falls back to smbcacls (canonical order) without the bindings, and says so once', async () => {
    const messages: StatusMessage[] = [];
    const noBindings = pythonWrapper(await sambaToolPython(), '', '-S');
    const fallback = await createSmbclientSysvolSource({
      host: domain.dcHostname,
      credentials,
      domainSid: domainSid(),
      pythonPath: noBindings,
      report: (m) => messages.push(m),
    });
    try {
      await fallback.writeAcl(`${scratch}/held`, nonCanonicalSddl());
      await fallback.writeAcl(`${scratch}/held/file.txt`, nonCanonicalSddl());
      const stored = aceOrder(await fallback.readAcl(`${scratch}/held`));
      expect([...stored].sort()).toEqual([...expectedOrder()].sort());
      expect(stored[0]).toBe(`accessDenied:${domainSid()}-513`);
      expect(messages).toEqual([
        expect.objectContaining({ severity: 'info', code: 'ACL_ORDER_CANONICAL', object: domain.dcHostname }),
      ]);
    } finally {
      await fallback.close();
    }
    const missing = await createSmbclientSysvolSource({
      host: domain.dcHostname,
      credentials,
      domainSid: domainSid(),
      pythonPath: '/nonexistent/python3',
      report: (m) => messages.push(m),
    });
    try {
      await missing.writeAcl(`${scratch}/held`, nonCanonicalSddl());
      expect(messages.map((m) => m.code)).toEqual(['ACL_ORDER_CANONICAL', 'ACL_ORDER_CANONICAL']);
    } finally {
      await missing.close();
    }
  });

  it('maps the bindings’ failures: a missing path, a wrong password, SDDL Samba cannot read', async () => {
    expect((await failure(sysvol.writeAcl(`${scratch}/not-there`, nonCanonicalSddl()))).code).toBe(
      AdErrorCode.PathNotFound,
    );
    const wrong = await createSmbclientSysvolSource({
      host: domain.dcHostname,
      credentials: { ...credentials, password: 'Not-The-Password-1' },
      domainSid: domainSid(),
    });
    try {
      const error = await failure(wrong.writeAcl(`${scratch}/held`, nonCanonicalSddl()));
      expect(error.code).toBe(AdErrorCode.LogonFailure);
      expect(error.message).not.toContain('Not-The-Password-1');
    } finally {
      await wrong.close();
    }
    const bad = await failure(sysvol.writeAcl(`${scratch}/held`, 'O:nonsense(('));
    expect(bad).toMatchObject({ code: AdErrorCode.AclWriteFailed, hresult: HRESULT.ERROR_INVALID_SECURITY_DESCR });
  });

  // Samba (unlike Windows) lets a folder be renamed while another connection holds a file below it open, unless
  // `strict rename` is set; a file opened without FILE_SHARE_DELETE cannot be renamed by anyone, which is tested here.
  it('refuses to rename a file a client holds open without sharing it', async () => {
    const authFile = writeTempFile(
      'auth',
      `username = ${credentials.user}\npassword = ${credentials.password}\ndomain = ${credentials.domain}\n`,
    );
    const holdScript = [
      'import sys',
      'from samba import credentials, param',
      'from samba.samba3 import libsmb_samba_internal as libsmb',
      'from samba.samba3 import param as s3param',
      's3 = s3param.get_context()',
      's3.load_default()',
      'creds = credentials.Credentials()',
      'creds.guess(param.LoadParm())',
      'creds.parse_file(sys.argv[3])',
      'creds.set_kerberos_state(credentials.DONT_USE_KERBEROS)',
      "conn = libsmb.Conn(sys.argv[1], 'sysvol', lp=s3, creds=creds)",
      'fnum = conn.create(sys.argv[2], DesiredAccess=0x120089, ShareAccess=0, CreateDisposition=1)',
      "print('open', flush=True)",
      'sys.stdin.read()',
      'conn.close(fnum)',
    ].join('\n');
    const holder = spawn(
      await sambaToolPython(),
      ['-c', holdScript, domain.address, `${scratch}/held/file.txt`.replaceAll('/', '\\'), authFile],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stderr = '';
    holder.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('open') && resolve());
        holder.on('exit', (code) => reject(new Error(`the holder exited (${code}): ${stderr}`)));
      });
      const error = await failure(sysvol.rename(`${scratch}/held/file.txt`, `${scratch}/held/moved.txt`));
      expect(error).toMatchObject({
        code: AdErrorCode.RenameFailed,
        hresult: HRESULT.ERROR_SHARING_VIOLATION,
        object: `${scratch}/held/file.txt`,
      });
      expect(error.message).toContain('NT_STATUS_SHARING_VIOLATION');
      expect(await sysvol.exists(`${scratch}/held/file.txt`)).toBe(true);
    } finally {
      holder.stdin.end();
      await new Promise((resolve) => (holder.exitCode === null ? holder.on('exit', resolve) : resolve(null)));
    }
    await sysvol.rename(`${scratch}/held/file.txt`, `${scratch}/held/moved.txt`);
    expect((await sysvol.readFile(`${scratch}/held/moved.txt`)).toString()).toBe('x');
  });
});
