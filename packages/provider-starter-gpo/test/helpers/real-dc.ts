import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import type { TestDomainInfo } from '@coffer/samba-test-domain';

const run = promisify(execFile);

export type Transport = 'smb' | 'local';

export function testDomain(): TestDomainInfo {
  return inject('testDomain');
}

/** Provider options reaching the test DC by SMB (with LDAPS) or through its local SYSVOL folder (no DC). */
export function connectionOptions(transport: Transport, dc: TestDomainInfo = testDomain()): Record<string, unknown> {
  if (transport === 'smb') {
    return {
      dc: dc.dcHostname,
      domain: dc.dnsDomain,
      user: dc.adminUser,
      password: dc.adminPassword,
      caFile: dc.caFile,
    };
  }
  return { sysvol: dc.sysvolPath, domain: dc.dnsDomain, smbConf: dc.smbConfPath };
}

/** Ground truth read straight from the DC's disk, independent of the code under test. */
export async function folderOnDisk(folder: string): Promise<{ files: Map<string, Buffer>; dirs: string[] }> {
  const files = new Map<string, Buffer>();
  const dirs: string[] = [];
  async function walk(dir: string, prefix: string): Promise<void> {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        dirs.push(rel);
        await walk(join(dir, entry.name), rel);
      } else {
        files.set(rel, await readFile(join(dir, entry.name)));
      }
    }
  }
  await walk(folder, '');
  return { files, dirs: dirs.sort() };
}

/** The folder's NT ACL as samba-tool reads it from the DC's own store. */
export async function aclOnDisk(folder: string, dc: TestDomainInfo = testDomain()): Promise<string> {
  const { stdout } = await run('samba-tool', ['ntacl', 'get', '--as-sddl', '-s', dc.smbConfPath, folder]);
  return stdout.trim();
}

/** objectGUID of the domain head, read from sam.ldb with ldbsearch (braced, lower-case). */
export async function domainGuidOnDisk(dc: TestDomainInfo = testDomain()): Promise<string> {
  const { stdout } = await run('ldbsearch', ['-H', dc.samLdbPath, '-b', dc.baseDn, '-s', 'base', 'objectGUID']);
  const match = /^objectGUID: ([0-9a-f-]{36})$/im.exec(stdout);
  if (!match) throw new Error(`ldbsearch returned no objectGUID: ${stdout}`);
  return `{${match[1]!.toLowerCase()}}`;
}
