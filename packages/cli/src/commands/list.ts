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
  // Every provider is asked at once (providers sharing a reader, as gpmc's GPO and Starter GPO listings do, then read
  // the directory once for all of them), but shown in turn: a provider's reports wait until those before it are done,
  // so the output is what asking them one after another printed.
  let shown = 0;
  const held: Array<Array<() => void>> = listers.map(() => []);
  const show = (index: number, report: () => void) => {
    if (index === shown) report();
    else held[index]!.push(report);
  };
  const runs = listers.map((entry, index) =>
    runList(entry.provider, {
      source,
      ...(query === undefined ? {} : { query }),
      signal: context.signal,
      onProgress: (report) => show(index, () => reporter.progress(report)),
      onMessage: (message) => show(index, () => reporter.message(message)),
    }),
  );
  const results: OperationResult<BackupListing[]>[] = [];
  for (const [index, run] of runs.entries()) {
    // Cancelled: the providers still running see the signal and end on their own; their results are not waited for.
    if (context.signal.aborted) break;
    if (index > 0) {
      reporter.nextOperation();
      shown = index;
      for (const report of held[index]!.splice(0)) report();
    }
    results.push(await run);
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

  // The providers' own listings are what is shown, not copied (70,000 backups are 70,000 objects per copy): the rows
  // that match the filters, with the provider of each, and the order they are shown in.
  const counts = results.map((r) => r.output?.length ?? 0);
  const rows: Rows = { listings: [], providers: [] };
  for (const [provider, r] of results.entries()) {
    for (const found of r.output ?? []) {
      const listing =
        shownAs !== undefined && found.path.startsWith(source)
          ? { ...found, path: `${shownAs}${found.path.slice(source.length)}` }
          : found;
      if (!matchesFilters(listing, filters)) continue;
      rows.listings.push(listing);
      rows.providers.push(provider);
    }
    delete r.output;
  }
  const providerOf = (i: number) => results[rows.providers[i]!]!.providerId;
  const order = newestFirst(rows.listings);
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
      backups: order.map((i): ListedBackup => ({ provider: providerOf(i), ...rows.listings[i]! })),
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
  printListing(context, rows.listings, providerOf, order, shownAs ?? source);
}

/**
 * The backups shown: each a provider's own listing (or a copy with the path the user named) and the position of its
 * provider among the results, side by side (no object per row).
 */
interface Rows {
  listings: BackupListing[];
  providers: number[];
}

function printListing(
  context: CliContext,
  listings: readonly BackupListing[],
  providerOf: (i: number) => string,
  order: readonly number[],
  source: string,
): void {
  const { output } = context;
  if (order.length === 0) {
    output.err(`No backups found in ${source}.`);
    return;
  }
  const cells = (i: number) => {
    const b = listings[i]!;
    return [b.createdAt ?? '', providerOf(i), b.kind, b.objectName ?? b.objectId ?? '', b.id].map(printable);
  };
  if (output.stdout.isTTY) {
    // Widths from a first pass over the rows, then each row formatted and printed as it is made: the table of
    // 70,000 backups is never held whole.
    const header = ['CREATED', 'PROVIDER', 'KIND', 'NAME', 'ID', 'COMMENT'];
    const table = function* () {
      for (const i of order) yield [...cells(i), printable(listings[i]!.comment ?? '')];
    };
    const widths = tableWidths(header, table());
    output.out(output.style.bold(formatRow(header, widths)));
    for (const row of table()) output.out(formatRow(row, widths));
  } else {
    // Off a terminal: tab-separated, one backup a line, with its path, for scripts; the comment last, so the
    // columns scripts already read keep their places.
    for (const i of order)
      output.out([...cells(i), printable(listings[i]!.path), printable(listings[i]!.comment ?? '')].join('\t'));
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

/**
 * The rows' order, newest first (then by id; a backup of unknown time last): positions into `rows`, so the rows are
 * not moved, and each time parsed once rather than in every comparison (70,000 rows are ~2.4 million comparisons).
 */
function newestFirst(listings: readonly BackupListing[]): number[] {
  const times = new Float64Array(listings.length);
  const order: number[] = new Array(listings.length);
  for (let i = 0; i < listings.length; i += 1) {
    const createdAt = listings[i]!.createdAt;
    times[i] = createdAt === undefined ? Number.NaN : Date.parse(createdAt);
    order[i] = i;
  }
  return order.sort((i, j) => {
    const a = listings[i]!;
    const b = listings[j]!;
    if (a.createdAt === b.createdAt) return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
    if (a.createdAt === undefined) return 1;
    if (b.createdAt === undefined) return -1;
    return times[j]! - times[i]!;
  });
}
