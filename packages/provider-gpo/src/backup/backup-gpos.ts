import type { BackupOutput, BackupRequest, OperationContext } from '@coffer/core';
import { openDomainSession } from '../ad/domain-session.js';
import { readGpoContainers } from '../ad/read-gpos.js';
import { readGpoLinks } from '../ad/read-links.js';
import { readWmiFilters } from '../ad/read-wmi-filters.js';
import { resolveDomainSids } from '../ad/resolve-principals.js';
import type { GpoBackupOptions } from '../options.js';
import { selectGpos } from '../select/select-gpos.js';
import { EarlyTree } from './early-tree.js';
import { domainSidsOf, writeGpoBackups } from './write-gpo-backups.js';

/** Below this many GPOs one SYSVOL pass per GPO is cheaper than streaming the whole Policies folder. */
const ONE_PASS_THRESHOLD = 8;

/** IGPMGPO::Backup / Backup-GPO for one, several or all GPOs of a domain. */
export async function backupGpos(
  request: BackupRequest<GpoBackupOptions>,
  context: OperationContext,
): Promise<BackupOutput> {
  const { options } = request;
  context.progress.phase('reading Active Directory', 1);
  const session = await openDomainSession(options, context);
  // Every GPO means the whole Policies folder in one stream: it starts now, beside the LDAP reads.
  const early = options.all ? new EarlyTree(session.sysvol, `${session.dnsDomain}/Policies`) : null;
  try {
    const containers = await readGpoContainers(session, context);
    // Selection errors (unknown or ambiguous names) come before anything is written.
    const gpos = options.all ? containers : selectGpos(containers, options.gpo);
    context.throwIfCancelled();
    const [links, wmiFilters, accounts] = await Promise.all([
      readGpoLinks(session),
      readWmiFilters(session),
      resolveDomainSids(session, domainSidsOf(gpos)),
    ]);
    context.progress.advance(session.dnsDomain);
    return await writeGpoBackups(
      {
        session,
        gpos,
        links,
        wmiFilters,
        accounts,
        target: request.target,
        comment: request.comment ?? '',
        onePass: options.all === true || (gpos.length >= ONE_PASS_THRESHOLD && gpos.length * 4 >= containers.length),
        early,
      },
      context,
    );
  } finally {
    await early?.cancel();
    await session.close();
  }
}
