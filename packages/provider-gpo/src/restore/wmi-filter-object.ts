import type { LdapModification } from '@coffer/active-directory';
import type { DomainSession } from '../ad/domain-session.js';
import { attributeText } from '../ad/ldap-values.js';
import type { WmiFilterRecord } from '../extras/gpo-extras.js';
import type { RollbackLog } from './gpo-container.js';

export function wmiFilterDn(session: Pick<DomainSession, 'baseDn'>, id: string): string {
  return `CN=${id},CN=SOM,CN=WMIPolicy,CN=System,${session.baseDn}`;
}

const FIELDS: Array<[keyof WmiFilterRecord, string]> = [
  ['name', 'msWMI-Name'],
  ['description', 'msWMI-Parm1'],
  ['parm2', 'msWMI-Parm2'],
  ['author', 'msWMI-Author'],
  ['creationDate', 'msWMI-CreationDate'],
  ['changeDate', 'msWMI-ChangeDate'],
];

/** Whether the filter object exists in the domain. */
export async function wmiFilterExists(session: DomainSession, id: string): Promise<boolean> {
  const entries = await session.ldap
    .search(wmiFilterDn(session, id), { scope: 'base', attributes: ['cn'], paged: false })
    .catch(() => []);
  return entries.length > 0;
}

/**
 * Re-creates the msWMI-Som object from Coffer's extras, or brings an existing one back to the backed-up
 * name, description and queries. Returns what was done.
 */
export async function restoreWmiFilterObject(
  session: DomainSession,
  filter: WmiFilterRecord,
  rollback: RollbackLog,
): Promise<'created' | 'updated' | 'unchanged'> {
  const dn = wmiFilterDn(session, filter.id);
  const [entry] = await session.ldap
    .search(dn, { scope: 'base', attributes: FIELDS.map(([, a]) => a), paged: false })
    .catch(() => []);
  if (!entry) {
    const attributes: Record<string, string> = {
      objectClass: 'msWMI-Som',
      'msWMI-ID': filter.id,
      showInAdvancedViewOnly: 'TRUE',
    };
    for (const [field, attribute] of FIELDS)
      if (String(filter[field]) !== '') attributes[attribute] = String(filter[field]);
    await session.ldap.add(dn, attributes);
    rollback.record(`delete the re-created WMI filter ${dn}`, () => session.ldap.del(dn));
    return 'created';
  }
  const changes: LdapModification[] = [];
  const undo: LdapModification[] = [];
  for (const [field, attribute] of FIELDS.slice(0, 3)) {
    const next = String(filter[field]);
    const before = attributeText(entry, attribute) ?? '';
    if (next === before) continue;
    changes.push(
      next === ''
        ? { operation: 'delete', attribute, values: [] }
        : { operation: 'replace', attribute, values: [next] },
    );
    undo.push(
      before === ''
        ? { operation: 'delete', attribute, values: [] }
        : { operation: 'replace', attribute, values: [before] },
    );
  }
  if (changes.length === 0) return 'unchanged';
  await session.ldap.modify(dn, changes);
  rollback.record(`put back the WMI filter ${dn}`, () => session.ldap.modify(dn, undo));
  return 'updated';
}
