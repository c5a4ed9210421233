import type { StatusMessage } from '@coffer/core';
import type { GpmBackupTypeName } from '../model.js';
import { sameGuid } from '../write/manifest-xml.js';
import { newestFirstOf, visitBackupsOfTypes, type GpmcBackupEntry } from './backup-directory.js';

export interface ListBackupsOfTypeOptions {
  /** A GPO or backup GUID, or text the display name contains (case-insensitive); everything when omitted or blank. */
  query?: string;
  /** Gets a warning (with the entry's code) for each entry of this type left out as damaged. */
  report?: (message: StatusMessage) => void;
  /** Stops the listing once it fires (it rejects with the signal's reason): a directory of 70,000 backups takes seconds. */
  signal?: AbortSignal;
}

/** One caller's listing, filled by a pass over the directory. */
interface Listing {
  type: GpmBackupTypeName;
  take: (entry: GpmcBackupEntry) => void;
  signal: AbortSignal | undefined;
}

/** A pass over one directory that has not begun reading yet, and the listings it will fill. */
interface Pass {
  listings: Listing[];
  done: Promise<void>;
}

/** Passes not begun yet, by directory as given: a call made before its directory's pass begins joins that pass. */
const notBegun = new Map<string, Pass>();

/**
 * The backups of one GPMBackupType in a GPMC backup directory (ours or GPMC's own), newest first: what `list`
 * shows and restore chooses from, for GPOs and Starter GPOs alike. An entry whose folder is gone, renamed,
 * swapped or unreadable is left out (it would point at a path that does not hold it) and reported.
 *
 * Calls for the same directory made in the same turn of the event loop (`coffer list` asks the GPO and the Starter GPO
 * providers at once) share one read of it: every backup folder is read once, its type found once, and each call gets
 * the entries of its own type. The pass begins reading only after that turn, so each call still sees the directory
 * as it is after the call was made; a later call reads it again.
 */
export async function listBackupsOfType(
  directory: string,
  type: GpmBackupTypeName,
  options: ListBackupsOfTypeOptions = {},
): Promise<GpmcBackupEntry[]> {
  const query = options.query?.trim() ?? '';
  const wanted = query.toLocaleLowerCase();
  const listed: GpmcBackupEntry[] = [];
  // What the order needs of each entry (newestFirstOf's keys), kept beside it so the sort makes no Date calls.
  const times: number[] = [];
  const ids: string[] = [];
  const pass = passOver(directory);
  // A second listing of the same type in the pass gets its own copies: a caller may change what it is given.
  const copy = pass.listings.some((other) => other.type === type);
  pass.listings.push({
    type,
    signal: options.signal,
    take: (entry) => {
      if (
        query !== '' &&
        !entry.displayName.toLocaleLowerCase().includes(wanted) &&
        !sameGuid(entry.gpoGuid, query) &&
        !sameGuid(entry.id, query)
      )
        return;
      if (entry.problem) {
        options.report?.({
          severity: 'warning',
          code: entry.problem.code,
          message: `${entry.problem.message} Not listed.`,
          object: entry.folder,
        });
        return;
      }
      listed.push(copy ? { ...entry } : entry);
      times.push(entry.backupTime?.getTime() ?? Number.NEGATIVE_INFINITY);
      ids.push(entry.id);
    },
  });
  await pass.done.catch((error: unknown) => {
    options.signal?.throwIfAborted();
    throw error;
  });
  options.signal?.throwIfAborted();
  const order = listed.map((_, i) => i);
  order.sort((i, j) => newestFirstOf(times[i]!, ids[i]!, times[j]!, ids[j]!));
  return order.map((i) => listed[i]!);
}

/** The pass of `directory` that has not begun yet, or a new one, begun once this turn of the event loop ends. */
function passOver(directory: string): Pass {
  const waiting = notBegun.get(directory);
  if (waiting !== undefined) return waiting;
  const listings: Listing[] = [];
  const done = (async () => {
    await new Promise<void>((resolve) => setImmediate(resolve));
    notBegun.delete(directory);
    // Only the entries of the types asked for are kept: a directory of 70,000 backups is read a piece at a time.
    await visitBackupsOfTypes(
      directory,
      new Set(listings.map((listing) => listing.type)),
      (entry) => {
        for (const listing of listings) if (listing.type === entry.type) listing.take(entry);
      },
      // The pass is shared: it stops only once every listing it reads for has been cancelled.
      () => listings.every((listing) => listing.signal?.aborted === true),
    );
  })();
  const pass = { listings, done };
  notBegun.set(directory, pass);
  return pass;
}
