import {
  SecurityInformation,
  escapeFilterValue,
  parseSecurityDescriptor,
  serializeSecurityDescriptor,
  type LdapModification,
  type SecurityDescriptor,
} from '@coffer/active-directory';
import type { DomainSession } from '../ad/domain-session.js';
import { attributeBytes, attributeNumber, attributeText } from '../ad/ldap-values.js';
import { policiesContainerDn } from '../ad/read-gpos.js';

/** The attributes restore and import write on a groupPolicyContainer. */
export interface GpoContainerAttributes {
  displayName: string;
  flags: number;
  versionNumber: number;
  gPCFileSysPath: string;
  gPCMachineExtensionNames: string;
  gPCUserExtensionNames: string;
  gPCWQLFilter: string;
}

export interface LiveGpoContainer extends GpoContainerAttributes {
  id: string;
  dn: string;
  /** Owner, group and DACL as stored (read with the SD flags control, 7). */
  descriptor: Buffer;
}

const OWNER_GROUP_DACL = SecurityInformation.Owner | SecurityInformation.Group | SecurityInformation.Dacl;
const WRITABLE: Array<keyof GpoContainerAttributes> = [
  'displayName',
  'flags',
  'versionNumber',
  'gPCFileSysPath',
  'gPCMachineExtensionNames',
  'gPCUserExtensionNames',
  'gPCWQLFilter',
];

export function gpoContainerDn(session: Pick<DomainSession, 'baseDn'>, gpoId: string): string {
  return `CN=${gpoId},${policiesContainerDn(session)}`;
}

/** The GPO's container as it is now, or null when it does not exist. */
export async function readLiveGpoContainer(session: DomainSession, gpoId: string): Promise<LiveGpoContainer | null> {
  const [entry] = await session.ldap.search(policiesContainerDn(session), {
    scope: 'one',
    filter: `(&(objectClass=groupPolicyContainer)(cn=${escapeFilterValue(gpoId)}))`,
    attributes: ['cn', 'nTSecurityDescriptor', ...WRITABLE],
    sdFlags: OWNER_GROUP_DACL,
    paged: false,
  });
  if (!entry) return null;
  return {
    id: attributeText(entry, 'cn') ?? gpoId,
    dn: entry.dn,
    displayName: attributeText(entry, 'displayName') ?? '',
    flags: attributeNumber(entry, 'flags'),
    versionNumber: attributeNumber(entry, 'versionNumber') >>> 0,
    gPCFileSysPath: attributeText(entry, 'gPCFileSysPath') ?? '',
    gPCMachineExtensionNames: attributeText(entry, 'gPCMachineExtensionNames') ?? '',
    gPCUserExtensionNames: attributeText(entry, 'gPCUserExtensionNames') ?? '',
    gPCWQLFilter: attributeText(entry, 'gPCWQLFilter') ?? '',
    descriptor: attributeBytes(entry, 'nTSecurityDescriptor') ?? Buffer.alloc(0),
  };
}

/** Undo steps recorded while the domain is changed, run in reverse if a later step fails or the run is cancelled. */
export class RollbackLog {
  readonly #steps: Array<{ what: string; undo: () => Promise<void> }> = [];

  record(what: string, undo: () => Promise<void>): void {
    this.#steps.push({ what, undo });
  }

  get size(): number {
    return this.#steps.length;
  }

  /** Runs every undo step, newest first; returns what could not be undone. */
  async rollback(): Promise<Array<{ what: string; error: unknown }>> {
    const failed: Array<{ what: string; error: unknown }> = [];
    while (this.#steps.length > 0) {
      const step = this.#steps.pop()!;
      try {
        await step.undo();
      } catch (error) {
        failed.push({ what: step.what, error });
      }
    }
    return failed;
  }

  clear(): void {
    this.#steps.length = 0;
  }
}

/** Creates the container and its `CN=Machine` / `CN=User` children, as GPMC and samba-tool do. */
export async function createGpoContainer(
  session: DomainSession,
  gpoId: string,
  attributes: GpoContainerAttributes,
  rollback: RollbackLog,
): Promise<string> {
  const dn = gpoContainerDn(session, gpoId);
  await session.ldap.add(dn, attributesToCreate(attributes));
  rollback.record(`delete the re-created container ${dn}`, () => session.ldap.del(dn, { recursive: true }));
  await session.ldap.add(`CN=User,${dn}`, { objectClass: 'container' });
  await session.ldap.add(`CN=Machine,${dn}`, { objectClass: 'container' });
  return dn;
}

/** Writes the attributes that differ, remembering the old values for rollback. */
export async function updateGpoContainer(
  session: DomainSession,
  live: LiveGpoContainer,
  attributes: Partial<GpoContainerAttributes>,
  rollback: RollbackLog,
): Promise<void> {
  const changes: LdapModification[] = [];
  const undo: LdapModification[] = [];
  for (const { name, before, after: next } of changedAttributes(live, attributes)) {
    changes.push(
      next === ''
        ? { operation: 'delete', attribute: name, values: [] }
        : { operation: 'replace', attribute: name, values: [next] },
    );
    undo.push(
      before === ''
        ? { operation: 'delete', attribute: name, values: [] }
        : { operation: 'replace', attribute: name, values: [before] },
    );
  }
  if (changes.length === 0) return;
  await session.ldap.modify(live.dn, changes);
  rollback.record(`put back the attributes of ${live.dn}`, () => session.ldap.modify(live.dn, undo));
}

/** The attributes an update would change, with their values now and after: what {@link updateGpoContainer} writes and a what-if names. */
export function changedAttributes(
  live: GpoContainerAttributes,
  attributes: Partial<GpoContainerAttributes>,
): Array<{ name: keyof GpoContainerAttributes; before: string; after: string }> {
  const changed: Array<{ name: keyof GpoContainerAttributes; before: string; after: string }> = [];
  for (const name of WRITABLE) {
    if (!(name in attributes)) continue;
    const after = String(attributes[name]);
    const before = String(live[name]);
    if (after !== before) changed.push({ name, before, after });
  }
  return changed;
}

/** The attributes {@link createGpoContainer} sets (empty values are left out). */
export function attributesToCreate(attributes: GpoContainerAttributes): Record<string, string> {
  const values: Record<string, string> = { objectClass: 'groupPolicyContainer', gPCFunctionalityVersion: '2' };
  for (const name of WRITABLE) {
    const value = String(attributes[name]);
    if (value !== '') values[name] = value;
  }
  return values;
}

/**
 * Writes the DACL, and the owner and group where they differ from what the container has (so an owner AD
 * set by default keeps its SE_OWNER_DEFAULTED mark, as in the backup), through the SD flags control: the
 * SACL is left as it is and no privilege beyond WRITE_DAC / WRITE_OWNER is needed.
 */
export async function writeGpoDescriptor(
  session: DomainSession,
  dn: string,
  descriptor: SecurityDescriptor,
  current: Buffer | null,
  rollback: RollbackLog,
): Promise<void> {
  const now = current && current.length > 0 ? parseSecurityDescriptor(current) : null;
  // Written when different, or when the backup's was set explicitly and the container's is only defaulted.
  const writeOwner =
    descriptor.owner !== undefined &&
    (descriptor.owner !== now?.owner || (!descriptor.control.ownerDefaulted && now?.control.ownerDefaulted === true));
  const writeGroup =
    descriptor.group !== undefined &&
    (descriptor.group !== now?.group || (!descriptor.control.groupDefaulted && now?.control.groupDefaulted === true));
  const flags =
    (writeOwner ? SecurityInformation.Owner : 0) |
    (writeGroup ? SecurityInformation.Group : 0) |
    SecurityInformation.Dacl;
  const bytes = Buffer.from(
    serializeSecurityDescriptor({
      ...descriptor,
      sacl: undefined,
      control: { ...descriptor.control, saclPresent: false, ownerDefaulted: false, groupDefaulted: false },
      layout: undefined,
    }),
  );
  await session.ldap.modify(dn, [{ operation: 'replace', attribute: 'nTSecurityDescriptor', values: [bytes] }], {
    sdFlags: flags,
  });
  if (current && current.length > 0) {
    rollback.record(`put back the permissions of ${dn}`, () =>
      session.ldap.modify(dn, [{ operation: 'replace', attribute: 'nTSecurityDescriptor', values: [current] }], {
        sdFlags: OWNER_GROUP_DACL,
      }),
    );
  }
}

/** Owner and group from Coffer's extras (the full descriptor), DACL from Backup.xml: what restore writes. */
export function descriptorToRestore(
  backupDacl: SecurityDescriptor,
  fullDescriptorHex: string | undefined,
): SecurityDescriptor {
  if (!fullDescriptorHex) return backupDacl;
  const full = parseSecurityDescriptor(Buffer.from(fullDescriptorHex.replace(/\s+/g, ''), 'hex'));
  return {
    ...backupDacl,
    control: {
      ...backupDacl.control,
      ownerDefaulted: full.control.ownerDefaulted === true,
      groupDefaulted: full.control.groupDefaulted === true,
    },
    ...(full.owner ? { owner: full.owner } : {}),
    ...(full.group ? { group: full.group } : {}),
  };
}
