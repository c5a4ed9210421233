import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { CofferError, ErrorCode, runBackup, serializeError, toCofferError, type BackupOutput } from '@coffer/core';
import type { BackupsDiff } from '@coffer/gpmc';
import { loadGpmc, type GpmcModule } from './gpmc-loader.js';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../output/exit-codes.js';
import type { AvailableProvider } from '../providers/provider-registry.js';
import { backupFolderProblem } from './backup-folder.js';
import { failWith, usageError } from './operation-output.js';

export interface DiffFlags extends Record<string, unknown> {
  live?: boolean;
  format?: string;
  out?: string;
  exitCode?: boolean;
  admxDir?: string;
  gpo?: string[];
  all?: boolean;
}

/**
 * Backs up the GPOs to compare with into a private temp folder (mkdtemp: 0700, only this user) with the gpo
 * provider, exactly as `coffer backup gpo` would: the live side is then read by the same code as any backup.
 * The folder is removed afterwards, whatever happens.
 */
async function backUpLive(
  gpmc: GpmcModule,
  context: CliContext,
  entry: AvailableProvider,
  flags: DiffFlags,
  a: string,
): Promise<{ folder: string; output: BackupOutput } | undefined> {
  // Only a live diff backs up: the option reader (with its secret prompt) and the progress bar load here, not for
  // every diff of two backups.
  const [{ providerOptions }, { createReporter }] = await Promise.all([
    import('./provider-operations.js'),
    import('../output/operation-reporter.js'),
  ]);
  const options = await providerOptions(context, entry, entry.surface.backup, flags, 'diff');
  if (!options) return undefined;
  if (options.gpo === undefined || (Array.isArray(options.gpo) && options.gpo.length === 0)) {
    if (options.all !== true) {
      // Not told which: the GPOs A holds (its one GPO when A is a backup folder, else every GPO it has).
      const single = await readFile(join(a, 'bkupInfo.xml'))
        .then((bytes) => gpmc.parseBkupInfoXml(bytes).gpoGuid)
        .catch(() => undefined);
      const entries =
        single === undefined
          ? (await gpmc.searchBackups(a).catch(() => [])).filter((e) => !e.problem && e.type === 'GPO')
          : [];
      const gpos = single !== undefined ? [single] : [...new Set(entries.map((e) => e.gpoGuid))];
      if (gpos.length > 0) options.gpo = gpos;
      else options.all = true;
    }
  }
  const folder = await mkdtemp(join(tmpdir(), 'coffer-diff-live-'));
  const reporter = createReporter(context.output);
  const result = await runBackup(entry.provider, {
    destination: folder,
    comment: 'coffer diff --live',
    options,
    signal: context.signal,
    onProgress: (report) => reporter.progress(report),
    onMessage: (message) => reporter.message(message),
  });
  reporter.stop();
  if (result.status === 'failed' || result.status === 'cancelled' || !result.output) {
    await rm(folder, { recursive: true, force: true });
    const error = result.error ?? { code: ErrorCode.Cancelled, message: 'The operation was cancelled.' };
    failWith(context, error, result.status === 'cancelled' ? ExitCode.Cancelled : ExitCode.Failed, 'diff');
    return undefined;
  }
  return { folder, output: result.output };
}

/** `coffer diff A B` or `coffer diff A --live [connection options]`. */
export async function diffAction(
  context: CliContext,
  first: string,
  second: string | undefined,
  flags: DiffFlags,
  gpoProvider: AvailableProvider | undefined,
): Promise<void> {
  const format = (flags.format ?? 'text').toLowerCase();
  if (format !== 'text' && format !== 'json' && format !== 'html') {
    usageError(
      context,
      `Unknown diff format '${flags.format}'.`,
      'Use --format text, json or html (or --json for a JSON result line).',
      'diff',
    );
    return;
  }
  if (flags.live === true && second !== undefined) {
    usageError(
      context,
      'Give either B or --live, not both.',
      'coffer diff <A> <B>, or coffer diff <A> --live --dc … --user …',
      'diff',
    );
    return;
  }
  if (flags.live !== true && second === undefined) {
    usageError(
      context,
      'coffer diff needs two sides: A and B, or A and --live.',
      'coffer diff /srv/backups/monday /srv/backups/tuesday',
      'diff',
    );
    return;
  }
  if (flags.live === true && gpoProvider === undefined) {
    usageError(
      context,
      '--live needs the gpo provider (@coffer/provider-gpo), which is not loaded.',
      "Install @coffer/provider-gpo next to @coffer/cli, then run 'coffer providers'.",
      'diff',
    );
    return;
  }
  const a = resolve(context.io.cwd, first);
  let live: { folder: string; output: BackupOutput } | undefined;
  let diff: BackupsDiff;
  let gpmc: GpmcModule;
  try {
    for (const side of second === undefined ? [a] : [a, resolve(context.io.cwd, second)]) {
      const problem = await backupFolderProblem(side);
      if (problem) throw problem;
    }
    gpmc = await loadGpmc(context);
    if (flags.live === true) {
      live = await backUpLive(gpmc, context, gpoProvider!, flags, a);
      if (!live) return;
    }
    const b = live ? live.folder : resolve(context.io.cwd, second!);
    const admx =
      flags.admxDir === undefined ? undefined : await gpmc.loadAdmxDirectory(resolve(context.io.cwd, flags.admxDir));
    const gpos = Array.isArray(flags.gpo) ? flags.gpo : [];
    diff = await gpmc.diffBackups(a, b, {
      ...(admx ? { admx } : {}),
      ...(gpos.length > 0 ? { gpos } : {}),
      signal: context.signal,
    });
    if (live) {
      // The live side's folder is temporary: name it for what it is.
      diff.b = 'live domain';
      for (const gpo of diff.gpos) if (gpo.b) gpo.b = { ...gpo.b, folder: 'live domain' };
    }
    if (context.signal.aborted) throw new CofferError(ErrorCode.Cancelled, 'The operation was cancelled.');
  } catch (error) {
    const failure = toCofferError(error, a);
    failWith(
      context,
      serializeError(failure),
      failure.code === ErrorCode.Cancelled ? ExitCode.Cancelled : ExitCode.Failed,
      'diff',
    );
    return;
  } finally {
    if (live) await rm(live.folder, { recursive: true, force: true });
  }
  const different = gpmc.hasDifferences(diff);
  const exitCode = flags.exitCode === true && different ? ExitCode.DifferencesFound : ExitCode.Succeeded;
  const text =
    format === 'html'
      ? gpmc.renderDiffHtml(diff)
      : format === 'json'
        ? `${JSON.stringify(diff, null, 2)}\n`
        : gpmc.renderDiffText(diff);
  if (flags.out !== undefined) {
    const out = resolve(context.io.cwd, flags.out);
    const temp = join(dirname(out), `.${basename(out)}.coffer-${process.pid}.tmp`);
    try {
      await writeFile(temp, text, { flag: 'wx' });
      await rename(temp, out);
    } catch (error) {
      await rm(temp, { force: true });
      failWith(context, serializeError(toCofferError(error, out)), ExitCode.Failed, 'diff');
      return;
    }
  }
  context.exitCode = exitCode;
  if (context.output.json) {
    context.output.line({
      type: 'result',
      operation: 'diff',
      status: 'succeeded',
      exitCode,
      differences: different,
      ...diff,
    });
    return;
  }
  if (flags.out === undefined) context.io.stdout.write(format === 'text' ? colour(context, text) : text);
  else
    context.output.err(
      `Wrote the ${format} diff to ${resolve(context.io.cwd, flags.out)}${different ? '' : ' (no differences)'}`,
    );
}

/** Colours the text diff on a terminal: + green, - red, ~ yellow. */
function colour(context: CliContext, text: string): string {
  const { green, red, yellow } = context.output.style;
  return text
    .split('\n')
    .map((line) =>
      line.startsWith('  + ')
        ? green(line)
        : line.startsWith('  - ')
          ? red(line)
          : line.startsWith('  ~ ')
            ? yellow(line)
            : line,
    )
    .join('\n');
}
