import type { TestDomainInfo } from '@coffer/samba-test-domain';

/**
 * The GPO provider's connection flags for the package's test DC: verified LDAPS by FQDN, the domain, the account and
 * the CA; with `passwordFile`, the password from that 0600 file (else the test gives it through COFFER_PASSWORD).
 */
export function gpoConnectionArgs(domain: TestDomainInfo, passwordFile?: string): string[] {
  return [
    '--dc',
    domain.dcHostname,
    '--domain',
    domain.dnsDomain,
    '--user',
    domain.adminUser,
    '--ca-file',
    domain.caFile,
    ...(passwordFile === undefined ? [] : ['--password-file', passwordFile]),
  ];
}
