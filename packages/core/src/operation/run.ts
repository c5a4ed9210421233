import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import { join, resolve } from 'node:path';
import { describeOptions, validateOptions } from '../contract/options.js';
import type {
  BackupOutput,
  BackupListing,
  BackupProvider,
  CommandOutput,
  OptionsSchema,
  RestoreOutput,
} from '../contract/provider.js';
import { BackupDestination } from '../engine/backup-destination.js';
import { INTEGRITY_MANIFEST_NAME, parseIntegrityManifest } from '../engine/integrity-manifest.js';
import {
  CofferError,
  ErrorCode,
  isAbortError,
  pathNotFound,
  serializeError,
  toCofferError,
} from '../errors/coffer-error.js';
import { HRESULT } from '../errors/hresult.js';
import { RecordingContext, type OperationContextOptions } from './context.js';
import { runInOperation } from './current-operation.js';
import { statusFromMessages, type OperationKind, type OperationResult } from './result.js';

export interface RunOptions extends OperationContextOptions {}

export interface RunBackupOptions extends RunOptions {
  destination: string;
  comment?: string;
  options?: unknown;
}

export interface RunRestoreOptions extends RunOptions {
  source: string;
  options?: unknown;
}

export interface RunListOptions extends RunOptions {
  source: string;
  query?: string;
}

/**
 * Runs a provider's backup the way every host should: options validated (E_INVALIDARG),
 * the target directory checked (ERROR_PATH_NOT_FOUND; Coffer never creates it, as GPMC
 * does not), opened and locked as the provider's `target`, then the provider; what it
 * staged and did not commit itself is sealed (with the comment) and committed when it
 * returns, and removed when it fails or the run is cancelled. Failures and cancellation
 * become a result: it never throws for anything the provider or the input did wrong.
 */
export async function runBackup(
  // biome-ignore lint/suspicious/noExplicitAny: a host holds providers of every option and output type; any is the variance escape hatch
  provider: BackupProvider<any, any>,
  run: RunBackupOptions,
): Promise<OperationResult<BackupOutput>> {
  return execute('backup', provider, run, async (context) => {
    const options = await validateOptions(provider.options, run.options, provider.id);
    const destination = await requireDirectory(run.destination, 'target directory');
    context.throwIfCancelled();
    const comment = run.comment === undefined || run.comment === '' ? undefined : run.comment;
    const target = await BackupDestination.open(destination, {
      providerId: provider.id,
      signal: context.signal,
      ...(provider.backupIndex ? { index: provider.backupIndex } : {}),
      ...(comment === undefined ? {} : { comment }),
    });
    try {
      const output = await provider.backup(
        { target, destination, options, ...(comment === undefined ? {} : { comment }) },
        context,
      );
      // A provider that returned while the run was cancelled gets nothing committed (commit checks the signal).
      if (target.hasStaged) await target.commit();
      return output;
    } finally {
      await target.close();
    }
  });
}

export async function runRestore(
  // biome-ignore lint/suspicious/noExplicitAny: a host holds providers of every option and output type; any is the variance escape hatch
  provider: BackupProvider<any, any>,
  run: RunRestoreOptions,
): Promise<OperationResult<RestoreOutput>> {
  return execute('restore', provider, run, async (context) => {
    if (typeof provider.restore !== 'function') throw unsupported(provider, 'restore');
    const options = await validateOptions(
      provider.restoreOptions ?? emptyOptions,
      run.options,
      provider.id,
      `restore ${provider.id}`,
    );
    const source = await requireDirectory(run.source, 'backup directory');
    context.throwIfCancelled();
    return provider.restore({ source, options }, context);
  });
}

export async function runList(
  // biome-ignore lint/suspicious/noExplicitAny: a host holds providers of every option and output type; any is the variance escape hatch
  provider: BackupProvider<any, any>,
  run: RunListOptions,
): Promise<OperationResult<BackupListing[]>> {
  return execute('list', provider, run, async (context) => {
    if (typeof provider.list !== 'function') throw unsupported(provider, 'list');
    const source = await requireDirectory(run.source, 'backup directory');
    const listings = await provider.list({ source, ...(run.query === undefined ? {} : { query: run.query }) }, context);
    return withComments(listings);
  });
}

export async function runCommand(
  // biome-ignore lint/suspicious/noExplicitAny: a host holds providers of every option and output type; any is the variance escape hatch
  provider: BackupProvider<any, any>,
  commandName: string,
  run: RunOptions & { options?: unknown },
): Promise<OperationResult<CommandOutput>> {
  return execute('command', provider, run, async (context) => {
    const command = provider.commands?.find((c) => c.name === commandName);
    if (!command) {
      const known = (provider.commands ?? []).map((c) => c.name).join(', ') || 'none';
      throw new CofferError(
        ErrorCode.InvalidArgument,
        `Provider '${provider.id}' has no command '${commandName}' (it has: ${known}).`,
        {
          hresult: HRESULT.E_INVALIDARG,
          object: provider.id,
        },
      );
    }
    const options = await validateOptions(command.options, run.options, provider.id, `${provider.id} ${command.name}`);
    return command.run(options, context);
  });
}

/** A schema that accepts only an empty object, for operations that take no options. */
const emptyOptions: OptionsSchema<Record<string, never>> = {
  '~standard': {
    version: 1,
    vendor: 'coffer',
    validate: (value) =>
      value === undefined || (typeof value === 'object' && value !== null && Object.keys(value).length === 0)
        ? { value: {} }
        : { issues: [{ message: 'this operation takes no options' }] },
  },
};

export { describeOptions };

async function execute<T>(
  operation: OperationKind,
  // biome-ignore lint/suspicious/noExplicitAny: a host holds providers of every option and output type; any is the variance escape hatch
  provider: BackupProvider<any, any>,
  run: RunOptions,
  body: (context: RecordingContext) => Promise<T>,
): Promise<OperationResult<T>> {
  const started = Date.now();
  const context = new RecordingContext(run);
  const finish = (partial: Pick<OperationResult<T>, 'status'> & Partial<OperationResult<T>>): OperationResult<T> => {
    const finished = Date.now();
    return {
      operation,
      providerId: provider.id,
      messages: context.messages,
      startedAt: new Date(started).toISOString(),
      finishedAt: new Date(finished).toISOString(),
      durationMs: finished - started,
      ...partial,
    };
  };
  try {
    const output = await runInOperation(context, () => body(context));
    return finish({ status: statusFromMessages(context.messages), output });
  } catch (thrown) {
    const error = toCofferError(thrown);
    // Cancelled means the host asked for it: a provider may throw its own code (NS_E_DRM_OPERATION_CANCELED) or an AbortError.
    const cancelled = context.signal.aborted || error.code === ErrorCode.Cancelled || isAbortError(thrown);
    context.report({
      severity: cancelled ? 'warning' : 'error',
      code: error.code,
      message: error.message,
      ...(error.object === undefined ? {} : { object: error.object }),
      ...(error.hresult === undefined ? {} : { hresult: error.hresult }),
    });
    return finish({ status: cancelled ? 'cancelled' : 'failed', error: serializeError(error) });
  }
}

const MAX_MANIFEST_BYTES_FOR_COMMENT = 64 << 20;

/**
 * Fills each listing's comment from its integrity manifest, where core stored it, when the provider did not say. One
 * small file per backup, read with synchronous calls (lstat, open, fstat, read, close): through fs/promises each is a
 * thread-pool round trip, and for 70,000 backups those round trips cost more than the reads. The event loop is let go
 * every {@link COMMENT_BATCH} listings, so progress and cancellation still get their turn.
 */
async function withComments(listings: BackupListing[]): Promise<BackupListing[]> {
  for (let i = 0; i < listings.length; i += 1) {
    const listing = listings[i]!;
    if (listing.comment === undefined || listing.comment === '') {
      const comment = storedComment(listing.path);
      if (comment !== undefined) listings[i] = { ...listing, comment };
    }
    if (i % COMMENT_BATCH === COMMENT_BATCH - 1) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return listings;
}

const COMMENT_BATCH = 512;

/** The comment in the integrity manifest of the backup at `folder`; undefined when none, or it cannot be read. */
function storedComment(folder: string): string | undefined {
  const manifestPath = join(folder, INTEGRITY_MANIFEST_NAME);
  // Only a plain file of sane size: a hostile backup's link to a device or a huge file is not read here (and a
  // missing file, as in every GPMC-written backup, answers undefined rather than an exception built and thrown).
  const info = lstatSync(manifestPath, { throwIfNoEntry: false });
  if (!info?.isFile() || info.size > MAX_MANIFEST_BYTES_FOR_COMMENT) return undefined;
  let text: string;
  let fd: number;
  try {
    // O_NOFOLLOW: a link swapped in after the lstat is not followed; O_NONBLOCK: nor does a FIFO hang the open.
    fd = openSync(manifestPath, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
  } catch {
    return undefined;
  }
  try {
    const opened = fstatSync(fd);
    if (!opened.isFile() || opened.size > MAX_MANIFEST_BYTES_FOR_COMMENT) return undefined;
    const buffer = Buffer.allocUnsafe(opened.size);
    let offset = 0;
    while (offset < opened.size) {
      const bytesRead = readSync(fd, buffer, offset, opened.size - offset, offset);
      if (bytesRead === 0) break;
      offset += bytesRead;
    }
    text = buffer.toString('utf8', 0, offset);
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
  // A manifest without the key's text (nor a \u escape that could spell it) has no comment: most are not parsed.
  if (!text.includes('comment') && !text.includes('\\u')) return undefined;
  try {
    const { comment } = parseIntegrityManifest(text, folder);
    return typeof comment === 'string' && comment !== '' ? comment : undefined;
  } catch {
    return undefined; // a damaged manifest is verify's to report; list shows what it can
  }
}

async function requireDirectory(path: string, what: string): Promise<string> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new CofferError(ErrorCode.InvalidArgument, `No ${what} was given.`, { hresult: HRESULT.E_INVALIDARG });
  }
  const absolute = resolve(path);
  // One synchronous stat: the provider is then called in the same turn of the event loop as runList was, so the lists
  // a host starts together reach the provider together (gpmc reads a directory once for the GPO and Starter GPO
  // providers' listings begun in one turn).
  let info: Stats;
  try {
    info = statSync(absolute);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw pathNotFound(absolute, what);
    throw toCofferError(error, absolute);
  }
  if (!info.isDirectory()) {
    throw new CofferError(ErrorCode.NotADirectory, `The ${what} ${absolute} is not a directory.`, {
      hresult: HRESULT.ERROR_DIRECTORY,
      object: absolute,
    });
  }
  return absolute;
}

// biome-ignore lint/suspicious/noExplicitAny: a host holds providers of every option and output type; any is the variance escape hatch
function unsupported(provider: BackupProvider<any, any>, operation: string): CofferError {
  return new CofferError(ErrorCode.UnsupportedOperation, `Provider '${provider.id}' does not support ${operation}.`, {
    hresult: HRESULT.ERROR_NOT_SUPPORTED,
    object: provider.id,
  });
}
