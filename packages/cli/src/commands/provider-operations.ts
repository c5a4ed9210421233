import { resolve } from 'node:path';
import {
  ErrorCode,
  runBackup,
  runCommand,
  runRestore,
  serializeError,
  toCofferError,
  type BackupOutput,
  type CommandOutput,
  type RestoreOutput,
} from '@coffer/core';
import type { CliContext } from '../cli-context.js';
import { collectOptionValues } from '../options/flag-binding.js';
import type { OptionSpec } from '../options/option-specs.js';
import { fillSecrets } from '../options/secrets.js';
import { ExitCode } from '../output/exit-codes.js';
import { createReporter } from '../output/operation-reporter.js';
import type { AvailableProvider } from '../providers/provider-registry.js';
import { failWith, finishOperation } from './operation-output.js';
import { backupToShare, isShareTarget, withShareSource } from './share-target.js';
import { formatTable } from '../output/table.js';

/** Flags parsed by commander, plus the CLI's own ones on the verb. */
type ParsedFlags = Record<string, unknown>;

/** `coffer backup <provider> --out DIR [--comment TEXT] [provider options]` */
export async function backupAction(context: CliContext, entry: AvailableProvider, flags: ParsedFlags): Promise<void> {
  const options = await providerOptions(context, entry, entry.surface.backup, flags, 'backup');
  if (!options) return;
  const reporter = createReporter(context.output);
  const backup = (destination: string) =>
    runBackup(entry.provider, {
      destination,
      ...(typeof flags.comment === 'string' ? { comment: flags.comment } : {}),
      options,
      signal: context.signal,
      onProgress: (report) => reporter.progress(report),
      onMessage: (message) => reporter.message(message),
    });
  const share = isShareTarget(flags.out);
  const outLabel = share ? String(flags.out) : resolve(context.io.cwd, String(flags.out));
  let result;
  try {
    // An SMB share (//server/share/folder): core writes into a private local mirror, then the run is published.
    result = share
      ? await backupToShare(
          context,
          outLabel,
          flags,
          options,
          entry.provider.backupIndex?.fileName,
          backup,
          (message) => reporter.message(message),
        )
      : await backup(outLabel);
  } catch (error) {
    reporter.stop();
    failWith(context, serializeError(toCofferError(error, outLabel)), ExitCode.Failed, 'backup');
    return;
  }
  finishOperation<BackupOutput>(context, {
    result,
    reporter,
    specs: entry.surface.backup,
    helpCommand: `backup ${entry.id}`,
    json: (r) => ({ backups: r.output?.backups ?? [], counts: r.output?.counts ?? {} }),
    human: (output) => {
      const { style } = context.output;
      const count = output.backups.length;
      context.output.out(style.green(`Backed up ${count} object${count === 1 ? '' : 's'} into ${outLabel}`));
      for (const backup of output.backups) {
        const name = backup.objectName ?? backup.objectId ?? '';
        context.output.out(`  ${backup.id}  ${backup.kind}${name ? `  ${name}` : ''}`);
      }
      const counts = formatCounts(output.counts);
      if (counts) context.output.out(style.dim(`  ${counts}`));
    },
  });
}

/** `coffer restore <provider> --from DIR [provider restore options]` */
export async function restoreAction(context: CliContext, entry: AvailableProvider, flags: ParsedFlags): Promise<void> {
  const specs = entry.surface.restore ?? [];
  const options = await providerOptions(context, entry, specs, flags, 'restore');
  if (!options) return;
  const reporter = createReporter(context.output);
  const restore = (source: string) =>
    runRestore(entry.provider, {
      source,
      options,
      signal: context.signal,
      onProgress: (report) => reporter.progress(report),
      onMessage: (message) => reporter.message(message),
    });
  let result;
  try {
    // An SMB share: the folder is downloaded (consistent, whole) into a private local copy and restored from there.
    result = isShareTarget(flags.from)
      ? await withShareSource(context, flags.from, flags, restore, options, (message) => reporter.message(message))
      : await restore(resolve(context.io.cwd, String(flags.from)));
  } catch (error) {
    reporter.stop();
    failWith(context, serializeError(toCofferError(error, String(flags.from))), ExitCode.Failed, 'restore');
    return;
  }
  finishOperation<RestoreOutput>(context, {
    result,
    reporter,
    specs,
    helpCommand: `restore ${entry.id}`,
    json: (r) => ({ restored: r.output?.restored ?? [], counts: r.output?.counts ?? {} }),
    human: (output) => {
      const count = output.restored.length;
      // A provider's --what-if restore (the GPO provider's whatIf) restores nothing: its plan is in the messages above.
      if (output.counts.whatIf) context.output.out('What if: nothing was restored; the plan is above.');
      else context.output.out(context.output.style.green(`Restored ${count} object${count === 1 ? '' : 's'}`));
      for (const item of output.restored) {
        const name = item.objectName ?? item.objectId ?? '';
        context.output.out(
          `  ${item.kind}${name ? `  ${name}` : ''}${item.fromBackupId ? `  (from ${item.fromBackupId})` : ''}`,
        );
      }
      const counts = formatCounts(output.counts);
      if (counts) context.output.out(context.output.style.dim(`  ${counts}`));
    },
  });
}

/** `coffer <provider> <command> [options]` and `coffer <command> <provider> [options]` */
export async function providerCommandAction(
  context: CliContext,
  entry: AvailableProvider,
  commandName: string,
  flags: ParsedFlags,
): Promise<void> {
  const specs = entry.surface.commands.get(commandName) ?? [];
  const options = await providerOptions(context, entry, specs, flags, commandName);
  if (!options) return;
  const reporter = createReporter(context.output);
  const result = await runCommand(entry.provider, commandName, {
    options,
    signal: context.signal,
    onProgress: (report) => reporter.progress(report),
    onMessage: (message) => reporter.message(message),
  });
  finishOperation<CommandOutput>(context, {
    result,
    reporter,
    specs,
    helpCommand: `${entry.id} ${commandName}`,
    json: (r) => ({ command: commandName, ...(r.output?.data === undefined ? {} : { data: r.output.data }) }),
    human: (output) => {
      if (output.lines) for (const line of output.lines) context.output.out(line);
      if (output.table)
        for (const line of formatTable(output.table.columns, output.table.rows)) context.output.out(line);
      if (!output.lines && !output.table && output.data !== undefined)
        context.output.out(JSON.stringify(output.data, null, 2));
    },
  });
}

/** The options object for core: flag values plus secrets; undefined when the user cancelled at a prompt. */
export async function providerOptions(
  context: CliContext,
  entry: AvailableProvider,
  specs: readonly OptionSpec[],
  flags: ParsedFlags,
  operation: string,
): Promise<Record<string, unknown> | undefined> {
  const options = collectOptionValues(flags, specs);
  try {
    context.output.addSecrets(await fillSecrets(specs, options, context.io, `${entry.id} ${operation}`));
  } catch (error) {
    const failure = toCofferError(error);
    failWith(
      context,
      serializeError(failure),
      failure.code === ErrorCode.Cancelled ? ExitCode.Cancelled : ExitCode.Failed,
      operation,
    );
    return undefined;
  }
  if (context.signal.aborted) {
    failWith(
      context,
      { code: ErrorCode.Cancelled, message: 'The operation was cancelled.' },
      ExitCode.Cancelled,
      operation,
    );
    return undefined;
  }
  return options;
}

export function formatCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .map(([name, value]) => `${name}: ${value}`)
    .join(', ');
}
