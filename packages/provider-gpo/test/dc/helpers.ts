import { inject } from 'vitest';
import { tempDir as tempFolder } from '@coffer/test-support';
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

/** A temp folder removed when the test finishes (@coffer/test-support's, with this package's prefix). */
export const tempDir = (prefix = 'coffer-gpo-'): Promise<string> => tempFolder(prefix);
