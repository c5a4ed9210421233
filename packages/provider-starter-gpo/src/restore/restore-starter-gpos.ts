/**
 * Restore (IGPMDomain2::RestoreStarterGPO): puts Starter GPOs back into the domain they were backed up from,
 * under the same GUID, every file byte for byte and the folder ACL as backed up. Every chosen backup is verified
 * and read before the domain is touched; each Starter GPO is then staged and swapped in on its own, so a cancel
 * or failure leaves each one either as it was or fully restored.
 */
import { CofferError, HRESULT, type OperationContext, type RestoreOutput } from '@coffer/core';
import { STARTER_GPO_KIND } from '../backup/layout.js';
import { openDomain } from '../ad/domain-session.js';
import { starterGpoLabel } from '../model/starter-gpo.js';
import type { StarterGpoRestoreOptions } from '../options.js';
import { writeStarterGpoFolder, type StarterGpoFolderPlan } from './starter-gpo-swap.js';
import { loadStarterGpoBackup, type LoadedStarterGpoBackup } from './load-backup.js';
import { selectBackups } from './select-backups.js';

function otherDomain(backup: LoadedStarterGpoBackup, domain: string): CofferError {
  return new CofferError(
    'DOMAIN_MISMATCH',
    `The backup ${backup.backupId} of ${backup.content.displayName} is from ${backup.domain}, not ${domain}; a restore puts a Starter GPO back into its own domain.`,
    {
      hresult: HRESULT.E_INVALIDARG,
      object: backup.folder,
      hint: "To copy a Starter GPO into another domain, save it as a cabinet there ('coffer starter-gpo save-cab') and load it here ('coffer starter-gpo load-cab').",
    },
  );
}

export async function restoreStarterGpos(
  request: { source: string; options: StarterGpoRestoreOptions },
  context: OperationContext,
): Promise<RestoreOutput> {
  const { options } = request;
  const chosen = await selectBackups(request.source, {
    backupId: options.backupId,
    starterGpo: options.starterGpo,
    all: options.all,
  });
  context.progress.phase('verifying backups', chosen.length);
  const loaded: LoadedStarterGpoBackup[] = [];
  for (const entry of chosen) {
    context.throwIfCancelled();
    loaded.push(await loadStarterGpoBackup(entry.folder, context, { unverified: request.options.unverified ?? false }));
    context.progress.advance(entry.displayName || entry.id);
  }

  context.throwIfCancelled();
  context.progress.phase('connecting');
  const domain = await openDomain(options, context);
  try {
    for (const backup of loaded)
      if (backup.domain !== domain.source.domain.toLowerCase()) throw otherDomain(backup, domain.source.domain);
    const fileCount = loaded.reduce((total, b) => total + b.content.entries.filter((e) => e.kind === 'file').length, 0);
    context.progress.phase('restoring Starter GPOs', fileCount + loaded.length);
    const restored: RestoreOutput['restored'] = [];
    const plans: Array<StarterGpoFolderPlan & { id: string; displayName: string }> = [];
    let files = 0;
    let bytes = 0;
    let replaced = 0;
    for (const backup of loaded) {
      context.throwIfCancelled();
      const label = starterGpoLabel({ displayName: backup.content.displayName, id: backup.content.id });
      const written = await writeStarterGpoFolder(
        {
          domain,
          content: backup.content,
          acl: backup.acl ? { kind: 'sddl', sddl: backup.acl.sddl } : { kind: 'keep-or-inherit' },
          overwrite: true,
          label,
          ...(options.whatIf ? { whatIf: true } : {}),
        },
        context,
      );
      if (written.plan) {
        plans.push({ id: backup.content.id, displayName: backup.content.displayName, ...written.plan });
        context.report({
          severity: 'info',
          code: 'WHAT_IF',
          message: [
            `What if: restore ${written.replaced ? 'replaces' : 'creates'} ${label} from backup ${backup.backupId}.`,
            ...(written.bumped
              ? [
                  `  versions: computer ${written.bumped.computerVersion ?? '-'}, user ${written.bumped.userVersion ?? '-'}`,
                ]
              : []),
            ...(written.plan.createsStarterGposFolder ? [`  creates ${domain.source.domain}/StarterGPOs`] : []),
            ...written.plan.added.map((p) => `  SYSVOL add     ${p}`),
            ...written.plan.changed.map((p) => `  SYSVOL change  ${p}`),
            ...written.plan.removed.map((p) => `  SYSVOL remove  ${p}`),
            ...(written.plan.acl
              ? [`  folder ACL: ${written.plan.acl.before ?? '(new folder)'} -> ${written.plan.acl.after}`]
              : []),
            '  Nothing was written.',
          ].join('\n'),
          object: backup.content.id,
        });
        continue;
      }
      files += written.files;
      bytes += written.bytes;
      if (written.replaced) replaced += 1;
      if (backup.acl === null) {
        context.report({
          severity: 'warning',
          code: 'ACL_NOT_IN_BACKUP',
          message: `The backup ${backup.backupId} kept no permissions for ${label}; ${written.acl === 'kept' ? 'the live folder’s were kept' : 'the folder inherits those of StarterGPOs'}.`,
          object: written.sharePath,
        });
      }
      const versions = written.bumped
        ? ` Its versions were raised to computer ${written.bumped.computerVersion ?? '-'}, user ${written.bumped.userVersion ?? '-'}.`
        : '';
      context.report({
        severity: 'info',
        code: 'STARTER_GPO_RESTORED',
        message: `Restored ${label} from backup ${backup.backupId}${written.replaced ? ', replacing the existing one.' : '.'}${versions}`,
        object: backup.content.id,
      });
      restored.push({
        kind: STARTER_GPO_KIND,
        objectId: backup.content.id,
        objectName: backup.content.displayName,
        fromBackupId: backup.backupId,
      });
    }
    context.progress.finish();
    if (options.whatIf) {
      // Nothing was restored: the counts say what would change, the plans are the WHAT_IF messages and `plan`.
      const output: RestoreOutput & { plan: typeof plans } = {
        restored: [],
        counts: {
          whatIf: 1,
          starterGpos: 0,
          plannedStarterGpos: plans.length,
          plannedFileChanges: plans.reduce((n, p) => n + p.added.length + p.changed.length + p.removed.length, 0),
        },
        plan: plans,
      };
      return output;
    }
    return {
      restored,
      counts: { starterGpos: restored.length, replaced, created: restored.length - replaced, files, bytes },
    };
  } finally {
    await domain.close();
  }
}
