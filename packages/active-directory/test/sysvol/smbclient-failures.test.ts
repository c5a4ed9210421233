import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AdErrorCode, createSmbclientSysvolSource, type SysvolSource } from '../../src/index.js';
import { testDomain } from '../helpers/test-domain.js';
import { failure } from '../helpers/expect-failure.js';

const domain = testDomain();
const credentials = { user: domain.adminUser, domain: domain.netbiosDomain, password: domain.adminPassword };

/** Command lines of this process's smbclient children, read from /proc while they run. */
function smbclientCommandLines(): string[] {
  const lines: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (ppid === process.pid && cmdline.includes('smbclient')) lines.push(cmdline.replaceAll('\0', ' '));
    } catch {
      // gone
    }
  }
  return lines;
}

describe('smbclient SYSVOL failures and secrecy', () => {
  it('maps a wrong password to ERROR_LOGON_FAILURE', async () => {
    const sysvol = await createSmbclientSysvolSource({ host: domain.dcHostname, credentials: { ...credentials, password: 'Not-The-Password-1' } });
    try {
      const error = await failure(sysvol.exists(domain.dnsDomain));
      expect(error.code).toBe(AdErrorCode.LogonFailure);
      expect(error.hresult).toBe(0x8007052e);
      expect(error.message).not.toContain('Not-The-Password-1');
      const treeError = await failure((async () => {
        for await (const _ of sysvol.readTree(`${domain.dnsDomain}/Policies`)) void _;
      })());
      expect(treeError.code).toBe(AdErrorCode.LogonFailure);
    } finally {
      await sysvol.close();
    }
  });

  it('maps a missing share to ERROR_BAD_NET_NAME', async () => {
    const sysvol = await createSmbclientSysvolSource({ host: domain.dcHostname, share: 'nosuchshare', credentials });
    try {
      const error = await failure(sysvol.readFile(`${domain.dnsDomain}/Policies/x`));
      expect(error.code).toBe(AdErrorCode.ShareNotFound);
      expect(error.hresult).toBe(0x80070043);
      expect(error.message).toContain('nosuchshare');
    } finally {
      await sysvol.close();
    }
  });

  it('maps an address where no DC listens to a clear unreachable error', async () => {
    const sysvol = await createSmbclientSysvolSource({ host: 'dc1.nowhere.test', address: '127.0.0.42', credentials });
    try {
      const error = await failure(sysvol.exists(domain.dnsDomain));
      expect(error.code).toBe(AdErrorCode.ServerUnreachable);
      expect(error.hresult).toBe(0x80070035);
      expect(error.object).toBe('dc1.nowhere.test');
    } finally {
      await sysvol.close();
    }
  });

  it('reports a name that does not resolve', async () => {
    await expect(createSmbclientSysvolSource({ host: 'dc1.does-not-exist.invalid', credentials })).rejects.toMatchObject({ code: AdErrorCode.ServerUnreachable });
  });

  it('never puts the password on a command line; the auth file is private and removed on close', async () => {
    // A file larger than the pipe buffers keeps smbclient running while we look at it.
    const folder = `${domain.dnsDomain}/coffer-secrecy-check`;
    mkdirSync(join(domain.sysvolPath, folder), { recursive: true });
    writeFileSync(join(domain.sysvolPath, folder, 'big.bin'), Buffer.alloc(8 * 1024 * 1024, 1));
    const sysvol: SysvolSource = await createSmbclientSysvolSource({ host: domain.dcHostname, credentials });
    const seen: string[] = [];
    const authFiles = new Set<string>();
    for await (const entry of sysvol.readTree(folder)) {
      for (const line of smbclientCommandLines()) {
        seen.push(line);
        const authFile = /-A (\S+)/.exec(line)?.[1];
        if (authFile) {
          authFiles.add(authFile);
          expect(statSync(authFile).mode & 0o777).toBe(0o600);
          expect(statSync(dirname(authFile)).mode & 0o777).toBe(0o700);
          expect(readFileSync(authFile, 'utf8')).toContain(`password = ${domain.adminPassword}`);
        }
      }
      void entry;
    }
    expect(seen.length).toBeGreaterThan(0);
    for (const line of seen) expect(line).not.toContain(domain.adminPassword);
    expect(authFiles.size).toBe(1);
    await sysvol.close();
    for (const file of authFiles) expect(existsSync(dirname(file))).toBe(false);
    rmSync(join(domain.sysvolPath, folder), { recursive: true, force: true });
  });

  it('refuses a folder name smbclient commands cannot carry', async () => {
    const sysvol = await createSmbclientSysvolSource({ host: domain.dcHostname, credentials });
    try {
      const error = await failure(sysvol.readFile(`${domain.dnsDomain}/a;b`));
      expect(error.code).toBe(AdErrorCode.UnsupportedPath);
    } finally {
      await sysvol.close();
    }
  });
});
