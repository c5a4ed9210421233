import { resolve } from 'node:path';
import {
  ErrorCode,
  ProgressTracker,
  serializeError,
  toCofferError,
  verifyDirectory,
  type DirectoryVerification,
} from '@coffer/core';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../output/exit-codes.js';
import { createReporter } from '../output/operation-reporter.js';
import { backupFolderProblem } from './backup-folder.js';
import { failWith } from './operation-output.js';
import { isShareTarget, type ShareFlags, withShareSource } from './share-target.js';

/**
 * `coffer verify DIR`: re-hashes every backup under DIR (or DIR itself, when it is one
 * backup) against its integrity manifest, and checks the directory itself: folder names
 * against the ids inside, manifest.xml against the folders, stray entries, links (never
 * followed). Every finding is printed with its code. Any finding exits 1; backups GPMC wrote
 * (no Coffer manifest, no coffer-* file) cannot be checked and make it exit 3.
 */
export async function verifyAction(context: CliContext, directory: string, flags: ShareFlags = {}): Promise<void> {
  const share = isShareTarget(directory);
  const path = share ? directory : resolve(context.io.cwd, directory);
  const reporter = createReporter(context.output);
  let verification: DirectoryVerification;
  const verifyFolder = async (folder: string) => {
    const problem = await backupFolderProblem(folder);
    if (problem) throw problem;
    const progress = new ProgressTracker((report) => reporter.progress(report));
    progress.phase('verifying');
    return verifyDirectory(folder, { signal: context.signal, progress });
  };
  try {
    // An SMB share: every byte is downloaded into a private local copy and checked there against its manifest.
    verification = share ? await withShareSource(context, directory, flags, verifyFolder) : await verifyFolder(path);
  } catch (error) {
    reporter.stop();
    const failure = toCofferError(error, path);
    failWith(
      context,
      serializeError(failure),
      failure.code === ErrorCode.Cancelled ? ExitCode.Cancelled : ExitCode.Failed,
      'verify',
    );
    return;
  }
  reporter.stop();
  const problems = verification.backups.reduce((sum, b) => sum + b.problems.length, 0) + verification.problems.length;
  const nothingChecked = verification.backups.length === 0;
  const warnings = verification.problems.filter((p) => p.severity === 'warning').length;
  const status = !verification.ok
    ? 'failed'
    : verification.unverifiable.length > 0 || nothingChecked || warnings > 0
      ? 'succeeded-with-warnings'
      : 'succeeded';
  const exitCode =
    status === 'failed'
      ? ExitCode.Failed
      : status === 'succeeded-with-warnings'
        ? ExitCode.CompletedWithWarnings
        : ExitCode.Succeeded;
  context.exitCode = exitCode;

  const { output } = context;
  if (output.json) {
    output.line({
      type: 'result',
      operation: 'verify',
      status,
      exitCode,
      path,
      ok: verification.ok,
      problems,
      backups: verification.backups,
      unverifiable: verification.unverifiable,
      directoryProblems: verification.problems,
    });
    return;
  }
  const { green, red, yellow, dim } = output.style;
  for (const backup of verification.backups) {
    const about = dim([backup.provider, backup.kind].filter(Boolean).join(' '));
    if (backup.ok) {
      output.out(
        `${green('ok')}      ${backup.id}  ${about}  ${dim(`${backup.filesChecked} files, ${backup.bytesChecked} bytes`)}`,
      );
      continue;
    }
    output.out(
      `${red('FAILED')}  ${backup.id}  ${about}  ${backup.problems.length} problem${backup.problems.length === 1 ? '' : 's'}`,
    );
    for (const problem of backup.problems)
      output.out(`        ${problem.kind.padEnd(10)} ${problem.path}  ${dim(`${problem.code}: ${problem.detail}`)}`);
  }
  // Unverifiable backups get their own 'skipped' line below.
  for (const problem of verification.problems.filter((p) => p.kind !== 'unverifiable'))
    output.out(
      `${problem.severity === 'warning' ? yellow('warning') : red('FAILED')}  ${problem.kind.padEnd(10)} ${problem.path}  ${dim(`${problem.code}: ${problem.detail}`)}`,
    );
  for (const folder of verification.unverifiable)
    output.out(`${yellow('skipped')} ${folder}  ${dim('no Coffer integrity manifest: nothing to check it against')}`);
  const checked = verification.backups.length;
  const bad = verification.backups.filter((b) => !b.ok).length;
  const errors = verification.problems.length - warnings;
  if (errors > 0)
    output.err(
      red(
        `The directory has ${errors} problem${errors === 1 ? '' : 's'}; ${bad} of ${checked} backup${checked === 1 ? '' : 's'} failed verification.`,
      ),
    );
  else if (nothingChecked) output.err(yellow(`No Coffer backups found in ${path}.`));
  else if (bad > 0)
    output.err(
      red(
        `${bad} of ${checked} backup${checked === 1 ? '' : 's'} failed verification (${problems} problem${problems === 1 ? '' : 's'}).`,
      ),
    );
  else output.err(green(`All ${checked} backup${checked === 1 ? '' : 's'} verified.`));
}
