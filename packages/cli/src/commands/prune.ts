import { resolve } from 'node:path';
import type { Command } from 'commander';
import {
  CofferError,
  ErrorCode,
  HRESULT,
  ProgressTracker,
  pruneDirectory,
  serializeError,
  toCofferError,
  type KeepReason,
  type PruneBackup,
  type PruneResult,
  type RetentionPolicy,
  type StatusMessage,
} from '@coffer/core';
import type { CliContext } from '../cli-context.js';
import { ExitCode, exitCodeFor } from '../output/exit-codes.js';
import { backupFolderProblem } from './backup-folder.js';
import { isShareTarget } from './share-target.js';
import { failWith, usageError } from './operation-output.js';

export interface PruneFlags {
  keepLast?: string;
  keepHourly?: string;
  keepDaily?: string;
  keepWeekly?: string;
  keepMonthly?: string;
  keepYearly?: string;
  keepWithin?: string;
  dryRun?: boolean;
}

const COUNT_FLAGS = [
  ['keepLast', 'last'],
  ['keepHourly', 'hourly'],
  ['keepDaily', 'daily'],
  ['keepWeekly', 'weekly'],
  ['keepMonthly', 'monthly'],
  ['keepYearly', 'yearly'],
] as const;

/** Adds `coffer prune` to the program (the whole definition lives here; program.ts only calls this). */
export function definePruneCommand(context: CliContext, program: Command): void {
  program
    .command('prune')
    .summary('remove old backups by retention rules (restic forget style), per object')
    .description(
      "Remove the backups of a directory that no --keep rule keeps, for each object separately (a GPO, a Starter GPO, a license store...), as restic forget does: the rules are OR-ed, the newest backup of every object is always kept, manifest.xml is updated in the same crash-safe commit, and only folders Coffer's own integrity manifest names are ever removed.",
    )
    .argument('<dir>', 'backup directory')
    .option('--keep-last <n>', 'keep the n newest backups')
    .option('--keep-hourly <n>', 'keep the newest backup of each of the last n hours that have one')
    .option('--keep-daily <n>', 'keep the newest backup of each of the last n days that have one')
    .option('--keep-weekly <n>', 'keep the newest backup of each of the last n ISO weeks that have one')
    .option('--keep-monthly <n>', 'keep the newest backup of each of the last n months that have one')
    .option('--keep-yearly <n>', 'keep the newest backup of each of the last n years that have one')
    .option(
      '--keep-within <duration>',
      "keep every backup younger than this, counted back from the object's newest backup (30d, 2w, 1y6m, 36h)",
    )
    .option('--dry-run', 'decide and print, remove nothing (takes no lock, writes nothing)')
    .addHelpText(
      'after',
      [
        '',
        'Hours, days, weeks, months and years are those of the local time zone (set TZ to choose, as for restic).',
        'When a rule asks for more periods than have a backup, the oldest backup is kept too (restic 0.15+).',
        'Exit status: 0 done, 1 failed (nothing removed), 2 usage, 3 done with warnings.',
        'Scheduling it with a backup every hour: see the Scheduling section of the @coffer/cli README.',
      ].join('\n'),
    )
    .action((dir: string, flags: PruneFlags) => pruneAction(context, dir, flags));
}

/**
 * `coffer prune DIR --keep-…`: removes, per object, the backups no rule keeps (core's pruneDirectory: restic
 * forget's rules, crash-safe, manifest.xml updated in the same commit). Every backup is printed with what
 * became of it and why (the rules that keep it); --dry-run decides and prints the same without writing.
 * Exit 0 done (or nothing to remove), 2 usage (no rule, a bad count or duration), 1 failure (locked, a damaged
 * backup or index: nothing removed), 3 when messages warned (a journal named a folder that is not Coffer's).
 */
export async function pruneAction(context: CliContext, directory: string, flags: PruneFlags): Promise<void> {
  const policy: RetentionPolicy = {};
  for (const [flag, rule] of COUNT_FLAGS) {
    const text = flags[flag];
    if (text === undefined) continue;
    if (!/^\d+$/.test(text.trim())) {
      usageError(
        context,
        `--keep-${rule} must be a whole number, not ${JSON.stringify(text)}.`,
        "Run 'coffer help prune'.",
        'prune',
      );
      return;
    }
    policy[rule] = Number(text.trim());
  }
  if (flags.keepWithin !== undefined) policy.within = flags.keepWithin;
  if (isShareTarget(directory)) {
    // Backups and reads reach a share through a local mirror (share-target.ts); removal there is not built yet.
    const unsupported = new CofferError(
      ErrorCode.UnsupportedOperation,
      `coffer prune works on a local or mounted directory, not on the SMB share ${directory}.`,
      {
        hresult: HRESULT.ERROR_NOT_SUPPORTED,
        object: directory,
        hint: 'Run it where the folder is local (on the file server), or on a mount of the share (mount -t cifs).',
      },
    );
    failWith(context, serializeError(unsupported), ExitCode.Failed, 'prune');
    return;
  }
  const path = resolve(context.io.cwd, directory);
  // Loaded here, not with the command tree every `coffer` run builds: the progress bar's modules cost start-up.
  const { createReporter } = await import('../output/operation-reporter.js');
  const reporter = createReporter(context.output);
  const messages: StatusMessage[] = [];
  let result: PruneResult;
  try {
    const problem = await backupFolderProblem(path);
    if (problem) throw problem;
    const progress = new ProgressTracker((report) => reporter.progress(report));
    result = await pruneDirectory(path, {
      policy,
      dryRun: flags.dryRun === true,
      signal: context.signal,
      progress,
      report: (message) => {
        messages.push(message);
        reporter.message(message);
      },
    });
  } catch (error) {
    reporter.stop();
    const failure = serializeError(toCofferError(error, path));
    const exitCode = failure.code === ErrorCode.Cancelled ? ExitCode.Cancelled : exitCodeFor('failed', failure);
    failWith(context, failure, exitCode, 'prune');
    if (exitCode === ExitCode.Usage && !context.output.json)
      context.output.err(context.output.style.dim("Run 'coffer help prune' for the rules and their flags."));
    return;
  }
  reporter.stop();
  const warned = messages.some((m) => m.severity !== 'info');
  const status = warned ? 'succeeded-with-warnings' : 'succeeded';
  const exitCode = warned ? ExitCode.CompletedWithWarnings : ExitCode.Succeeded;
  context.exitCode = exitCode;
  const { output } = context;
  if (output.json) {
    output.line({
      type: 'result',
      operation: 'prune',
      status,
      exitCode,
      path: result.path,
      dryRun: result.dryRun,
      policy,
      objects: result.objects,
      kept: result.kept,
      removed: result.removed,
      skipped: result.skipped,
      finishedInterrupted: result.finishedInterrupted,
      messages,
    });
    return;
  }
  const { green, yellow, dim, red } = output.style;
  const removedWord = result.dryRun ? 'would remove' : 'removed';
  // Grouped by object, each newest first: what a person checks is one object's history at a time. A backup is kept
  // exactly when some rule keeps it (core's decision: kept backups have reasons, removed ones none), so the groups hold
  // the backups themselves, not a wrapper each (70,000 at 10,000 GPOs × 7).
  const byObject = new Map<string, PruneBackup[]>();
  for (const list of [result.kept, result.removed])
    for (const backup of list) {
      const key = JSON.stringify([backup.provider, backup.kind, backup.object.id]);
      const group = byObject.get(key);
      if (group) group.push(backup);
      else byObject.set(key, [backup]);
    }
  for (const group of byObject.values()) {
    group.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    const first = group[0]!;
    output.out(`${first.object.name ?? first.object.id}  ${dim(`${first.provider} ${first.kind} ${first.object.id}`)}`);
    for (const backup of group) {
      const keep = backup.reasons.length > 0;
      const action = keep ? green('keep'.padEnd(12)) : red(removedWord.padEnd(12));
      const why = keep ? backup.reasons.map(reasonText).join(', ') : 'no rule keeps it';
      output.out(`  ${action} ${localTime(backup.createdAt)}  ${backup.id}  ${dim(why)}`);
    }
  }
  for (const skipped of result.skipped)
    output.out(`${yellow('skipped'.padEnd(14))} ${skipped.name}  ${dim(skipped.reason)}`);
  const total = result.kept.length + result.removed.length;
  const summary = `${result.dryRun ? 'Dry run: would remove' : 'Removed'} ${result.removed.length} of ${total} backup${total === 1 ? '' : 's'} of ${result.objects} object${result.objects === 1 ? '' : 's'}; kept ${result.kept.length}.`;
  output.err(result.dryRun ? yellow(summary) : green(summary));
}

/** `daily 2026-12-04`, `last 1`, `within 30d`, `newest`. */
function reasonText(reason: KeepReason): string {
  return reason.rule === 'newest' ? 'newest' : `${reason.rule} ${reason.period}`;
}

/** An ISO time in the local time zone (the rules' periods are local), to the minute. */
function localTime(iso: string): string {
  const t = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${t.getFullYear()}-${p(t.getMonth() + 1)}-${p(t.getDate())} ${p(t.getHours())}:${p(t.getMinutes())}`;
}
