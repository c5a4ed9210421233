import {
  digestBytes,
  digestSysvolTree,
  parseSecurityDescriptor,
  plannedFolderChanges,
  toSddl,
  type SecurityDescriptor,
} from '@coffer/active-directory';
import type { BackupReader } from '@coffer/core';
import type { DomainSession } from '../ad/domain-session.js';
import { routeGptPath } from '../backup/gpt-routing.js';
import { GPT_FOLDER, type BackupGptEntry } from './load-backup.js';
import type { PlannedLinkChange } from './restore-links.js';
import type { GpoVersions } from './versions.js';

/**
 * What a restore or an import would change, worked out from the same reads and the same decisions as the real run
 * (`--what-if`, like the GroupPolicy module's `-WhatIf`): nothing is written. Paths and DNs are the ones the run writes,
 * so a plan can be compared with a before/after snapshot of LDAP and SYSVOL.
 */
export interface GpoChangePlan {
  operation: 'restore' | 'import';
  gpo: { id: string; displayName: string };
  fromBackupId: string;
  /** The GPO does not exist (restore of a deleted GPO, import with createIfNeeded): it would be created. */
  create: boolean;
  /** Every LDAP entry added or modified, with the attributes written (an add names every attribute it sets). */
  ldap: Array<{ dn: string; change: 'add' | 'modify'; attributes: string[] }>;
  /** The GPO container's attributes that change, with their values now and after. */
  attributes: Array<{ name: string; before: string; after: string }>;
  /** SYSVOL paths below the domain's Policies folder (`{GUID}/Machine/registry.pol`); folders end with `/`. */
  sysvol: { added: string[]; changed: string[]; removed: string[] };
  versions: { before: GpoVersions | null; after: GpoVersions };
  /** Explicit ACEs of the GPO's DACL (SDDL) added and removed; owner and group changes as `O:`/`G:` SDDL. */
  aces: {
    added: string[];
    removed: string[];
    owner?: { before: string; after: string };
    group?: { before: string; after: string };
  };
  /** Containers whose gPLink changes. */
  links: PlannedLinkChange[];
  wmiFilter: { dn: string; change: 'create' | 'update' } | null;
  /** Import only: the migration table entries that apply (with how many references each maps) and what stays unmapped. */
  migration: {
    applied: Array<{ index: number; type: string; source: string; destination: string; references: number }>;
    unmappedPrincipals: string[];
    unmappedUncPaths: string[];
  } | null;
}

/**
 * The GPT a run would leave: the backup's folders and files (each with the bytes the run writes, after a migration
 * table), GPT.INI as formatted, and the live `Adm` folder, which the swap keeps. Keys are GPT-relative paths,
 * folders ending with `/`; values are `dir` or a SHA-256 (active-directory's digestSysvolTree form).
 */
export async function futureGpt(
  reader: BackupReader,
  gpt: readonly BackupGptEntry[],
  gptIni: string,
  rewritten: ReadonlyMap<string, Buffer> = new Map(),
): Promise<Map<string, string>> {
  const future = new Map<string, string>();
  for (const entry of gpt) {
    if (routeGptPath(entry.path) !== 'copy') continue;
    if (entry.kind === 'directory') {
      future.set(`${entry.path}/`, 'dir');
      continue;
    }
    const bytes = rewritten.get(entry.path) ?? (await reader.readFile([...GPT_FOLDER, entry.path].join('/')));
    future.set(entry.path, digestBytes(bytes));
  }
  future.set('GPT.INI', digestBytes(Buffer.from(gptIni, 'latin1')));
  return future;
}

/**
 * Compares the GPT a run would leave with the live one at `target` (`<domain>/Policies/{GUID}`), which may not
 * exist. The live `Adm` folder is kept by the swap, so it never shows as removed. Paths come back relative to the
 * Policies folder, as a snapshot of it lists them.
 */
export async function plannedGptChanges(
  session: DomainSession,
  target: string,
  future: ReadonlyMap<string, string>,
): Promise<GpoChangePlan['sysvol']> {
  const exists = await session.sysvol.exists(target);
  const live = exists ? await digestSysvolTree(session.sysvol, target) : null;
  return plannedFolderChanges(
    target.slice(target.lastIndexOf('/') + 1),
    live,
    future,
    (path) => routeGptPath(path.replace(/\/$/, '')) === 'skip',
  );
}

/** The explicit ACEs of a descriptor's DACL as SDDL strings (inherited ones are AD's to compute, not the run's to write). */
function explicitAces(descriptor: SecurityDescriptor | null): string[] {
  if (!descriptor?.dacl) return [];
  const sddl = toSddl({ ...descriptor, owner: undefined, group: undefined, sacl: undefined });
  return [...sddl.matchAll(/\(([^()]*)\)/g)]
    .map((m) => m[0])
    .filter((ace) => !(ace.split(';')[1] ?? '').includes('ID'));
}

/**
 * How writing `descriptor` (what restore writes, owner and group included) changes the container's descriptor as
 * stored now (`current`, read with owner, group and DACL; null for a GPO that does not exist yet).
 */
export function plannedAceChanges(descriptor: SecurityDescriptor, current: Buffer | null): GpoChangePlan['aces'] {
  const now = current && current.length > 0 ? parseSecurityDescriptor(current) : null;
  const wanted = explicitAces(descriptor);
  const present = explicitAces(now);
  const out: GpoChangePlan['aces'] = {
    added: wanted.filter((ace) => !present.includes(ace)),
    removed: present.filter((ace) => !wanted.includes(ace)),
  };
  if (descriptor.owner !== undefined && descriptor.owner !== now?.owner)
    out.owner = { before: now?.owner ?? '', after: descriptor.owner };
  if (descriptor.group !== undefined && descriptor.group !== now?.group)
    out.group = { before: now?.group ?? '', after: descriptor.group };
  return out;
}

/** Whether the plan's ACE part changes the stored descriptor at all. */
export function descriptorChanges(aces: GpoChangePlan['aces']): boolean {
  return aces.added.length > 0 || aces.removed.length > 0 || aces.owner !== undefined || aces.group !== undefined;
}

/** The schema GUID of the `container` class: what CN=User and CN=Machine below a GPO container are. */
const CONTAINER_CLASS = 'bf967a8b-0de6-11d0-a285-00aa003049e2';

/**
 * Whether the ACE changes reach the GPO container's children (CN=User, CN=Machine): AD recomputes their inherited
 * ACEs when an added or removed ACE is container-inheritable (CI) and not limited to another class of object.
 */
export function childrenInheritChange(aces: GpoChangePlan['aces']): boolean {
  return [...aces.added, ...aces.removed].some((ace) => {
    const fields = ace.slice(1, -1).split(';');
    const inheritedObjectType = (fields[4] ?? '').toLowerCase();
    return (fields[1] ?? '').includes('CI') && (inheritedObjectType === '' || inheritedObjectType === CONTAINER_CLASS);
  });
}

/** The plan as the lines `--what-if` prints. */
export function formatChangePlan(plan: GpoChangePlan): string[] {
  const lines = [
    `What if: ${plan.operation} ${plan.create ? 'creates' : 'changes'} GPO ${plan.gpo.displayName} ${plan.gpo.id} from backup ${plan.fromBackupId}.`,
  ];
  const v = plan.versions;
  lines.push(
    `  versions: AD ${v.before ? `${v.before.ad} -> ` : ''}${v.after.ad}, SYSVOL ${v.before ? `${v.before.sysvol} -> ` : ''}${v.after.sysvol}`,
  );
  for (const a of plan.attributes)
    lines.push(`  attribute ${a.name}: ${JSON.stringify(a.before)} -> ${JSON.stringify(a.after)}`);
  for (const entry of plan.ldap) lines.push(`  LDAP ${entry.change} ${entry.dn}: ${entry.attributes.join(', ')}`);
  const { sysvol } = plan;
  for (const path of sysvol.added) lines.push(`  SYSVOL add     ${path}`);
  for (const path of sysvol.changed) lines.push(`  SYSVOL change  ${path}`);
  for (const path of sysvol.removed) lines.push(`  SYSVOL remove  ${path}`);
  for (const ace of plan.aces.added) lines.push(`  ACE add    ${ace}`);
  for (const ace of plan.aces.removed) lines.push(`  ACE remove ${ace}`);
  if (plan.aces.owner) lines.push(`  owner: ${plan.aces.owner.before || '(none)'} -> ${plan.aces.owner.after}`);
  if (plan.aces.group) lines.push(`  group: ${plan.aces.group.before || '(none)'} -> ${plan.aces.group.after}`);
  for (const link of plan.links) lines.push(`  link on ${link.container}: ${link.before || '(none)'} -> ${link.after}`);
  if (plan.wmiFilter) lines.push(`  WMI filter ${plan.wmiFilter.change} ${plan.wmiFilter.dn}`);
  if (plan.migration) {
    for (const m of plan.migration.applied)
      lines.push(`  migration #${m.index} ${m.type} ${m.source} -> ${m.destination} (${m.references} reference(s))`);
    for (const p of plan.migration.unmappedPrincipals) lines.push(`  unmapped principal ${p}`);
    for (const p of plan.migration.unmappedUncPaths) lines.push(`  unmapped UNC path ${p}`);
  }
  lines.push('  Nothing was written.');
  return lines;
}
