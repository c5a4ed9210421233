import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject, afterEach } from 'vitest';
import type { TestDomainInfo } from '@coffer/samba-test-domain';

export const domain: TestDomainInfo = inject('testDomain');

/** Connection options for the seeded DC: verified LDAPS by FQDN, password from the harness. */
export function connection(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    dc: domain.dcHostname,
    domain: domain.dnsDomain,
    user: domain.adminUser,
    password: domain.adminPassword,
    caFile: domain.caFile,
    ...extra,
  };
}

const made: string[] = [];
afterEach(async () => {
  while (made.length) await rm(made.pop()!, { recursive: true, force: true });
});

export async function tempDir(prefix = 'coffer-gpo-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
