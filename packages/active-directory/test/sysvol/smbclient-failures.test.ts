import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AdErrorCode, createSmbclientSysvolSource, type SysvolSource } from '../../src/index.js';
import { testDomain } from '../helpers/test-domain.js';
import { failure } from '../helpers/expect-failure.js';
import { childProcessesOf, filesHolding } from '@coffer/test-support';

const domain = testDomain();
const credentials = { user: domain.adminUser, domain: domain.netbiosDomain, password: domain.adminPassword };

describe('smbclient SYSVOL failures and secrecy', () => {
  it('maps a wrong password to ERROR_LOGON_FAILURE', async () => {
    const sysvol = await createSmbclientSysvolSource({
      host: domain.dcHostname,
      credentials: { ...credentials, password: 'Not-The-Password-1' },
    });
    try {
      const error = await failure(sysvol.exists(domain.dnsDomain));
      expect(error.code).toBe(AdErrorCode.LogonFailure);
      expect(error.hresult).toBe(0x8007052e);
      expect(error.message).not.toContain('Not-The-Password-1');
      const treeError = await failure(
        (async () => {
          for await (const _ of sysvol.readTree(`${domain.dnsDomain}/Policies`)) void _;
        })(),
      );
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
    await expect(
      createSmbclientSysvolSource({ host: 'dc1.does-not-exist.invalid', credentials }),
    ).rejects.toMatchObject({ code: AdErrorCode.ServerUnreachable });
  });

  it('hands smbclient the password through a pipe: never in its argv, its environment or any file, during or after the run', async () => {
    // A file larger than the pipe buffers keeps smbclient running while we look at it.
    const folder = `${domain.dnsDomain}/coffer-secrecy-check`;
    mkdirSync(join(domain.sysvolPath, folder), { recursive: true });
    const big = Buffer.alloc(8 * 1024 * 1024, 1);
    writeFileSync(join(domain.sysvolPath, folder, 'big.bin'), big);
    // Coffer's own secret variable is set in this process, as the CLI's user would set it: children must not inherit it.
    const scratchTmp = mkdtempSync(join(tmpdir(), 'coffer-secrecy-tmp-'));
    const before = { tmpdir: process.env.TMPDIR, password: process.env.COFFER_PASSWORD };
    process.env.TMPDIR = scratchTmp;
    process.env.COFFER_PASSWORD = domain.adminPassword;
    const topLevelBefore = new Set(readdirSync(tmpdir(), { encoding: 'utf8' }));
    try {
      const sysvol: SysvolSource = await createSmbclientSysvolSource({ host: domain.dcHostname, credentials });
      const sampled: Array<{ cmdline: string; environ: string }> = [];
      let bytes = 0;
      for await (const entry of sysvol.readTree(folder)) {
        if (entry.kind !== 'file' || entry.content === null) continue;
        for await (const chunk of entry.content) {
          if (bytes === 0) {
            sampled.push(...childProcessesOf(process.pid, /smbclient/));
            expect(filesHolding(scratchTmp, domain.adminPassword)).toEqual([]);
          }
          bytes += chunk.length;
        }
      }
      expect(bytes).toBe(big.length);
      // smbcacls and the one-shot smbclient commands get the same treatment (the ACL read runs while we sample).
      const acl = sysvol.readAcl(folder);
      await new Promise((r) => setTimeout(r, 30));
      sampled.push(...childProcessesOf(process.pid, /smbcacls|smbclient/));
      expect(await acl).toMatch(/^O:/);
      expect((await sysvol.readFile(`${folder}/big.bin`)).equals(big)).toBe(true);
      await sysvol.close();

      expect(sampled.length).toBeGreaterThan(0);
      for (const child of sampled) {
        expect(child.cmdline).not.toContain(domain.adminPassword);
        expect(child.environ).not.toContain(domain.adminPassword);
        expect(child.environ).not.toContain('COFFER_PASSWORD');
        // The environment names only the descriptor the password is read from.
        expect(child.environ.split('\0')).toContain('PASSWD_FD=3');
      }
      expect(filesHolding(scratchTmp, domain.adminPassword)).toEqual([]);
      expect(
        [...new Set(readdirSync(tmpdir(), { encoding: 'utf8' }))].filter((name) => !topLevelBefore.has(name)),
      ).toEqual([]);
      // The system temp folder too: no coffer-smb-* folder (the old auth-file home) is left or made.
      expect(readdirSync(before.tmpdir ?? '/tmp').filter((name) => name.startsWith('coffer-smb-'))).toEqual([]);
    } finally {
      if (before.tmpdir === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = before.tmpdir;
      if (before.password === undefined) delete process.env.COFFER_PASSWORD;
      else process.env.COFFER_PASSWORD = before.password;
      rmSync(scratchTmp, { recursive: true, force: true });
      rmSync(join(domain.sysvolPath, folder), { recursive: true, force: true });
    }
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
