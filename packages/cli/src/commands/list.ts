import { resolve } from 'node:path';
import {
  ErrorCode,
  runList,
  serializeError,
  toCofferError,
  type BackupListing,
  type OperationResult,
} from '@coffer/core';
import type { CliContext } from '../cli-context.js';
import { ExitCode } from '../output/exit-codes.js';
import { createReporter } from '../output/operation-reporter.js';
import { jsonError } from '../output/output.js';
import { formatRow, tableWidths } from '../output/table.js';
import { backupFolderProblem } from './backup-folder.js';
import { type ListFilters, matchesFilters } from './list-filters.js';
import { failWith, usageError } from './operation-output.js';
import { isShareTarget, type ShareFlags, withShareSource } from './share-target.js';

export interface ListedBackup extends BackupListing {
  provider: string;
}

/**
 * `coffer list DIR [--query TEXT] [--type P] [--name PATTERN|GUID] [--since T] [--until T]`: asks every loaded provider
 * that can list (or only those named by `--type`, or `coffer list <provider> --from DIR`), keeps what the filters
 * match, merges, newest first. One provider failing is a warning; all failing, an error.
 */
export async function listAction(
  context: CliContext,
  directory: string,
  query: string | undefined,
  filters: ListFilters = {},
  shareFlags: ShareFlags = {},
): Promise<void> {
  if (!isShareTarget(directory))
    return listFolder(context, directory, resolve(context.io.cwd, directory), query, filters);
  // An SMB share: listed from a consistent private copy; what is shown names the share.
  try {
    await withShareSource(context, directory, shareFlags, (local) =>
      listFolder(context, directory, local, query, filters, directory),
    );
  } catch (error) {
    failWith(context, serializeError(toCofferError(error, directory)), ExitCode.Failed, 'list');
  }
}

async function listFolder(
  context: CliContext,
  directory: string,
  source: string,
  query: string | undefined,
  filters: ListFilters,
  shownAs?: string,
): Promise<void> {
  const named = filters.providers;
  const unable = named?.find((entry) => typeof entry.provider.list !== 'function');
  if (unable) {
    usageError(
      context,
      `The provider '${unable.id}' cannot list backups.`,
      `coffer list ${directory} lists what every provider finds.`,
      'list',
    );
    return;
  }
  const listers = named
    ? [...new Set(named)]
    : context.registry.available.filter((entry) => typeof entry.provider.list === 'function');
  if (listers.length === 0) {
    failWith(
      context,
      {
        code: ErrorCode.UnsupportedOperation,
        message: 'No loaded provider can list backups.',
        hint: "Run 'coffer providers' to see which providers are installed and what they can do.",
      },
      ExitCode.Failed,
      'list',
    );
    return;
  }
  // Checked once here: asked of each provider, a missing folder was reported once per provider.
  const problem = await backupFolderProblem(source);
  if (problem) {
    failWith(context, serializeError(problem), ExitCode.Failed, 'list');
    return;
  }
  const reporter = createReporter(context.output);
  const results: OperationResult<BackupListing[]>[] = [];
  for (const entry of listers) {
    if (context.signal.aborted) break;
    if (results.length > 0) reporter.nextOperation();
    results.push(
      await runList(entry.provider, {
        source,
        ...(query === undefined ? {} : { query }),
        signal: context.signal,
        onProgress: (report) => reporter.progress(report),
        onMessage: (message) => reporter.message(message),
      }),
    );
  }
  const failures = results.filter((r) => r.status === 'failed' || r.status === 'cancelled');
  const cancelled = context.signal.aborted || results.some((r) => r.status === 'cancelled');
  const allFailed = failures.length === results.length;
  // When every provider failed the same way (the folder does not exist), that error is the result; otherwise each is a warning.
  const commonError = allFailed && !cancelled ? failures[0]?.error : undefined;
  reporter.stop(
    (message) =>
      commonError !== undefined && message.code === commonError.code && message.message === commonError.message,
  );

  // One array of the rows shown, built in one pass (70,000 backups are 70,000 objects per copy); the providers'
  // own listings are let go as they are copied, and only their counts kept.
  const counts = results.map((r) => r.output?.length ?? 0);
  const backups: ListedBackup[] = [];
  for (const r of results) {
    for (const listing of r.output ?? []) {
      const backup: ListedBackup = { provider: r.providerId, ...listing };
      if (shownAs !== undefined && backup.path.startsWith(source))
        backup.path = `${shownAs}${backup.path.slice(source.length)}`;
      if (matchesFilters(backup, filters)) backups.push(backup);
    }
    delete r.output;
  }
  backups.sort(newestFirst);
  const warned = results.some((r) => r.status === 'succeeded-with-warnings') || failures.length > 0;
  const status = cancelled ? 'cancelled' : allFailed ? 'failed' : warned ? 'succeeded-with-warnings' : 'succeeded';
  const exitCode =
    status === 'cancelled'
      ? ExitCode.Cancelled
      : status === 'failed'
        ? ExitCode.Failed
        : warned
          ? ExitCode.CompletedWithWarnings
          : ExitCode.Succeeded;
  context.exitCode = exitCode;

  const { output } = context;
  if (output.json) {
    output.line({
      type: 'result',
      operation: 'list',
      status,
      exitCode,
      source: shownAs ?? source,
      backups,
      providers: results.map((r, i) => ({
        id: r.providerId,
        status: r.status,
        count: counts[i] ?? 0,
        ...(r.error ? { error: jsonError(r.error) } : {}),
      })),
      messages: results.flatMap((r) => r.messages.map((m) => ({ provider: r.providerId, ...m }))),
      ...(commonError ? { error: jsonError(commonError) } : {}),
    });
    if (cancelled) output.err('cancelled');
    return;
  }
  if (cancelled) {
    output.err(output.style.yellow('cancelled'));
    return;
  }
  if (commonError) {
    output.error(commonError);
    return;
  }
  printListing(context, backups, shownAs ?? source);
}

function printListing(context: CliContext, backups: ListedBackup[], source: string): void {
  const { output } = context;
  if (backups.length === 0) {
    output.err(`No backups found in ${source}.`);
    return;
  }
  const cells = (b: ListedBackup) =>
    [b.createdAt ?? '', b.provider, b.kind, b.objectName ?? b.objectId ?? '', b.id].map(printable);
  if (output.stdout.isTTY) {
    // Widths from a first pass over the rows, then each row formatted and printed as it is made: the table of
    // 70,000 backups is never held whole.
    const header = ['CREATED', 'PROVIDER', 'KIND', 'NAME', 'ID', 'COMMENT'];
    const rows = function* () {
      for (const b of backups) yield [...cells(b), printable(b.comment ?? '')];
    };
    const widths = tableWidths(header, rows());
    output.out(output.style.bold(formatRow(header, widths)));
    for (const row of rows()) output.out(formatRow(row, widths));
  } else {
    // Off a terminal: tab-separated, one backup a line, with its path, for scripts; the comment last, so the
    // columns scripts already read keep their places.
    for (const backup of backups)
      output.out([...cells(backup), printable(backup.path), printable(backup.comment ?? '')].join('\t'));
  }
}

/**
 * Names and comments come from the backups, which anyone may have written: a tab, a newline or an escape sequence in
 * one must neither break a column nor reach the terminal as a control code, so control characters are shown escaped
 * (`\n`, `\t`, `\x1b`); --json carries them as they are.
 */
function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) =>
    c === '\n'
      ? '\\n'
      : c === '\t'
        ? '\\t'
        : c === '\r'
          ? '\\r'
          : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`,
  );
}

function newestFirst(a: BackupListing, b: BackupListing): number {
  if (a.createdAt === b.createdAt) return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
  if (a.createdAt === undefined) return 1;
  if (b.createdAt === undefined) return -1;
  return Date.parse(b.createdAt) - Date.parse(a.createdAt);
}
