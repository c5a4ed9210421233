import type { GpoLinkRecord } from '../extras/gpo-extras.js';
import type { DomainSession } from './domain-session.js';
import { linkOrderOf, parseGpLink } from './gplink.js';
import { attributeNumber, attributeText, attributeTexts } from './ldap-values.js';

/** Every GPO link in the domain (domain head, OUs) and its sites, by GPO id (upper-case). */
export async function readGpoLinks(session: DomainSession): Promise<Map<string, GpoLinkRecord[]>> {
  const attributes = ['gPLink', 'gPOptions', 'objectClass', 'name'];
  const [domainSide, siteSide] = await Promise.all([
    session.ldap.search(session.baseDn, { scope: 'sub', filter: '(gPLink=*)', attributes }),
    session.ldap.search(`CN=Sites,${session.configurationDn}`, { scope: 'sub', filter: '(gPLink=*)', attributes }),
  ]);
  const byGpo = new Map<string, GpoLinkRecord[]>();
  for (const entry of [...domainSide, ...siteSide]) {
    const links = parseGpLink(attributeText(entry, 'gPLink'));
    const classes = attributeTexts(entry, 'objectClass').map((c) => c.toLowerCase());
    const somType: GpoLinkRecord['somType'] = classes.includes('site')
      ? 'site'
      : classes.includes('domaindns') || classes.includes('domain')
        ? 'domain'
        : 'ou';
    const blocks = (attributeNumber(entry, 'gPOptions') & 1) === 1;
    links.forEach((link, index) => {
      const record: GpoLinkRecord = {
        somDn: entry.dn,
        somName: somType === 'domain' ? session.dnsDomain : (attributeText(entry, 'name') ?? entry.dn),
        somType,
        order: linkOrderOf(index, links.length),
        linksOnContainer: links.length,
        enabled: link.enabled,
        enforced: link.enforced,
        options: link.options,
        containerBlocksInheritance: blocks,
      };
      const list = byGpo.get(link.gpoId) ?? [];
      list.push(record);
      byGpo.set(link.gpoId, list);
    });
  }
  return byGpo;
}

/** `OU=Sub,OU=Top,DC=corp,DC=example` → `corp.example/Top/Sub`, the path GPMC's report shows. */
export function canonicalPathOf(dn: string, dnsDomain: string): string {
  const rdns = dn.split(/,(?=(?:[^\\]|\\.)*$)/).map((r) => r.trim());
  const names = rdns.filter((r) => !/^dc=/i.test(r)).map((r) => r.slice(r.indexOf('=') + 1).replace(/\\(.)/g, '$1'));
  return [dnsDomain, ...names.reverse()].join('/');
}
