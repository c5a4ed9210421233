import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CofferError, ErrorCode, HRESULT, type CommandOutput, type OperationContext } from '@coffer/core';
import { openDomainSession, type DomainSession } from '../ad/domain-session.js';
import { formatGptIni, parseGptIni } from '../ad/gpt-ini.js';
import { attributeText } from '../ad/ldap-values.js';
import { policiesContainerDn, sharePathOf } from '../ad/read-gpos.js';
import type { GpoImportOptions } from '../options.js';
import { gptWriteEntries } from '../restore/gpt-entries.js';
import { applyGptAcl, discardStagedGpt, stageGpt, swapInStagedGpt } from '../restore/gpt-swap.js';
import { formatChangePlan, futureGpt, plannedGptChanges, type GpoChangePlan } from '../restore/change-plan.js';
import {
  RollbackLog,
  attributesToCreate,
  changedAttributes,
  createGpoContainer,
  gpoContainerDn,
  readLiveGpoContainer,
  updateGpoContainer,
  type GpoContainerAttributes,
  type LiveGpoContainer,
} from '../restore/gpo-container.js';
import { loadGpoBackup, type LoadedGpoBackup } from '../restore/load-backup.js';
import { folderAclFor } from '../restore/restore-gpo.js';
import { selectBackups } from '../restore/select-backups.js';
import { bumpedVersions, versionsFromBackupXml } from '../restore/versions.js';
import { selectGpos } from '../select/select-gpos.js';
import { MigrationPlan, type MigrationReport } from './apply-migration.js';
import { migrateBackupSettings, referencesOf } from './backup-references.js';
import { parseMigrationTable, type MigrationMapping } from './migration-table.js';
import { resolveMappingTargets } from './resolve-targets.js';

export interface GpoImportResult {
  target: { id: string; displayName: string };
  /** The target did not exist and was created (createIfNeeded). */
  created: boolean;
  fromBackupId: string;
  fromGpo: { id: string; displayName: string; domain: string };
  files: number;
  bytes: number;
  versions: { ad: number; sysvol: number };
  migration: {
    principalsReplaced: number;
    principalsRemoved: number;
    uncPathsReplaced: number;
    unmappedPrincipals: string[];
    unmappedUncPaths: string[];
  } | null;
}

/**
 * IGPMGPO::Import: the settings of a backup (from any domain, written by Coffer or by GPMC) replace
 * those of an existing GPO, which keeps its own name, permissions, links and WMI filter. Its SYSVOL
 * settings are swapped in whole, its extension names copied, both versions bumped so clients re-apply.
 * A migration table maps principals and UNC paths on the way. With createIfNeeded a missing target is
 * created (container with the domain's default permissions, then the GPT), all or nothing; with whatIf
 * everything is read and checked and the plan returned, nothing written.
 */
export async function importGpo(options: GpoImportOptions, context: OperationContext): Promise<CommandOutput> {
  const [entry] = await selectBackups(options.from, { backupId: options.backupId, gpo: options.gpo });
  context.progress.phase('verifying backup', 1);
  const backup = await loadGpoBackup(entry!.folder, context, { unverified: options.unverified });
  context.progress.advance(backup.xml.core.displayName);
  const mappings = options.migrationTable ? await readMigrationTable(options.migrationTable) : null;

  context.progress.phase('connecting', 1);
  const session = await openDomainSession(options, context);
  try {
    const live = await findTarget(session, options);
    const targetId = live?.id ?? `{${randomUUID().toUpperCase()}}`;
    const targetName = live?.displayName ?? options.targetGpo.trim();
    const object = `${targetName} ${targetId}`;
    context.progress.advance(session.dnsDomain);

    // Every file the table applies to is rewritten in memory first, so unmapped entries fail the import before anything changes.
    let migrated = new Map<string, Buffer>();
    let report: MigrationReport | null = null;
    if (mappings) {
      const targets = await resolveMappingTargets(
        session,
        mappings,
        backup.xml.securityGroups,
        options.migrationTable!,
      );
      ({ migrated, report } = await migrateBackupSettings(
        backup,
        new MigrationPlan(mappings, backup.xml.securityGroups, targets),
      ));
      checkUnmapped(report, options, context, backup);
    } else {
      warnForeignReferences(await referencesOf(backup), session, context, backup, object);
    }

    const targetPath = live
      ? sharePathOf(live.gPCFileSysPath, session.dnsDomain, live.id)
      : `${session.dnsDomain}/Policies/${targetId}`;
    const ini = live
      ? await session.sysvol
          .readFile(`${targetPath}/GPT.INI`)
          .then(parseGptIni, () => ({ version: 0 }) as { version: number; displayName?: string })
      : { version: 0, displayName: targetName };
    const { versions, wrapped } = bumpedVersions(
      { ad: live?.versionNumber ?? 0, sysvol: ini.version },
      versionsFromBackupXml(backup.xml.core.userVersionNumber, backup.xml.core.machineVersionNumber),
    );
    if (wrapped)
      context.report({
        severity: 'warning',
        code: 'VERSION_WRAPPED',
        message: `A version of ${object} passed 65535 and starts again at 1.`,
        object,
      });
    const gptIni = formatGptIni({
      version: versions.sysvol,
      ...(ini.displayName === undefined ? {} : { displayName: ini.displayName }),
    });
    const settings = {
      versionNumber: versions.ad,
      gPCMachineExtensionNames: backup.xml.core.machineExtensionNames,
      gPCUserExtensionNames: backup.xml.core.userExtensionNames,
    };
    // A created GPO: what samba-tool gpo create and GPMC give a new one, with the backup's settings.
    const created: GpoContainerAttributes = {
      displayName: targetName,
      flags: 0,
      gPCFileSysPath: `\\\\${session.dnsDomain}\\SysVol\\${session.dnsDomain}\\Policies\\${targetId}`,
      gPCWQLFilter: '',
      ...settings,
    };

    if (options.whatIf) {
      const changed = live
        ? changedAttributes(live, settings)
        : Object.entries(attributesToCreate(created))
            .filter(([name]) => name !== 'objectClass' && name !== 'gPCFunctionalityVersion')
            .map(([name, after]) => ({ name, before: '', after }));
      const dn = live?.dn ?? gpoContainerDn(session, targetId);
      const plan: GpoChangePlan = {
        operation: 'import',
        gpo: { id: targetId, displayName: targetName },
        fromBackupId: backup.backupId,
        create: !live,
        ldap: live
          ? changed.length > 0
            ? [{ dn, change: 'modify', attributes: changed.map((c) => c.name) }]
            : []
          : [
              { dn, change: 'add', attributes: Object.keys(attributesToCreate(created)) },
              { dn: `CN=User,${dn}`, change: 'add', attributes: ['objectClass'] },
              { dn: `CN=Machine,${dn}`, change: 'add', attributes: ['objectClass'] },
            ],
        attributes: changed,
        sysvol: await plannedGptChanges(
          session,
          targetPath,
          await futureGpt(backup.reader, backup.gpt, gptIni, migrated),
        ),
        versions: { before: live ? { ad: live.versionNumber, sysvol: ini.version } : null, after: versions },
        // The target keeps its permissions; a created one gets the domain's defaults, which AD assigns.
        aces: { added: [], removed: [] },
        links: [],
        wmiFilter: null,
        migration: migrationPlanOf(report, mappings),
      };
      context.progress.finish();
      return { data: { whatIf: true, plan }, lines: formatChangePlan(plan) };
    }

    context.progress.phase('importing', backup.gpt.filter((e) => e.kind === 'file').length + 2);
    let files = 0;
    let bytes = 0;
    context.throwIfCancelled();
    const staged = await stageGpt(
      session,
      targetPath,
      gptWriteEntries(backup.reader, backup.gpt, {
        gptIni,
        signal: context.signal,
        ...(migrated.size > 0
          ? {
              transform: (path: string) => migrated.get(path) ?? null,
              wantsTransform: (path: string) => migrated.has(path),
            }
          : {}),
        onFile: (path, size) => {
          files += 1;
          bytes += size;
          context.progress.advance(`${targetName}: ${path}`);
        },
      }),
    );
    const rollback = new RollbackLog();
    try {
      context.throwIfCancelled();
      let dn: string;
      if (live) {
        await updateGpoContainer(session, live, settings, rollback);
        dn = live.dn;
      } else {
        // Deleted again (with its children) if anything after this fails: a failed import creates nothing.
        dn = await createGpoContainer(session, targetId, created, rollback);
      }
      // The target keeps its permissions: its GPT gets the ACL its own container's descriptor calls for.
      await applyGptAcl(session, staged, await folderAclFor(session, dn), context, object);
      context.throwIfCancelled();
      await swapInStagedGpt(session, staged, context, object);
    } catch (error) {
      await discardStagedGpt(session, staged);
      for (const step of await rollback.rollback()) {
        context.report({
          severity: 'error',
          code: 'ROLLBACK_INCOMPLETE',
          message: `Could not ${step.what} after the import into ${object} stopped: ${(step.error as Error).message}`,
          object,
          hresult: HRESULT.E_FAIL,
        });
      }
      throw error;
    }
    context.progress.finish();
    const result: GpoImportResult = {
      target: { id: targetId, displayName: targetName },
      created: !live,
      fromBackupId: backup.backupId,
      fromGpo: { id: backup.xml.core.id, displayName: backup.xml.core.displayName, domain: backup.xml.core.domain },
      files,
      bytes,
      versions,
      migration: report && {
        principalsReplaced: report.principalsReplaced,
        principalsRemoved: report.principalsRemoved,
        uncPathsReplaced: report.uncPathsReplaced,
        unmappedPrincipals: [...report.unmappedPrincipals],
        unmappedUncPaths: [...report.unmappedUncPaths],
      },
    };
    context.report({
      severity: 'info',
      code: live ? 'GPO_IMPORTED' : 'GPO_CREATED',
      message: `${live ? 'Imported' : 'Created'} ${object} ${live ? 'with' : 'from'} the settings of ${backup.xml.core.displayName} (backup ${backup.backupId}): ${files} file(s), version ${versions.ad}.`,
      object,
    });
    return {
      data: result,
      lines: [
        `${live ? 'Imported' : 'Created GPO'} ${live ? `${backup.xml.core.displayName} (${backup.xml.core.domain}, backup ${backup.backupId}) into ` : ''}${object}${live ? '' : ` from ${backup.xml.core.displayName} (${backup.xml.core.domain}, backup ${backup.backupId})`}.`,
        `${files} file(s), ${bytes} bytes; versions now AD ${versions.ad}, SYSVOL ${versions.sysvol}.`,
        ...(report
          ? [
              `Migration table: ${report.principalsReplaced} principal(s) mapped, ${report.principalsRemoved} removed, ${report.uncPathsReplaced} UNC path(s) mapped.`,
            ]
          : []),
      ],
    };
  } finally {
    await session.close();
  }
}

/** The migration table's part of a what-if plan: each mapping that applies, with its destination and use count. */
function migrationPlanOf(
  report: MigrationReport | null,
  mappings: readonly MigrationMapping[] | null,
): GpoChangePlan['migration'] {
  if (!report || !mappings) return null;
  return {
    applied: mappings
      .filter((m) => (report.mappingUses.get(m.index) ?? 0) > 0)
      .map((m) => ({
        index: m.index,
        type: m.type,
        source: m.source,
        destination:
          m.destination.kind === 'set'
            ? m.destination.value
            : m.destination.kind === 'same-as-source'
              ? '(same as source)'
              : m.destination.kind === 'none'
                ? '(none: removed)'
                : '(by relative name)',
        references: report.mappingUses.get(m.index) ?? 0,
      })),
    unmappedPrincipals: [...report.unmappedPrincipals],
    unmappedUncPaths: [...report.unmappedUncPaths],
  };
}

async function readMigrationTable(path: string): Promise<MigrationMapping[]> {
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new CofferError('MIGRATION_TABLE_NOT_FOUND', `Cannot read the migration table ${path}: ${error.message}`, {
      hresult: HRESULT.ERROR_FILE_NOT_FOUND,
      object: path,
    });
  });
  return parseMigrationTable(bytes, path);
}

/** The target GPO as it is now; null when it does not exist and createIfNeeded asks for it to be created. */
async function findTarget(session: DomainSession, options: GpoImportOptions): Promise<LiveGpoContainer | null> {
  const wanted = options.targetGpo;
  const entries = await session.ldap.search(policiesContainerDn(session), {
    scope: 'one',
    filter: '(objectClass=groupPolicyContainer)',
    attributes: ['cn', 'displayName'],
  });
  const gpos = entries.map((e) => ({
    id: attributeText(e, 'cn') ?? '',
    displayName: attributeText(e, 'displayName') ?? '',
  }));
  let target: { id: string; displayName: string };
  try {
    target = selectGpos(gpos, [wanted])[0]!;
  } catch (error) {
    // Import-GPO -CreateIfNeeded creates a GPO by name; a GUID names a GPO that must exist.
    const isGuid = /^\{?[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}\}?$/i.test(wanted.trim());
    if (options.createIfNeeded && !isGuid && (error as CofferError).code === ErrorCode.NotFound) return null;
    throw error;
  }
  const live = await readLiveGpoContainer(session, target.id);
  if (!live)
    throw new CofferError('NOT_FOUND', `GPO ${wanted} disappeared while the import started.`, {
      hresult: HRESULT.ERROR_NOT_FOUND,
      object: wanted,
    });
  return live;
}

/**
 * Without a migration table, settings that name principals of another domain (or, from a backup of another domain,
 * UNC paths) are imported as they are, as GPMC does; the run says so (MIGRATION_UNMAPPED, exit 3) and lists them,
 * so a table can be made ('coffer gpo migration-table').
 */
function warnForeignReferences(
  report: MigrationReport,
  session: DomainSession,
  context: OperationContext,
  backup: LoadedGpoBackup,
  object: string,
): void {
  const ownDomains = [session.netbiosDomain.toLowerCase(), session.dnsDomain.toLowerCase()];
  const principals = [...report.unmappedReferences.entries()]
    .filter(([, ref]) => {
      if (ref.sid) return !ref.sid.toUpperCase().startsWith(`${session.domainSid.toUpperCase()}-`);
      const domain = ref.name?.includes('\\') ? ref.name.slice(0, ref.name.indexOf('\\')).toLowerCase() : '';
      return domain !== '' && !ownDomains.includes(domain);
    })
    .map(([key, ref]) => (ref.name && ref.sid ? `${ref.name} (${ref.sid})` : key));
  const otherDomain = backup.xml.core.domain.toLowerCase() !== session.dnsDomain.toLowerCase();
  const uncPaths = otherDomain ? [...report.unmappedUncPaths] : [];
  if (principals.length === 0 && uncPaths.length === 0) return;
  context.report({
    severity: 'warning',
    code: 'MIGRATION_UNMAPPED',
    message: `The settings of ${backup.xml.core.displayName} (from ${backup.xml.core.domain}) name ${principals.length} principal(s) of another domain and ${uncPaths.length} UNC path(s), imported into ${object} unchanged without a migration table: ${[
      ...principals.map((p) => `principal ${p}`),
      ...uncPaths.map((p) => `UNC path ${p}`),
    ].join(
      '; ',
    )}. To map them, make a migration table with 'coffer gpo migration-table', fill in its destinations and import with it.`,
    object,
  });
}

/** GPMC imports unmapped references unchanged; with migrationTableOnly it refuses, as its "use migration table exclusively". */
function checkUnmapped(
  report: MigrationReport,
  options: GpoImportOptions,
  context: OperationContext,
  backup: LoadedGpoBackup,
): void {
  const unmapped = [...report.unmappedPrincipals, ...report.unmappedUncPaths];
  if (unmapped.length === 0) return;
  const message = `The settings of ${backup.xml.core.displayName} name ${unmapped.length} domain principal(s) or UNC path(s) the migration table does not map: ${unmapped.slice(0, 10).join(', ')}`;
  if (options.migrationTableOnly) {
    throw new CofferError('MIGRATION_UNMAPPED', `${message}. Nothing was imported.`, {
      hresult: HRESULT.E_INVALIDARG,
      object: options.migrationTable!,
      hint: 'Add a mapping for each (or <DestinationSameAsSource/> to keep one), or import without migrationTableOnly.',
    });
  }
  context.report({
    severity: 'warning',
    code: 'MIGRATION_UNMAPPED',
    message: `${message}; they were imported unchanged.`,
    object: options.migrationTable!,
  });
}
