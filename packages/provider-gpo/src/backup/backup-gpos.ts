import type { BackupOutput, BackupRequest, OperationContext } from '@coffer/core';
import { openDomainSession } from '../ad/domain-session.js';
import { readGpoContainers } from '../ad/read-gpos.js';
import { readGpoLinks } from '../ad/read-links.js';
import { readWmiFilters } from '../ad/read-wmi-filters.js';
import { resolveDomainSids } from '../ad/resolve-principals.js';
import type { GpoBackupOptions } from '../options.js';
import { selectGpos } from '../select/select-gpos.js';
import { selectChangedGpos } from './changed-gpos.js';
import { EarlyTree } from './early-tree.js';
import { domainSidsOf, writeGpoBackups } from './write-gpo-backups.js';

/** Below this many GPOs one SYSVOL pass per GPO is cheaper than streaming the whole Policies folder. */
const ONE_PASS_THRESHOLD = 8;

/**
 * IGPMGPO::Backup / Backup-GPO for one, several or all GPOs of a domain.
 *
 * Progress totals are all announced before anything is counted done: reading AD (1), checking each GPO for changes
 * (`--changed` only: one per GPO), each GPO backed up (one per GPO selected: an unchanged one completes its unit when
 * it is found unchanged), the commit (1). Files are named as they are copied (`working`), not counted: how many there
 * are is known only once the stream has passed them.
 */
export async function backupGpos(
  request: BackupRequest<GpoBackupOptions>,
  context: OperationContext,
): Promise<BackupOutput> {
  const { options } = request;
  // Before any SYSVOL read: the change state's times are judged against it (earlier is the safe side).
  const readStartedAt = new Date();
  context.progress.phase('reading Active Directory', 1);
  const session = await openDomainSession(options, context);
  // Every GPO means the whole Policies folder in one stream: it starts now, beside the LDAP reads (not with --changed,
  // which may need none of it).
  const early = options.all && !options.changed ? new EarlyTree(session.sysvol, `${session.dnsDomain}/Policies`) : null;
  try {
    const containers = await readGpoContainers(session, context);
    // Selection errors (unknown or ambiguous names) come before anything is written.
    const selected = options.all ? containers : selectGpos(containers, options.gpo);
    context.progress.addTotal((options.changed ? 2 : 1) * selected.length + 1);
    context.throwIfCancelled();
    // Without --changed every selected GPO is backed up: its principals resolve beside the other LDAP reads.
    const [links, wmiFilters, selectedAccounts] = await Promise.all([
      readGpoLinks(session),
      readWmiFilters(session),
      options.changed ? null : resolveDomainSids(session, domainSidsOf(selected)),
    ]);
    let gpos = selected;
    let unchanged = 0;
    if (options.changed) {
      context.progress.advance(session.dnsDomain);
      context.progress.phase('checking for changes');
      const selection = await selectChangedGpos(session, selected, links, wmiFilters, request.target.path, context);
      gpos = selection.changed;
      unchanged = selection.unchanged;
      // An unchanged GPO's backup unit is done too: there is nothing to back up.
      if (unchanged > 0) context.progress.advance(undefined, unchanged);
      if (gpos.length === 0) {
        context.progress.finish();
        return { backups: [], counts: { gpos: 0, unchanged, files: 0, bytes: 0 } };
      }
    }
    const accounts = selectedAccounts ?? (await resolveDomainSids(session, domainSidsOf(gpos)));
    if (!options.changed) context.progress.advance(session.dnsDomain);
    const output = await writeGpoBackups(
      {
        session,
        gpos,
        links,
        wmiFilters,
        accounts,
        target: request.target,
        comment: request.comment ?? '',
        readStartedAt,
        onePass:
          (options.all === true && !options.changed) ||
          (gpos.length >= ONE_PASS_THRESHOLD && gpos.length * 4 >= containers.length),
        early,
      },
      context,
    );
    return options.changed ? { ...output, counts: { ...output.counts, unchanged } } : output;
  } finally {
    await early?.cancel();
    await session.close();
  }
}
