import { readFile } from 'node:fs/promises';
import { CofferError, HRESULT, type CommandOutput, type OperationContext } from '@coffer/core';
import { openDomainSession, type DomainSession } from '../ad/domain-session.js';
import { formatGptIni, parseGptIni } from '../ad/gpt-ini.js';
import { attributeText } from '../ad/ldap-values.js';
import { policiesContainerDn, sharePathOf } from '../ad/read-gpos.js';
import type { GpoImportOptions } from '../options.js';
import { gptWriteEntries } from '../restore/gpt-entries.js';
import { applyGptAcl, discardStagedGpt, stageGpt, swapInStagedGpt } from '../restore/gpt-swap.js';
import { RollbackLog, readLiveGpoContainer, updateGpoContainer } from '../restore/gpo-container.js';
import { GPT_FOLDER, loadGpoBackup, type LoadedGpoBackup } from '../restore/load-backup.js';
import { folderAclFor } from '../restore/restore-gpo.js';
import { selectBackups } from '../restore/select-backups.js';
import { bumpedVersions, versionsFromBackupXml } from '../restore/versions.js';
import { selectGpos } from '../select/select-gpos.js';
import {
  MigrationPlan,
  emptyMigrationReport,
  migrateSettingsFile,
  settingsFileKind,
  type MigrationReport,
} from './apply-migration.js';
import { parseMigrationTable, type MigrationMapping } from './migration-table.js';
import { resolveMappingTargets } from './resolve-targets.js';

export interface GpoImportResult {
  target: { id: string; displayName: string };
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
 * A migration table maps principals and UNC paths on the way.
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
    const target = await findTarget(session, options.targetGpo);
    const live = await readLiveGpoContainer(session, target.id);
    if (!live)
      throw new CofferError('NOT_FOUND', `GPO ${options.targetGpo} disappeared while the import started.`, {
        hresult: HRESULT.ERROR_NOT_FOUND,
        object: options.targetGpo,
      });
    const object = `${live.displayName} ${live.id}`;
    context.progress.advance(session.dnsDomain);

    // Every file the table applies to is rewritten in memory first, so unmapped entries fail the import before anything changes.
    const migrated = new Map<string, Buffer>();
    let report: MigrationReport | null = null;
    if (mappings) {
      const targets = await resolveMappingTargets(
        session,
        mappings,
        backup.xml.securityGroups,
        options.migrationTable!,
      );
      const plan = new MigrationPlan(mappings, backup.xml.securityGroups, targets);
      report = emptyMigrationReport();
      for (const file of backup.gpt) {
        if (file.kind !== 'file' || settingsFileKind(file.path) === null) continue;
        const bytes = await backup.reader.readFile([...GPT_FOLDER, file.path].join('/'));
        migrated.set(file.path, migrateSettingsFile(file.path, bytes, plan, report));
      }
      checkUnmapped(report, options, context, backup);
    }

    const targetPath = sharePathOf(live.gPCFileSysPath, session.dnsDomain, live.id);
    const ini = await session.sysvol
      .readFile(`${targetPath}/GPT.INI`)
      .then(parseGptIni, () => ({ version: 0 }) as { version: number; displayName?: string });
    const { versions, wrapped } = bumpedVersions(
      { ad: live.versionNumber, sysvol: ini.version },
      versionsFromBackupXml(backup.xml.core.userVersionNumber, backup.xml.core.machineVersionNumber),
    );
    if (wrapped)
      context.report({
        severity: 'warning',
        code: 'VERSION_WRAPPED',
        message: `A version of ${object} passed 65535 and starts again at 1.`,
        object,
      });

    context.progress.phase('importing', backup.gpt.filter((e) => e.kind === 'file').length + 2);
    let files = 0;
    let bytes = 0;
    context.throwIfCancelled();
    const staged = await stageGpt(
      session,
      targetPath,
      gptWriteEntries(backup.reader, backup.gpt, {
        gptIni: formatGptIni({
          version: versions.sysvol,
          ...(ini.displayName === undefined ? {} : { displayName: ini.displayName }),
        }),
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
          context.progress.advance(`${live.displayName}: ${path}`);
        },
      }),
    );
    const rollback = new RollbackLog();
    try {
      context.throwIfCancelled();
      await updateGpoContainer(
        session,
        live,
        {
          versionNumber: versions.ad,
          gPCMachineExtensionNames: backup.xml.core.machineExtensionNames,
          gPCUserExtensionNames: backup.xml.core.userExtensionNames,
        },
        rollback,
      );
      // The target keeps its permissions: its GPT gets the ACL its own container's descriptor calls for.
      await applyGptAcl(session, staged, await folderAclFor(session, live.dn), context, object);
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
      target: { id: live.id, displayName: live.displayName },
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
      code: 'GPO_IMPORTED',
      message: `Imported the settings of ${backup.xml.core.displayName} (backup ${backup.backupId}) into ${object}: ${files} file(s), version ${versions.ad}.`,
      object,
    });
    return {
      data: result,
      lines: [
        `Imported ${backup.xml.core.displayName} (${backup.xml.core.domain}, backup ${backup.backupId}) into ${object}.`,
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

async function readMigrationTable(path: string): Promise<MigrationMapping[]> {
  const bytes = await readFile(path).catch((error: NodeJS.ErrnoException) => {
    throw new CofferError('MIGRATION_TABLE_NOT_FOUND', `Cannot read the migration table ${path}: ${error.message}`, {
      hresult: HRESULT.ERROR_FILE_NOT_FOUND,
      object: path,
    });
  });
  return parseMigrationTable(bytes, path);
}

async function findTarget(session: DomainSession, wanted: string): Promise<{ id: string; displayName: string }> {
  const entries = await session.ldap.search(policiesContainerDn(session), {
    scope: 'one',
    filter: '(objectClass=groupPolicyContainer)',
    attributes: ['cn', 'displayName'],
  });
  const gpos = entries.map((e) => ({
    id: attributeText(e, 'cn') ?? '',
    displayName: attributeText(e, 'displayName') ?? '',
  }));
  return selectGpos(gpos, [wanted])[0]!;
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
