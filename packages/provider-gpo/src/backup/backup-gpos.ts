import { randomUUID } from 'node:crypto';
import type { BackupOutput, BackupRequest, OperationContext } from '@coffer/core';
import { openDomainSession } from '../ad/domain-session.js';
import { resolveDomainSids } from '../ad/resolve-principals.js';
import type { GpoBackupOptions } from '../options.js';
import { commitGpoBackups } from './commit.js';
import { EarlyTree } from './early-tree.js';
import { templateSidsToResolve, writeGpoEntry } from './gpo-entry.js';
import { type GpoBackupPlan, planGpoBackup } from './plan.js';
import { type GpoPassItem, newPassItem, runSysvolPass } from './sysvol-pass.js';
import { WritePool } from './write-pool.js';

/** File-system tasks in flight at once: enough to keep libuv's thread pool (4 threads by default) busy with the larger files. */
const CONCURRENT_WRITES = 16;
/** Content read off SYSVOL and rendered but not yet written, at most. */
const HELD_BYTES = 16 << 20;

/**
 * IGPMGPO::Backup / Backup-GPO for one, several or all GPOs of a domain, in four steps that each hand the next what
 * it needs and never go back:
 * 1. **plan** (plan.ts): AD facts, selection, principals, `--changed`, every progress total;
 * 2. **SYSVOL pass** (sysvol-pass.ts): the stream comes in, each GPO's GPT files go into its staged entry, and the
 *    per-GPO facts (tree, GPT.INI, GptTmpl.inf, settings files, listing) come out as its folder completes;
 * 3. **per-GPO entry** (gpo-entry.ts): model and rendering of the GPMC files, extras and change state, then the seal;
 * 4. **commit** (commit.ts): every kept entry committed at once with manifest.xml; a cancel or failure before it
 *    leaves the directory as it was.
 *
 * Creating files is what costs (each is a journalled metadata operation), so steps 2 and 3 overlap: staging folders
 * are made while smbclient connects, and a GPO's entry is written as soon as the stream has moved past its folder.
 * The few entries whose GptTmpl.inf names principals the plan did not resolve wait for the end of the stream, then
 * one LDAP batch resolves them all: nothing reads the directory while the stream runs.
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
    const plan = await planGpoBackup(request, session, early, readStartedAt, context);
    if (plan.gpos.length === 0 && options.changed) {
      context.progress.finish();
      return { backups: [], counts: { gpos: 0, unchanged: plan.unchanged, files: 0, bytes: 0 } };
    }
    const output = await writeGpoBackups(plan, context);
    return options.changed ? { ...output, counts: { ...output.counts, unchanged: plan.unchanged } } : output;
  } finally {
    await early?.cancel();
    await session.close();
  }
}

/** Steps 2 to 4 for a plan. */
async function writeGpoBackups(plan: GpoBackupPlan, context: OperationContext): Promise<BackupOutput> {
  const pool = new WritePool(CONCURRENT_WRITES, HELD_BYTES);
  const items = new Map<string, GpoPassItem>();
  try {
    // The GPOs' units were announced with the plan; files are named as they pass (their number is not known yet).
    context.progress.phase('copying SYSVOL');
    const backupTime = new Date();
    for (const gpo of plan.gpos) {
      const backupId = `{${randomUUID().toUpperCase()}}`;
      const staged = plan.target.stage(backupId, {
        kind: 'gpo',
        metadata: { gpoId: gpo.id, displayName: gpo.displayName, domain: plan.session.dnsDomain },
      });
      // Awaited by the GPO's first write; a failure surfaces there (or at the end for a GPO never seen).
      staged.catch(() => undefined);
      items.set(gpo.id.toUpperCase(), newPassItem(gpo, backupId, staged));
    }
    // From here each container is held by its item alone, which lets it go once the GPO's entry is written: the plan
    // keeping all of them to the end made the backup's memory grow with the number of GPOs (about 2.5 KB each).
    plan.gpos = [];
    // Started now so it overlaps the SYSVOL stream; awaited only by a GPO with a Registry.pol.
    void plan.centralStore.catalog();
    const waiting: GpoPassItem[] = [];
    await runSysvolPass(
      plan,
      items,
      pool,
      async (item) => {
        if (templateSidsToResolve(plan, item).length > 0) waiting.push(item);
        else await writeGpoEntry(plan, item, backupTime, pool, context);
      },
      context,
    );
    if (waiting.length > 0) {
      const sids = new Set(waiting.flatMap((item) => templateSidsToResolve(plan, item)));
      for (const [sid, account] of await resolveDomainSids(plan.session, sids)) plan.accounts.set(sid, account);
      for (const item of waiting) {
        // Dropped after its folder seemed complete (GPT_LISTING_ORDER): its unit is done, its entry discarded.
        if (item.dropped) context.progress.advance(item.gpo.displayName);
        else await writeGpoEntry(plan, item, backupTime, pool, context);
      }
    }
    return await commitGpoBackups(plan, items, pool, context);
  } finally {
    // In-flight writes (and staging folders still being made) finish before close() removes the staging folders.
    await pool.settle();
    await Promise.allSettled([...items.values()].map((item) => item.staged));
    // The central store's read (started for the reports) ends before the run does: no smbclient left behind.
    await plan.centralStore.settle();
  }
}
