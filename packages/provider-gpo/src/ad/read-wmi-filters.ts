import type { WmiFilterRecord } from '../extras/gpo-extras.js';
import type { DomainSession } from './domain-session.js';
import { attributeText } from './ldap-values.js';
import { parseWmiQueries } from './wmi-filter.js';

/** The domain's WMI filters (msWMI-Som objects), by `{GUID}` upper-case. */
export async function readWmiFilters(session: DomainSession): Promise<Map<string, WmiFilterRecord>> {
  const base = `CN=SOM,CN=WMIPolicy,CN=System,${session.baseDn}`;
  const entries = await session.ldap
    .search(base, {
      scope: 'one',
      filter: '(objectClass=msWMI-Som)',
      attributes: [
        'msWMI-ID',
        'msWMI-Name',
        'msWMI-Parm1',
        'msWMI-Parm2',
        'msWMI-Author',
        'msWMI-CreationDate',
        'msWMI-ChangeDate',
        'cn',
      ],
    })
    .catch((error: { code?: string }) => {
      // A domain that never had a WMI filter may lack the container: no filters, not a failure.
      if (error.code === 'LDAP_NO_SUCH_OBJECT' || /no such object/i.test(String((error as Error).message))) return [];
      throw error;
    });
  const filters = new Map<string, WmiFilterRecord>();
  for (const entry of entries) {
    const id = attributeText(entry, 'msWMI-ID') ?? attributeText(entry, 'cn') ?? '';
    const parm2 = attributeText(entry, 'msWMI-Parm2') ?? '';
    let queries: WmiFilterRecord['queries'] = [];
    try {
      queries = parseWmiQueries(parm2);
    } catch {
      queries = []; // kept raw in parm2: restore writes the attribute back verbatim
    }
    filters.set(id.toUpperCase(), {
      id,
      dn: entry.dn,
      name: attributeText(entry, 'msWMI-Name') ?? '',
      description: attributeText(entry, 'msWMI-Parm1') ?? '',
      author: attributeText(entry, 'msWMI-Author') ?? '',
      parm2,
      queries,
      creationDate: attributeText(entry, 'msWMI-CreationDate') ?? '',
      changeDate: attributeText(entry, 'msWMI-ChangeDate') ?? '',
    });
  }
  return filters;
}
