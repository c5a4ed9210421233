import type { SysvolEntry } from '@coffer/active-directory';
import { CofferError, type OperationContext } from '@coffer/core';
import { type ChangeCandidate, detectChanges, type ListedEntry, loadPreviousStates } from '@coffer/gpmc';
import type { DomainSession } from '../ad/domain-session.js';
import type { GpoContainer } from '../ad/read-gpos.js';
import { parseGpcWqlFilter } from '../ad/wmi-filter.js';
import type { GpoLinkRecord, WmiFilterRecord } from '../extras/gpo-extras.js';
import { gpoAdDigest, isStateEntry, listedEntry } from './gpo-state.js';
import { splitPassPath } from './gpt-routing.js';

/** From this many GPOs on, their folders are listed with one listing of Policies rather than one each. */
const ONE_LISTING_THRESHOLD = 8;
/**
 * smbclient sessions that list Policies at once, each over its own GPO folders. The listing is one round trip after
 * another (four per folder), each costing smbclient and the DC's smbd some CPU, so one session leaves a core idle
 * while the other works. Measured on 2 cores at 1,000 GPOs (load about 7): 1.7–2.3 s in two sessions against
 * 2.0–2.9 s in one; on a saturated machine (load 14, 10,000 GPOs) the same 32 s either way, for up to 15% more CPU
 * (the first listing of names and each pattern's own round trips).
 */
export const LISTING_SESSIONS = 2;

/** The Policies folder's listing for `--changed`, started before the GPOs are read from AD so the two overlap. */
export class EarlyListing {
  readonly path: string;
  readonly #entries: Promise<SysvolEntry[]>;

  constructor(session: DomainSession, path: string) {
    this.path = path;
    this.#entries = session.sysvol.statTree(path, { sessions: LISTING_SESSIONS });
    // Kept for whoever takes it; a run that never does (it failed first) must not die of an unhandled rejection.
    this.#entries.catch(() => undefined);
  }

  entries(): Promise<SysvolEntry[]> {
    return this.#entries;
  }
}

export interface ChangedSelection {
  /** The GPOs to back up (changed, or not vouched for by their newest backup). */
  changed: GpoContainer[];
  /** How many were found unchanged (each reported with a GPO_UNCHANGED info message). */
  unchanged: number;
}

/**
 * `--changed`: keeps the GPOs whose state differs from their newest backup in `directory` (gpmc's detectChanges; what
 * counts is in the README, "What counts as a change"). Each GPO's SYSVOL folder is listed without reading it; only
 * files the listing cannot settle are read (one transfer per GPO) and compared by hash. Every GPO left out gets an
 * info `GPO_UNCHANGED`, every GPO kept an info `GPO_CHANGED` saying why, and one whose newest backup cannot vouch for
 * it (damaged, unverifiable, without change state) a `PREVIOUS_BACKUP_UNUSABLE` warning. Progress: one unit per GPO.
 */
export async function selectChangedGpos(
  session: DomainSession,
  gpos: readonly GpoContainer[],
  links: Map<string, GpoLinkRecord[]>,
  wmiFilters: Map<string, WmiFilterRecord>,
  directory: string,
  context: OperationContext,
  early: EarlyListing | null = null,
): Promise<ChangedSelection> {
  // The newest backups are verified (local reads and hashing) while SYSVOL is listed (waits on the DC).
  const previous = loadPreviousStates(
    gpos.map((gpo) => gpo.id),
    { directory, domain: session.dnsDomain, signal: context.signal },
  );
  previous.catch(() => undefined);
  const listings = await listGpoFolders(session, gpos, context, early);
  const candidates: ChangeCandidate[] = gpos.map((gpo) => ({
    id: gpo.id,
    adDigest: gpoAdDigest(gpo, links.get(gpo.id.toUpperCase()) ?? [], linkedFilter(gpo, wmiFilters)),
    listing: listings.get(gpo.id.toUpperCase()) ?? null,
  }));
  const byId = new Map(gpos.map((gpo) => [gpo.id.toUpperCase(), gpo]));
  const decisions = await detectChanges(candidates, {
    directory,
    domain: session.dnsDomain,
    previous,
    readFiles: async (id, paths) => (await readLive(session, byId, [{ id, paths }])).get(id) ?? new Map(),
    // Every GPO's files in one call: over SMB one tar transfer (per 500 names), not one per GPO.
    readAllFiles: (requests) => readLive(session, byId, requests),
    signal: context.signal,
  });
  const changed: GpoContainer[] = [];
  let unchanged = 0;
  for (const decision of decisions) {
    const gpo = byId.get(decision.id.toUpperCase())!;
    const object = `${gpo.displayName} ${gpo.id}`;
    if (!decision.changed) {
      unchanged += 1;
      context.report({
        severity: 'info',
        code: 'GPO_UNCHANGED',
        message: `GPO ${gpo.displayName} was not backed up: ${decision.reason}.`,
        object,
      });
    } else {
      changed.push(gpo);
      context.report(
        decision.code === 'PREVIOUS_BACKUP_UNUSABLE'
          ? {
              severity: 'warning',
              code: 'PREVIOUS_BACKUP_UNUSABLE',
              message: `GPO ${gpo.displayName}: ${decision.reason}.`,
              object,
            }
          : {
              severity: 'info',
              code: 'GPO_CHANGED',
              message: `GPO ${gpo.displayName} is backed up: ${decision.reason}.`,
              object,
            },
      );
    }
    context.progress.advance(gpo.displayName);
  }
  return { changed, unchanged };
}

/** Live SYSVOL content of files named relative to their GPO's folder, by GPO id then path (missing files left out). */
async function readLive(
  session: DomainSession,
  byId: Map<string, GpoContainer>,
  requests: Array<{ id: string; paths: string[] }>,
): Promise<Map<string, Map<string, Buffer>>> {
  const full = (id: string, path: string) => `${byId.get(id.toUpperCase())!.sysvolPath}/${path}`;
  const found = await session.sysvol.readFiles(requests.flatMap(({ id, paths }) => paths.map((p) => full(id, p))));
  return new Map(
    requests.map(({ id, paths }) => [
      id,
      new Map(
        paths.flatMap((path) => (found.has(full(id, path)) ? [[path, found.get(full(id, path))!] as const] : [])),
      ),
    ]),
  );
}

function linkedFilter(gpo: GpoContainer, wmiFilters: Map<string, WmiFilterRecord>): WmiFilterRecord | null {
  const link = parseGpcWqlFilter(gpo.wqlFilter);
  return link ? (wmiFilters.get(link.id.toUpperCase()) ?? null) : null;
}

/**
 * Each GPO's folder listed (names, sizes, times), by GPO GUID upper-cased; a GPO whose folder is not there has no
 * entry. Many GPOs: one listing per Policies folder ({@link LISTING_SESSIONS} sessions at once; the early one when it
 * is of that folder); a few: one per GPO.
 */
async function listGpoFolders(
  session: DomainSession,
  gpos: readonly GpoContainer[],
  context: OperationContext,
  early: EarlyListing | null,
): Promise<Map<string, ListedEntry[]>> {
  const listings = new Map<string, ListedEntry[]>();
  const wanted = new Set(gpos.map((gpo) => folderOf(gpo)));
  const add = (key: string, inner: string, entry: SysvolEntry) => {
    let listing = listings.get(key);
    if (!listing) listings.set(key, (listing = []));
    if (isStateEntry(inner)) listing.push(listedEntry(inner, entry));
  };
  if (gpos.length >= ONE_LISTING_THRESHOLD) {
    const parents = new Set(gpos.map((g) => g.sysvolPath.slice(0, g.sysvolPath.lastIndexOf('/'))));
    for (const parent of parents) {
      context.throwIfCancelled();
      const entries =
        early !== null && early.path.toLowerCase() === parent.toLowerCase()
          ? await early.entries()
          : await session.sysvol.statTree(parent, { sessions: LISTING_SESSIONS });
      for (const entry of entries) {
        const { gpoKey, inner } = splitPassPath(entry.path, false);
        // Two folders whose names differ only in case both land here: their entries clash, which reads as a change.
        if (gpoKey !== null && wanted.has(gpoKey)) add(gpoKey, inner, entry);
      }
    }
  } else {
    for (const gpo of gpos) {
      context.throwIfCancelled();
      let entries: SysvolEntry[];
      try {
        entries = await session.sysvol.statTree(gpo.sysvolPath);
      } catch (error) {
        // A folder that is not there is for the backup to report (GPT_NOT_FOUND); anything else stops the run.
        if (error instanceof CofferError && error.code === 'PATH_NOT_FOUND') continue;
        throw error;
      }
      add(folderOf(gpo), '', { path: '', kind: 'directory', size: 0 });
      for (const entry of entries) add(folderOf(gpo), entry.path, entry);
    }
  }
  return new Map(
    [...gpos].flatMap((gpo) => {
      const listing = listings.get(folderOf(gpo));
      return listing ? [[gpo.id.toUpperCase(), listing] as const] : [];
    }),
  );
}

/** The folder name a GPO's SYSVOL half has (`{GUID}`), upper-cased as splitPassPath gives it. */
function folderOf(gpo: GpoContainer): string {
  return gpo.sysvolPath.slice(gpo.sysvolPath.lastIndexOf('/') + 1).toUpperCase();
}
