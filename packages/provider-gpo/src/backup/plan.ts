import { aceSid, isDomainSid } from '@coffer/active-directory';
import type { BackupRequest, BackupTarget, OperationContext } from '@coffer/core';
import type { ResolvedAccount } from '@coffer/gpmc';
import type { DomainSession } from '../ad/domain-session.js';
import { type GpoContainer, readGpoContainers } from '../ad/read-gpos.js';
import { readGpoLinks } from '../ad/read-links.js';
import { readWmiFilters } from '../ad/read-wmi-filters.js';
import { resolveDomainSids } from '../ad/resolve-principals.js';
import type { GpoLinkRecord, WmiFilterRecord } from '../extras/gpo-extras.js';
import type { GpoBackupOptions } from '../options.js';
import { selectGpos } from '../select/select-gpos.js';
import { CentralStore } from './central-store.js';
import { EarlyListing, selectChangedGpos } from './changed-gpos.js';
import type { EarlyTree } from './early-tree.js';

/** Below this many GPOs one SYSVOL pass per GPO is cheaper than streaming the whole Policies folder. */
const ONE_PASS_THRESHOLD = 8;

/** Everything a backup run knows before SYSVOL is read: the first of its four steps (plan, SYSVOL pass, entries, commit). */
export interface GpoBackupPlan {
  session: DomainSession;
  /** The GPOs to back up (with `--changed`, only those found changed). */
  gpos: GpoContainer[];
  links: Map<string, GpoLinkRecord[]>;
  wmiFilters: Map<string, WmiFilterRecord>;
  /**
   * Principals of the GPOs' descriptors, resolved. Names a GptTmpl.inf adds are resolved after the SYSVOL pass, in one
   * batch, for the few entries that need them (see backup-gpos.ts): no LDAP while the stream runs.
   */
  accounts: Map<string, ResolvedAccount>;
  /** The destination core opened and locked; it keeps manifest.xml (the provider's backupIndex) at each commit. */
  target: BackupTarget;
  comment: string;
  /** Read the whole Policies folder in one pass instead of one pass per GPO (cheaper for many GPOs). */
  onePass: boolean;
  /**
   * With `onePass`, by folder read (a Policies folder): read only these GPO folders of it, in one transfer, instead of
   * the whole folder or a session per GPO (a few GPOs, e.g. those `--changed` found). Null: read each folder whole.
   */
  passFolders: Map<string, { only: string[] }> | null;
  /** A one-pass stream already started (backing up every GPO); used when its folder is the one to read. */
  early: EarlyTree | null;
  /** Taken before any SYSVOL read of the run began: each backup's change state is judged against it. */
  readStartedAt: Date;
  /** The ADMX central store, read (once) when a GPO's report needs it. */
  centralStore: CentralStore;
  /** GPOs left out because `--changed` found them unchanged. */
  unchanged: number;
}

/**
 * Reads what the backup needs from AD (containers, links, WMI filters, principals), selects the GPOs, and with
 * `--changed` keeps only those that differ from their newest backup. Every progress total of the run is announced
 * here, before any unit is done: reading AD (1), checking each GPO (`--changed` only), each GPO's backup, the commit.
 * A GPO found unchanged completes its backup unit here; files are not counted (their number is known only once the
 * stream has passed them) but named as they are copied.
 */
export async function planGpoBackup(
  request: BackupRequest<GpoBackupOptions>,
  session: DomainSession,
  early: EarlyTree | null,
  readStartedAt: Date,
  context: OperationContext,
): Promise<GpoBackupPlan> {
  const { options } = request;
  // `--changed` of every GPO lists the whole Policies folder: started now, it runs while AD is read.
  const earlyListing =
    options.changed && options.all ? new EarlyListing(session, `${session.dnsDomain}/Policies`) : null;
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
  context.progress.advance(session.dnsDomain);
  let gpos = selected;
  let unchanged = 0;
  if (options.changed) {
    context.progress.phase('checking for changes');
    const selection = await selectChangedGpos(
      session,
      selected,
      links,
      wmiFilters,
      request.target.path,
      context,
      earlyListing,
    );
    gpos = selection.changed;
    unchanged = selection.unchanged;
    // An unchanged GPO's backup unit is done too: there is nothing to back up.
    if (unchanged > 0) context.progress.advance(undefined, unchanged);
  }
  const accounts = selectedAccounts ?? (await resolveDomainSids(session, domainSidsOf(gpos)));
  const wholeFolders =
    (options.all && !options.changed) || (gpos.length >= ONE_PASS_THRESHOLD && gpos.length * 4 >= containers.length);
  return {
    session,
    gpos,
    links,
    wmiFilters,
    accounts,
    target: request.target,
    comment: request.comment ?? '',
    // Two GPOs or more: one transfer for all (each session costs smbclient's start and an authentication).
    onePass: wholeFolders || gpos.length >= 2,
    passFolders: wholeFolders ? null : foldersByParent(gpos),
    early,
    readStartedAt,
    centralStore: new CentralStore(session, context),
    unchanged,
  };
}

/** The GPOs' SYSVOL folder names by the folder holding them (`<domain>/Policies`). */
function foldersByParent(gpos: readonly GpoContainer[]): Map<string, { only: string[] }> {
  const byParent = new Map<string, { only: string[] }>();
  for (const gpo of gpos) {
    const slash = gpo.sysvolPath.lastIndexOf('/');
    const parent = gpo.sysvolPath.slice(0, slash);
    let entry = byParent.get(parent);
    if (!entry) byParent.set(parent, (entry = { only: [] }));
    entry.only.push(gpo.sysvolPath.slice(slash + 1));
  }
  return byParent;
}

/** All domain SIDs a set of GPO descriptors names (DACL trustees, owner, group). */
export function domainSidsOf(gpos: readonly GpoContainer[]): Set<string> {
  const sids = new Set<string>();
  for (const gpo of gpos) {
    const sd = gpo.descriptor;
    for (const sid of [sd.owner, sd.group, ...(sd.dacl?.aces ?? []).map(aceSid)]) {
      if (sid && isDomainSid(sid)) sids.add(sid);
    }
  }
  return sids;
}
