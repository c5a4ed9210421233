import { defineCommand } from '@coffer/core';
import { listGpoLinks } from './list-gpo-links.js';
import { listDomainGpos } from './list-domain-gpos.js';
import { gpoLinksOptions, gpoListOptions } from './live-options.js';

/** How the examples connect: LDAPS by FQDN, CA verified, password from a 0600 file (mapped to the test DC by the tests). */
const CONNECT =
  '--dc dc1.corp.example --user Administrator@corp.example --password-file ~/.pw --ca-file /etc/ssl/corp-ca.pem';

/** Views of the live domain, read-only: what is there now, before a backup or a restore. */
export const liveCommands = [
  defineCommand({
    name: 'list',
    description:
      "Lists the domain's GPOs now (Get-GPO -All): name, GUID, status, user and computer versions in AD and SYSVOL and whether they agree, WMI filter, number of links, times and owner.",
    options: gpoListOptions,
    examples: [`coffer gpo list ${CONNECT}`, `coffer gpo list ${CONNECT} --name "Default*" --json`],
    run: listDomainGpos,
  }),
  defineCommand({
    name: 'links',
    description:
      'Shows where GPOs are linked (Get-GPInheritance): every container with its links in order, enforced or disabled, and whether it blocks inheritance; with --target, the GPOs one domain or OU inherits, in precedence order.',
    options: gpoLinksOptions,
    examples: [`coffer gpo links ${CONNECT}`, `coffer gpo links ${CONNECT} --target corp.example`],
    run: listGpoLinks,
  }),
];
