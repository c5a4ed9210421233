/**
 * What a reader may see of a backup directory: its committed entries only.
 *
 * A commit renames its entries into place one by one (hundreds for a GPO backup), under a journal
 * that names them all and that is removed only once every entry is in place and the index is
 * written (see BackupDestination). An entry the journal names is not committed yet, for whoever
 * reads: while a live writer commits, or after it was killed mid-commit and until the next writer
 * rolls the commit forward. A reader therefore hides the journal's entries — all of them, so a run
 * is seen whole or not at all.
 *
 * Readers take no lock (a backup may run for minutes; listing must not wait for it, and read-only
 * media have no lock to take), so a commit may run while a reader looks. The listing is a double
 * collect: the folder is read, then the journal, then the folder again, and the reading is kept
 * only when both folder reads agree; otherwise it is retried. Why that suffices: every rename of a
 * commit happens while its journal exists. If the journal read finds none, the commit either ended
 * before it (then the first read saw none, some, or all of its entries, and the second, made after
 * the commit, saw all: they agree only if the first saw all), or starts after it (then neither
 * read saw any entry of it from before the journal read, and the second read agrees with the first
 * only if it saw none). If the journal read finds one, its entries are hidden whatever was seen.
 */
import type { Dirent } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { toCofferError } from '../errors/coffer-error.js';
import { DEAD_LOCK_PREFIX, LOCK_NAME } from './lock.js';

/** Every name the engine itself puts in a destination starts with this, so it never collides with a backup. */
export const ENGINE_PREFIX = '.coffer-';
export const STAGING_PREFIX = '.coffer-staging-';
export const OLD_PREFIX = '.coffer-old-';
export const JOURNAL_NAME = '.coffer-journal.json';
/**
 * The journal of a prune (see retention/prune.ts): the backups it removes. Like a commit's journal, its
 * existence is the commit point, and every rename of the prune happens while it exists, so a reader hides
 * what it names the same way: a pruned backup is there whole until the prune commits, then gone for every reader.
 */
export const PRUNE_JOURNAL_NAME = '.coffer-prune.json';
export const PRUNE_JOURNAL_FORMAT = 'coffer-prune-journal';

/** One backup a prune removes, as its journal records it. */
export interface PruneJournalEntry {
  /** The backup's folder name. */
  name: string;
  /** Where it is moved aside (an engine name, hidden from readers) before it is deleted. */
  aside: string;
}

/** One rename of a commit, as the journal records it. */
export interface JournalEntry {
  /** The staging folder's name. */
  staging: string;
  /** The entry's name once committed. */
  name: string;
  /** Where an entry it replaces is moved aside. */
  old: string;
}

export interface CommittedListing {
  /** The directory's committed entries: engine state, the lock and the entries of an unfinished commit left out. */
  entries: Dirent[];
  /**
   * Names of entries an unfinished commit is putting in place (a writer is committing them now, or
   * one was killed while it did and the next backup into the directory finishes it), and of entries
   * an unfinished prune is removing (they are gone from its commit point on). Hidden from
   * `entries`, whether or not they are in place yet; an index file (GPMC's manifest.xml) may list
   * them too, and a reader of the index hides them the same way.
   */
  pending: string[];
}

/** How often the double collect is retried while commits keep changing the folder, before it settles for hiding what is pending. */
const ATTEMPTS = 50;

/** The committed entries of a backup directory; see the module comment for why what it returns is never half a run. */
export async function listCommittedEntries(directory: string): Promise<CommittedListing> {
  // The first read is only compared by name: names alone, not an entry object each (70,000 at 10,000 GPOs × 7).
  let first = await readNames(directory);
  for (let attempt = 1; ; attempt++) {
    const journal = await readJournal(directory);
    const prune = await readPruneJournalNames(directory);
    const second = await readEntries(directory);
    const agreed = sameNames(first, second);
    if (agreed || attempt >= ATTEMPTS) {
      const pending = new Set([...(journal?.map((entry) => entry.name) ?? []), ...prune]);
      const entries = second.filter((entry) => !isEngineName(entry.name) && !pending.has(entry.name));
      return { entries, pending: [...pending] };
    }
    // Another commit is under way: give it a moment (its renames take milliseconds).
    await new Promise((resolve) => setTimeout(resolve, Math.min(attempt, 10) * 2));
    first = second.map((entry) => entry.name);
  }
}

/** Whether a name in a destination is the engine's own (staging, old copies, journal, temp files, the lock). */
export function isEngineName(name: string): boolean {
  return (
    name.startsWith(ENGINE_PREFIX) ||
    name === LOCK_NAME ||
    name.startsWith(`${LOCK_NAME}.`) ||
    // writeFileAtomic's temp file beside its target (`manifest.xml.coffer-<pid>-<random>.tmp`): a run killed between
    // writing it and renaming it over the index leaves one, which the next run sweeps and no reader may count.
    (name.includes('.coffer-') && name.endsWith('.tmp'))
  );
}

/**
 * The journal of an unfinished commit, or undefined. A journal that does not parse was torn by a
 * crash before it was renamed into place — impossible, since it is written to a temp file first —
 * and is treated as absent, as recovery treats it.
 */
export async function readJournal(directory: string): Promise<JournalEntry[] | undefined> {
  let text: string;
  try {
    text = await readFile(join(directory, JOURNAL_NAME), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
      return undefined;
    throw toCofferError(error, join(directory, JOURNAL_NAME));
  }
  try {
    const entries = (JSON.parse(text) as { entries?: unknown }).entries;
    return Array.isArray(entries) ? (entries as JournalEntry[]) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The names a prune's journal removes, for readers to hide; [] without one. A journal that does not parse
 * is hidden-nothing here: the prune that finds it refuses to go on (PRUNE_JOURNAL_INVALID) rather than guess.
 */
async function readPruneJournalNames(directory: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(join(directory, PRUNE_JOURNAL_NAME), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
      return [];
    throw toCofferError(error, join(directory, PRUNE_JOURNAL_NAME));
  }
  try {
    const remove = (JSON.parse(text) as { remove?: unknown }).remove;
    if (!Array.isArray(remove)) return [];
    return remove.map((entry) => (entry as { name?: unknown })?.name).filter((name) => typeof name === 'string');
  } catch {
    return [];
  }
}

async function readEntries(directory: string): Promise<Dirent[]> {
  try {
    return await readdir(directory, { withFileTypes: true });
  } catch (error) {
    throw toCofferError(error, directory);
  }
}

async function readNames(directory: string): Promise<string[]> {
  try {
    return await readdir(directory);
  } catch (error) {
    throw toCofferError(error, directory);
  }
}

function sameNames(a: string[], b: Dirent[]): boolean {
  if (a.length !== b.length) return false;
  // Two reads of an unchanged folder list it in the same order: compared in order first, as a set only when not.
  if (b.every((entry, i) => entry.name === a[i])) return true;
  const names = new Set(a);
  return b.every((entry) => names.has(entry.name));
}

/**
 * Removes what a killed run left half-written in a directory: staging and old copies, a dead lock moved aside, and
 * writeFileAtomic's temp files (an index killed between its write and its rename). Only under the directory's lock,
 * once any interrupted commit or prune is finished (their journals name the staging and old folders they still need):
 * every run that writes (a backup, a prune) sweeps, so none waits for a run of the other kind to clean up.
 */
export async function removeEngineLeftovers(directory: string): Promise<void> {
  for (const name of await readdir(directory)) {
    const leftover =
      name.startsWith(STAGING_PREFIX) ||
      name.startsWith(OLD_PREFIX) ||
      name.startsWith(DEAD_LOCK_PREFIX) ||
      (name.includes('.coffer-') && name.endsWith('.tmp'));
    if (leftover) await rm(join(directory, name), { recursive: true, force: true });
  }
}
