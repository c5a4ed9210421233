/** What the connection flags need to know of a test DC (structural: `TestDomainInfo` of @coffer/samba-test-domain fits). */
export interface ConnectableDomain {
  dcHostname: string;
  dnsDomain: string;
  adminUser: string;
  caFile: string;
}

/**
 * The `coffer` CLI's Group Policy connection flags for a test DC: verified LDAPS by FQDN, the domain, the account and
 * the CA; with `passwordFile`, the password from that 0600 file (else the test gives it through COFFER_PASSWORD, never
 * on the command line). One list for every suite that runs the CLI against a DC.
 */
export function gpoConnectionArgs(domain: ConnectableDomain, passwordFile?: string): string[] {
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
