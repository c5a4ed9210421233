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

/** What restoring a WMI filter object would do: create it, change these attributes, or nothing. */
export type WmiFilterChange =
  | { kind: 'create'; dn: string; attributes: Record<string, string> }
  | { kind: 'update'; dn: string; changes: LdapModification[]; undo: LdapModification[] }
  | { kind: 'unchanged'; dn: string };

/** Reads the msWMI-Som object and works out what {@link restoreWmiFilterObject} writes (reads only). */
export async function planWmiFilterObject(session: DomainSession, filter: WmiFilterRecord): Promise<WmiFilterChange> {
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
    return { kind: 'create', dn, attributes };
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
  return changes.length === 0 ? { kind: 'unchanged', dn } : { kind: 'update', dn, changes, undo };
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
  const change = await planWmiFilterObject(session, filter);
  const { dn } = change;
  if (change.kind === 'create') {
    await session.ldap.add(dn, change.attributes);
    rollback.record(`delete the re-created WMI filter ${dn}`, () => session.ldap.del(dn));
    return 'created';
  }
  if (change.kind === 'unchanged') return 'unchanged';
  await session.ldap.modify(dn, change.changes);
  rollback.record(`put back the WMI filter ${dn}`, () => session.ldap.modify(dn, change.undo));
  return 'updated';
}
