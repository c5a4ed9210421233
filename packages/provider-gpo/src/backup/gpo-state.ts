import type { SysvolEntry } from '@coffer/active-directory';
import { digestFacts, type ListedEntry } from '@coffer/gpmc';
import type { GpoContainer } from '../ad/read-gpos.js';
import type { GpoLinkRecord, WmiFilterRecord } from '../extras/gpo-extras.js';
import { routeGptPath } from './gpt-routing.js';

/**
 * The Active Directory half of a GPO's state for `--changed`, as one digest (stored in each backup's change state):
 * everything the backup keeps of the container that can change, and nothing that moves on its own.
 *
 * Counted: display name, flags (enabled sides), the version number, both extension-name lists, gPCFileSysPath, the
 * WMI filter link (gPCWQLFilter) and the linked filter's name, description and queries (msWMI-Parm2), the whole
 * security descriptor as read (owner, group, DACL with every ACE, the SACL when readable), and every link to the GPO:
 * its container, GPMC order there, enabled and enforced.
 * Not counted: whenChanged (replication and metadata touch it), other GPOs' links, block inheritance of a container.
 */
export function gpoAdDigest(gpo: GpoContainer, links: readonly GpoLinkRecord[], wmiFilter: WmiFilterRecord | null) {
  return digestFacts({
    id: gpo.id.toUpperCase(),
    displayName: gpo.displayName,
    flags: gpo.flags,
    versionNumber: gpo.versionNumber,
    machineExtensionNames: gpo.machineExtensionNames,
    userExtensionNames: gpo.userExtensionNames,
    fileSysPath: gpo.fileSysPath,
    wqlFilter: gpo.wqlFilter,
    wmiFilter: wmiFilter && { name: wmiFilter.name, description: wmiFilter.description, parm2: wmiFilter.parm2 },
    securityDescriptor: gpo.securityDescriptor.toString('hex'),
    saclIncluded: gpo.saclIncluded,
    links: links
      .map((link) => ({
        dn: link.somDn.toLowerCase(),
        order: link.order,
        enabled: link.enabled,
        enforced: link.enforced,
      }))
      .sort((a, b) => (a.dn < b.dn ? -1 : a.dn > b.dn ? 1 : a.order - b.order)),
  });
}

/**
 * Whether an entry of a GPO's folder is part of its recorded state: everything the backup reads (GPT.INI included,
 * whose version it keeps), not the Adm folder, which it neither copies nor looks at.
 */
export function isStateEntry(inner: string): boolean {
  return inner !== '' && routeGptPath(inner) !== 'skip';
}

/** A SYSVOL entry as the change state lists it. */
export function listedEntry(inner: string, entry: SysvolEntry): ListedEntry {
  return {
    path: inner,
    kind: entry.kind,
    size: entry.kind === 'file' ? entry.size : 0,
    ...(entry.mtime === undefined ? {} : { mtime: entry.mtime }),
  };
}
