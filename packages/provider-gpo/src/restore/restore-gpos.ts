import { CofferError, HRESULT, type OperationContext, type RestoreOutput, type RestoreRequest } from '@coffer/core';
import { sameGuid } from '@coffer/gpmc';
import { openDomainSession, type DomainSession } from '../ad/domain-session.js';
import type { GpoRestoreOptions } from '../options.js';
import { backupInvalid } from '@coffer/gpmc';
import { formatChangePlan, type GpoChangePlan } from './change-plan.js';
import { loadGpoBackup, type LoadedGpoBackup } from './load-backup.js';
import { restoreOneGpo, type GpoRestoreResult } from './restore-gpo.js';
import { addRecordedLinks, type RecordedLinkIndex } from './restore-links.js';
import { selectBackups } from './select-backups.js';

/**
 * GPMC's restore for one GPO, one backup, or the newest backup of every GPO in a directory. Every
 * selected backup is read and verified, and its domain checked, before anything in the domain changes.
 * GPOs are then restored one by one, each all-or-nothing; status messages name every GPO restored, so
 * a run cut short by a cancel or failure says exactly what changed.
 */
export async function restoreGpos(
  request: RestoreRequest<GpoRestoreOptions>,
  context: OperationContext,
): Promise<RestoreOutput> {
  const { options } = request;
  const chosen = await selectBackups(request.source, {
    backupId: options.backupId,
    gpo: options.gpo,
    all: options.all,
  });
  context.progress.phase('verifying backups', chosen.length);
  const backups: LoadedGpoBackup[] = [];
  for (const entry of chosen) {
    context.throwIfCancelled();
    const backup = await loadGpoBackup(entry.folder, context, { unverified: options.unverified });
    // Restore applies the backed-up permissions, so it needs them intact (import does not).
    if (backup.descriptor === null)
      throw backupInvalid(backup.folder, backup.descriptorProblem ?? 'Backup.xml holds no usable security descriptor.');
    backups.push(backup);
    context.progress.advance(entry.displayName);
  }

  context.progress.phase('connecting', 1);
  const session = await openDomainSession(options, context);
  try {
    for (const backup of backups) checkSameDomain(session, backup);
    context.progress.advance(session.dnsDomain);
    const recordedLinks: RecordedLinkIndex = new Map();
    if (options.restoreLinks)
      for (const backup of backups)
        if (backup.extras) addRecordedLinks(recordedLinks, backup.extras.gpo.id, backup.extras.links);

    const whatIf = options.whatIf ? { plannedLinks: new Map<string, string>() } : undefined;
    context.progress.phase(whatIf ? 'planning (what-if)' : 'restoring', backups.length);
    const results: GpoRestoreResult[] = [];
    for (const backup of backups) {
      try {
        context.throwIfCancelled();
        results.push(
          await restoreOneGpo(
            {
              session,
              restoreLinks: options.restoreLinks,
              restoreWmiFilter: options.restoreWmiFilter,
              recordedLinks,
              ...(whatIf ? { whatIf } : {}),
            },
            backup,
            context,
          ),
        );
      } catch (error) {
        if (results.length > 0 && !whatIf) {
          context.report({
            severity: 'warning',
            code: 'RESTORE_INCOMPLETE',
            message: `The restore stopped at ${backup.xml.core.displayName} ${backup.xml.core.id} (left as it was); already restored: ${results.map((r) => `${r.record.objectName} ${r.record.objectId}`).join(', ')}.`,
          });
        }
        throw error;
      }
      context.progress.advance(backup.xml.core.displayName);
    }
    if (whatIf) return whatIfOutput(results, context);
    return {
      restored: results.map((r) => r.record),
      counts: {
        gpos: results.length,
        recreated: results.filter((r) => r.created).length,
        files: results.reduce((n, r) => n + r.files, 0),
        bytes: results.reduce((n, r) => n + r.bytes, 0),
        links: results.reduce((n, r) => n + r.links, 0),
        wmiFilters: results.filter((r) => r.wmiFilter === 'created' || r.wmiFilter === 'updated').length,
      },
    };
  } finally {
    await session.close();
  }
}

/**
 * A what-if restore restored nothing: `restored` is empty, the counts say what would change, each GPO's plan is an
 * info message (`WHAT_IF`, printed by the CLI) and the plans themselves are in `plan`.
 */
function whatIfOutput(
  results: readonly GpoRestoreResult[],
  context: OperationContext,
): RestoreOutput & { plan: GpoChangePlan[] } {
  const plans = results.map((r) => r.plan!);
  for (const plan of plans) {
    context.report({
      severity: 'info',
      code: 'WHAT_IF',
      message: formatChangePlan(plan).join('\n'),
      object: `${plan.gpo.displayName} ${plan.gpo.id}`,
    });
  }
  return {
    restored: [],
    counts: {
      whatIf: 1,
      gpos: 0,
      plannedGpos: plans.length,
      plannedRecreated: plans.filter((p) => p.create).length,
      plannedFileChanges: plans.reduce(
        (n, p) => n + p.sysvol.added.length + p.sysvol.changed.length + p.sysvol.removed.length,
        0,
      ),
      plannedLinks: plans.reduce((n, p) => n + p.links.length, 0),
    },
    plan: plans,
  };
}

/** Restore is same-domain by definition: the DACL's SIDs and the GPO's GUID mean nothing elsewhere. */
function checkSameDomain(session: DomainSession, backup: LoadedGpoBackup): void {
  const domain = backup.xml.core.domain || backup.info.gpoDomain;
  const guid = backup.info.gpoDomainGuid;
  const nameDiffers = domain.toLowerCase() !== session.dnsDomain.toLowerCase();
  const guidDiffers = guid !== '' && !sameGuid(guid, session.domainGuid);
  if (!nameDiffers && !guidDiffers) return;
  throw new CofferError(
    'DOMAIN_MISMATCH',
    `Backup ${backup.backupId} of ${backup.xml.core.displayName} is from domain ${domain}${guid ? ` ${guid}` : ''}, not ${session.dnsDomain} ${session.domainGuid}. Nothing was restored.`,
    {
      hresult: HRESULT.E_INVALIDARG,
      object: backup.folder,
      hint: "Restore puts a GPO back into the domain it came from. To copy its settings into a GPO of this domain, use 'coffer gpo import'.",
    },
  );
}
