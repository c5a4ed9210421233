import type { OperationContext } from '@coffer/core';
import type { DomainSession } from '../ad/domain-session.js';
import { formatGpLink, parseGpLink } from '../ad/gplink.js';
import { attributeText } from '../ad/ldap-values.js';
import type { GpoLinkRecord } from '../extras/gpo-extras.js';
import type { RollbackLog } from './gpo-container.js';
import { placeGpoLink } from './gplink-placement.js';

/** Where each GPO restored in this run stood in each container's gPLink, by container DN and GPO id (both upper-case). */
export type RecordedLinkIndex = Map<string, Map<string, number>>;

export function recordedIndexOf(link: Pick<GpoLinkRecord, 'order' | 'linksOnContainer'>): number {
  return Math.max(0, link.linksOnContainer - link.order);
}

export function addRecordedLinks(index: RecordedLinkIndex, gpoId: string, links: readonly GpoLinkRecord[]): void {
  for (const link of links) {
    const key = link.somDn.toUpperCase();
    const perContainer = index.get(key) ?? new Map<string, number>();
    perContainer.set(gpoId.toUpperCase(), recordedIndexOf(link));
    index.set(key, perContainer);
  }
}

/** One container's gPLink as a restore would leave it. */
export interface PlannedLinkChange {
  /** The container's DN as the directory returns it. */
  container: string;
  before: string;
  after: string;
}

/**
 * Where a GPO's recorded links go on the containers that still exist, with their recorded order, enforcement and
 * enabled state: the new gPLink of each container that changes. Reads only; containers that are gone (and gPLinks
 * Coffer cannot read) are reported as warnings. `planned` holds gPLinks planned but not written (a what-if over
 * several GPOs): they are read instead of the directory's, and the plan's values are added to it.
 */
export async function planGpoLinks(
  session: DomainSession,
  gpo: { id: string; dn: string; object: string },
  links: readonly GpoLinkRecord[],
  recorded: RecordedLinkIndex,
  context: OperationContext,
  planned?: Map<string, string>,
): Promise<PlannedLinkChange[]> {
  const changes: PlannedLinkChange[] = [];
  for (const link of links) {
    const [container] = await session.ldap
      .search(link.somDn, { scope: 'base', attributes: ['gPLink'], paged: false })
      .catch((error: { code?: string; message?: string }) => {
        if (/NO_SUCH_OBJECT|no such object|does not exist/i.test(`${error.code ?? ''} ${error.message ?? ''}`))
          return [];
        throw error;
      });
    if (!container) {
      context.report({
        severity: 'warning',
        code: 'LINK_CONTAINER_MISSING',
        message: `${gpo.object} was linked to ${link.somDn}, which no longer exists; that link was not restored.`,
        object: link.somDn,
      });
      continue;
    }
    const before = planned?.get(container.dn.toUpperCase()) ?? attributeText(container, 'gPLink') ?? '';
    const current = parseGpLink(before);
    const known = recorded.get(link.somDn.toUpperCase());
    const next = placeGpoLink(
      current,
      {
        gpoId: gpo.id,
        gpoDn: gpo.dn,
        enabled: link.enabled,
        enforced: link.enforced,
        recordedIndex: recordedIndexOf(link),
      },
      (id) => (id === gpo.id.toUpperCase() ? undefined : known?.get(id)),
    );
    // Entries this parser does not understand (links to non-GPO objects) would be lost by reformatting: keep the value as is then.
    const value = formatGpLink(next);
    if (current.length !== (before.match(/\[LDAP:\/\//gi) ?? []).length) {
      context.report({
        severity: 'warning',
        code: 'GPLINK_UNPARSED',
        message: `The gPLink of ${link.somDn} holds entries Coffer cannot read; the link of ${gpo.object} was not restored there.`,
        object: link.somDn,
      });
      continue;
    }
    if (value === before) continue;
    planned?.set(container.dn.toUpperCase(), value);
    changes.push({ container: container.dn, before, after: value });
  }
  return changes;
}

/**
 * Puts a GPO's links back on the containers that still exist ({@link planGpoLinks}), each change recorded for
 * rollback. Containers that are gone are reported, not created. Returns how many links were written.
 */
export async function restoreGpoLinks(
  session: DomainSession,
  gpo: { id: string; dn: string; object: string },
  links: readonly GpoLinkRecord[],
  recorded: RecordedLinkIndex,
  rollback: RollbackLog,
  context: OperationContext,
): Promise<number> {
  const changes = await planGpoLinks(session, gpo, links, recorded, context);
  for (const { container, before, after } of changes) {
    await session.ldap.modify(container, [{ operation: 'replace', attribute: 'gPLink', values: [after] }]);
    rollback.record(`put back the gPLink of ${container}`, () =>
      session.ldap.modify(container, [
        before === ''
          ? { operation: 'delete', attribute: 'gPLink', values: [] }
          : { operation: 'replace', attribute: 'gPLink', values: [before] },
      ]),
    );
  }
  return changes.length;
}

/** The DN form GPMC writes into gPLink for a GPO. */
export function gpLinkDnOf(gpoId: string, baseDn: string): string {
  return `cn=${gpoId},cn=policies,cn=system,${baseDn}`;
}
