import { parseSecurityDescriptor, type SecurityDescriptor } from '@coffer/active-directory';
import { HRESULT, type OperationContext, type RestoredRecord } from '@coffer/core';
import type { DomainSession } from '../ad/domain-session.js';
import { formatGptIni, parseGptIni } from '../ad/gpt-ini.js';
import { sharePathOf } from '../ad/read-gpos.js';
import { parseGpcWqlFilter } from '../ad/wmi-filter.js';
import { gptWriteEntries } from './gpt-entries.js';
import { applyGptAcl, discardStagedGpt, stageGpt, swapInStagedGpt } from './gpt-swap.js';
import {
  childrenInheritChange,
  descriptorChanges,
  futureGpt,
  plannedAceChanges,
  plannedGptChanges,
  type GpoChangePlan,
} from './change-plan.js';
import {
  RollbackLog,
  attributesToCreate,
  changedAttributes,
  createGpoContainer,
  gpoContainerDn,
  descriptorToRestore,
  readLiveGpoContainer,
  updateGpoContainer,
  writeGpoDescriptor,
  type GpoContainerAttributes,
  type LiveGpoContainer,
} from './gpo-container.js';
import type { LoadedGpoBackup } from './load-backup.js';
import {
  gpLinkDnOf,
  planGpoLinks,
  restoreGpoLinks,
  type PlannedLinkChange,
  type RecordedLinkIndex,
} from './restore-links.js';
import { fileAclSddl, sysvolAclFromGpoDescriptor } from './sysvol-acl.js';
import { bumpedVersions, versionsFromBackupXml, type GpoVersions } from './versions.js';
import { planWmiFilterObject, restoreWmiFilterObject, wmiFilterExists } from './wmi-filter-object.js';

export interface RestoreRun {
  session: DomainSession;
  restoreLinks: boolean;
  restoreWmiFilter: boolean;
  /** Recorded link positions of every GPO restored in this run, to rebuild each container's order. */
  recordedLinks: RecordedLinkIndex;
  /**
   * What-if: work out every change and write nothing. The map holds the gPLinks planned for GPOs earlier in the run
   * (upper-case DN → value), so a later GPO of the same container is placed as the real run would place it.
   */
  whatIf?: { plannedLinks: Map<string, string> };
}

export interface GpoRestoreResult {
  record: RestoredRecord;
  created: boolean;
  files: number;
  bytes: number;
  links: number;
  wmiFilter: 'created' | 'updated' | 'unchanged' | 'none';
  /** With what-if: what the restore would change (nothing was written). */
  plan?: GpoChangePlan;
}

/**
 * IGPMBackup restore of one GPO into its own domain under its own GUID (GPMC's RestoreGPO): the GPT is
 * staged beside the live one, AD is changed with every change recorded for rollback, and the staged GPT
 * is swapped in last. A failure or cancel before the swap puts AD back and drops the staged GPT.
 */
export async function restoreOneGpo(
  run: RestoreRun,
  backup: LoadedGpoBackup,
  context: OperationContext,
): Promise<GpoRestoreResult> {
  const { session } = run;
  const core = backup.xml.core;
  const extras = backup.extras;
  const live = await readLiveGpoContainer(session, core.id);
  const gpoId = live?.id ?? extras?.gpo.id ?? core.id;
  const object = `${core.displayName} ${gpoId}`;
  context.progress.working(object);

  const target = live
    ? sharePathOf(live.gPCFileSysPath, session.dnsDomain, gpoId)
    : `${session.dnsDomain}/Policies/${gpoId}`;
  const fileSysPath =
    live?.gPCFileSysPath ||
    extras?.gpo.fileSysPath ||
    `\\\\${session.dnsDomain}\\SysVol\\${session.dnsDomain}\\Policies\\${gpoId}`;
  const backupVersions = versionsFromBackupXml(core.userVersionNumber, core.machineVersionNumber);
  const { versions, gptIniDisplayName } = await targetVersions(run, live, target, backupVersions, context, object);
  const wqlFilter = await wmiLinkToWrite(run, backup, context, object);
  const descriptor = descriptorToRestore(backup.descriptor!, extras?.securityDescriptor.hex);
  const attributes: GpoContainerAttributes = {
    displayName: core.displayName,
    flags: core.options,
    versionNumber: versions.ad,
    gPCFileSysPath: fileSysPath,
    gPCMachineExtensionNames: core.machineExtensionNames,
    gPCUserExtensionNames: core.userExtensionNames,
    gPCWQLFilter: wqlFilter,
  };

  const gptIni = formatGptIni({
    version: versions.sysvol,
    ...(gptIniDisplayName === undefined ? {} : { displayName: gptIniDisplayName }),
  });
  if (run.whatIf) {
    const plan = await planRestore(run, run.whatIf.plannedLinks, backup, context, {
      live,
      gpoId,
      target,
      attributes,
      descriptor,
      gptIni,
      versions,
      object,
    });
    return {
      record: { kind: 'gpo', objectId: gpoId, objectName: core.displayName, fromBackupId: backup.backupId },
      created: false,
      files: 0,
      bytes: 0,
      links: 0,
      wmiFilter: 'none',
      plan,
    };
  }

  let files = 0;
  let bytes = 0;
  context.progress.addTotal(backup.gpt.filter((e) => e.kind === 'file').length);
  const staged = await stageGpt(
    session,
    target,
    gptWriteEntries(backup.reader, backup.gpt, {
      gptIni,
      signal: context.signal,
      onFile: (path, size) => {
        files += 1;
        bytes += size;
        context.progress.advance(`${core.displayName}: ${path}`);
      },
    }),
  );

  const rollback = new RollbackLog();
  let wmiFilter: GpoRestoreResult['wmiFilter'] = 'none';
  try {
    context.throwIfCancelled();
    if (run.restoreWmiFilter && extras?.wmiFilter)
      wmiFilter = await restoreWmiFilterObject(session, extras.wmiFilter, rollback);
    let dn: string;
    let current: Buffer | null;
    if (live) {
      await updateGpoContainer(session, live, attributes, rollback);
      dn = live.dn;
      current = live.descriptor;
    } else {
      dn = await createGpoContainer(session, gpoId, attributes, rollback);
      current = (await readLiveGpoContainer(session, gpoId))?.descriptor ?? null; // deleted with the container on rollback
    }
    await writeGpoDescriptor(session, dn, descriptor, current, rollback);
    // Derived from the descriptor as AD stored it (AD recomputes inherited ACEs), as samba-tool gpo aclcheck expects.
    await applyGptAcl(session, staged, await folderAclFor(session, dn), context, object);
    context.throwIfCancelled();
    await swapInStagedGpt(session, staged, context, object);
  } catch (error) {
    await discardStagedGpt(session, staged);
    const failed = await rollback.rollback();
    for (const step of failed) {
      context.report({
        severity: 'error',
        code: 'ROLLBACK_INCOMPLETE',
        message: `Could not ${step.what} after the restore of ${object} stopped: ${(step.error as Error).message}`,
        object,
        hresult: HRESULT.E_FAIL,
      });
    }
    throw error;
  }

  let links = 0;
  if (run.restoreLinks && extras && extras.links.length > 0) {
    // The GPO itself is restored now; a link that cannot be written is a warning, not a reason to undo it.
    const linkLog = new RollbackLog();
    try {
      links = await restoreGpoLinks(
        session,
        { id: gpoId, dn: gpLinkDnOf(gpoId, session.baseDn), object },
        extras.links,
        run.recordedLinks,
        linkLog,
        context,
      );
    } catch (error) {
      context.report({
        severity: 'warning',
        code: 'LINKS_NOT_RESTORED',
        message: `The links of ${object} could not all be restored: ${(error as Error).message}`,
        object,
      });
    }
  } else if (run.restoreLinks && !extras) {
    context.report({
      severity: 'warning',
      code: 'LINKS_NOT_IN_BACKUP',
      message: `The backup of ${object} was written by GPMC, which keeps no links; none were restored.`,
      object,
    });
  }
  context.report({
    severity: 'info',
    code: live ? 'GPO_RESTORED' : 'GPO_RECREATED',
    message: `${live ? 'Restored' : 'Re-created'} ${object} from backup ${backup.backupId}: ${files} file(s), versions AD ${versions.ad} / SYSVOL ${versions.sysvol}${links ? `, ${links} link(s)` : ''}${wmiFilter === 'created' ? ', WMI filter re-created' : ''}.`,
    object,
  });
  return {
    record: { kind: 'gpo', objectId: gpoId, objectName: core.displayName, fromBackupId: backup.backupId },
    created: !live,
    files,
    bytes,
    links,
    wmiFilter,
  };
}

/** The restore of one GPO worked out from what {@link restoreOneGpo} decided, reading only. */
async function planRestore(
  run: RestoreRun,
  plannedLinks: Map<string, string>,
  backup: LoadedGpoBackup,
  context: OperationContext,
  decided: {
    live: LiveGpoContainer | null;
    gpoId: string;
    target: string;
    attributes: GpoContainerAttributes;
    descriptor: SecurityDescriptor;
    gptIni: string;
    versions: GpoVersions;
    object: string;
  },
): Promise<GpoChangePlan> {
  const { session } = run;
  const { live, gpoId, attributes, descriptor, object } = decided;
  const extras = backup.extras;
  const ldap: GpoChangePlan['ldap'] = [];
  let wmiFilter: GpoChangePlan['wmiFilter'] = null;
  if (run.restoreWmiFilter && extras?.wmiFilter) {
    const change = await planWmiFilterObject(session, extras.wmiFilter);
    if (change.kind === 'create') {
      wmiFilter = { dn: change.dn, change: 'create' };
      ldap.push({ dn: change.dn, change: 'add', attributes: Object.keys(change.attributes) });
    } else if (change.kind === 'update') {
      wmiFilter = { dn: change.dn, change: 'update' };
      ldap.push({ dn: change.dn, change: 'modify', attributes: change.changes.map((c) => c.attribute) });
    }
  }
  const aces = plannedAceChanges(descriptor, live?.descriptor ?? null);
  const changed = live
    ? changedAttributes(live, attributes)
    : Object.entries(attributesToCreate(attributes))
        .filter(([name]) => name !== 'objectClass' && name !== 'gPCFunctionalityVersion')
        .map(([name, after]) => ({ name, before: '', after }));
  if (live) {
    const names = [...changed.map((c) => c.name), ...(descriptorChanges(aces) ? ['nTSecurityDescriptor'] : [])];
    if (names.length > 0) ldap.push({ dn: live.dn, change: 'modify', attributes: names });
    // AD recomputes the children's inherited ACEs: their descriptors change too.
    if (childrenInheritChange(aces))
      for (const child of ['CN=User', 'CN=Machine'])
        ldap.push({ dn: `${child},${live.dn}`, change: 'modify', attributes: ['nTSecurityDescriptor'] });
  } else {
    const dn = gpoContainerDn(session, gpoId);
    ldap.push({
      dn,
      change: 'add',
      attributes: [...Object.keys(attributesToCreate(attributes)), 'nTSecurityDescriptor'],
    });
    ldap.push({ dn: `CN=User,${dn}`, change: 'add', attributes: ['objectClass'] });
    ldap.push({ dn: `CN=Machine,${dn}`, change: 'add', attributes: ['objectClass'] });
  }
  let links: PlannedLinkChange[] = [];
  if (run.restoreLinks && extras && extras.links.length > 0) {
    links = await planGpoLinks(
      session,
      { id: gpoId, dn: gpLinkDnOf(gpoId, session.baseDn), object },
      extras.links,
      run.recordedLinks,
      context,
      plannedLinks,
    );
    for (const link of links) ldap.push({ dn: link.container, change: 'modify', attributes: ['gPLink'] });
  } else if (run.restoreLinks && !extras) {
    context.report({
      severity: 'warning',
      code: 'LINKS_NOT_IN_BACKUP',
      message: `The backup of ${object} was written by GPMC, which keeps no links; none would be restored.`,
      object,
    });
  }
  const sysvol = await plannedGptChanges(
    session,
    decided.target,
    await futureGpt(backup.reader, backup.gpt, decided.gptIni),
  );
  return {
    operation: 'restore',
    gpo: { id: gpoId, displayName: backup.xml.core.displayName },
    fromBackupId: backup.backupId,
    create: !live,
    ldap,
    attributes: changed,
    sysvol,
    versions: {
      before: live ? { ad: live.versionNumber, sysvol: await liveGptVersion(session, decided.target) } : null,
      after: decided.versions,
    },
    aces,
    links,
    wmiFilter,
    migration: null,
  };
}

async function liveGptVersion(session: DomainSession, target: string): Promise<number> {
  return session.sysvol.readFile(`${target}/GPT.INI`).then(
    (bytes) => parseGptIni(bytes).version,
    () => 0,
  );
}

async function targetVersions(
  run: RestoreRun,
  live: LiveGpoContainer | null,
  target: string,
  backupVersions: GpoVersions,
  context: OperationContext,
  object: string,
): Promise<{ versions: GpoVersions; gptIniDisplayName?: string }> {
  if (!live) return { versions: backupVersions }; // re-created: nothing newer was ever applied
  const ini = await run.session.sysvol
    .readFile(`${target}/GPT.INI`)
    .then(parseGptIni, () => ({ version: 0 }) as { version: number; displayName?: string });
  const bumped = bumpedVersions({ ad: live.versionNumber, sysvol: ini.version }, backupVersions);
  if (bumped.wrapped) {
    context.report({
      severity: 'warning',
      code: 'VERSION_WRAPPED',
      message: `A version of ${object} passed 65535 and starts again at 1.`,
      object,
    });
  }
  return {
    versions: bumped.versions,
    ...(ini.displayName === undefined ? {} : { gptIniDisplayName: ini.displayName }),
  };
}

/** gPCWQLFilter to write: the recorded link, unless the filter it names does not exist (and is not being restored). */
async function wmiLinkToWrite(
  run: RestoreRun,
  backup: LoadedGpoBackup,
  context: OperationContext,
  object: string,
): Promise<string> {
  const core = backup.xml.core;
  const raw = backup.extras
    ? backup.extras.gpo.wqlFilter
    : core.wmiFilterLink
      ? `[${core.wmiFilterLink.domain};${core.wmiFilterLink.id};0]`
      : '';
  const reference = parseGpcWqlFilter(raw);
  if (!reference) return '';
  if (run.restoreWmiFilter && backup.extras?.wmiFilter) return raw;
  if (await wmiFilterExists(run.session, reference.id)) return raw;
  context.report({
    severity: 'warning',
    code: 'WMI_FILTER_MISSING',
    message: `${object} was filtered by WMI filter ${reference.id}${core.wmiFilterLink?.name ? ` (${core.wmiFilterLink.name})` : ''}, which does not exist; the GPO is restored without it.${backup.extras?.wmiFilter ? ' Restore with restoreWmiFilter to re-create it.' : ''}`,
    object,
  });
  return '';
}

/** The SYSVOL ACL matching a GPO container's descriptor as stored now. */
export async function folderAclFor(session: DomainSession, dn: string): Promise<string> {
  const [entry] = await session.ldap.search(dn, {
    scope: 'base',
    attributes: ['nTSecurityDescriptor'],
    sdFlags: 7,
    paged: false,
  });
  const bytes = entry?.nTSecurityDescriptor;
  if (!Buffer.isBuffer(bytes)) throw new Error(`The permissions of ${dn} could not be read back.`);
  return fileAclSddl(sysvolAclFromGpoDescriptor(parseSecurityDescriptor(bytes)));
}
