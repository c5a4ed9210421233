/**
 * `--changed`: which Starter GPOs differ from their newest backup in the destination, through gpmc's change
 * detection (shared with the GPO provider). A Starter GPO has no Active Directory object: it is its SYSVOL folder,
 * so its state is that folder as a backup keeps it — every file and folder (names exact, case included) with each
 * file's bytes, the folder's name, and the folder's ACL (SDDL as read). The template's versions live in
 * StarterGPO.tmplx, so a version raised without any other edit is a change of that file.
 *
 * The backup already holds every file of the folder in memory (read-starter-gpos.ts), so nothing is decided on
 * sizes and write times: the state is recorded without times, which makes gpmc compare every file by its SHA-256
 * against the newest backup's integrity manifest, reading the live bytes from memory. An edit that keeps a file's
 * size and write time (a `touch -d` after it) is still found.
 */
import {
  CHANGE_STATE_FILE,
  CHANGE_STATE_FORMAT,
  detectChanges,
  digestFacts,
  recordListing,
  renderChangeState,
  type ChangeDecision,
  type ListedEntry,
} from '@coffer/gpmc';
import type { StarterGpoFolder } from '../sysvol/read-starter-gpos.js';
import { SYSVOL_COPY_FOLDER } from './layout.js';

export { CHANGE_STATE_FILE };

/** The state besides the folder's files: its name and its ACL (null when the ACL could not be read: then so again). */
function factsDigest(folder: StarterGpoFolder): string {
  return digestFacts({ folderName: folder.snapshot.folderName, acl: folder.snapshot.acl?.sddl ?? null });
}

/** The folder's entries as gpmc's change state lists them, without write times (the content decides). */
function listingOf(folder: StarterGpoFolder): ListedEntry[] {
  return folder.snapshot.entries.map((entry) =>
    entry.kind === 'dir'
      ? { path: entry.path, kind: 'directory', size: 0 }
      : { path: entry.path, kind: 'file', size: folder.contents.get(entry.path)?.length ?? 0 },
  );
}

/** The change state file every Starter GPO backup holds (covered by its integrity manifest), for later `--changed` runs. */
export function renderStarterGpoChangeState(folder: StarterGpoFolder, readStartedAt: Date): string {
  return renderChangeState({
    format: CHANGE_STATE_FORMAT,
    version: 1,
    objectId: folder.snapshot.id,
    adDigest: factsDigest(folder),
    readStartedAt: readStartedAt.toISOString(),
    contentRoot: SYSVOL_COPY_FOLDER,
    listing: recordListing(listingOf(folder)),
  });
}

/**
 * For each Starter GPO, whether it differs from its newest backup of `domain` in `directory`: no backup yet, a
 * newest backup that fails verification or holds no change state (PREVIOUS_BACKUP_UNUSABLE), another folder name or
 * ACL, or a file added, removed, renamed or with other bytes. Decisions come in the order of `folders`.
 */
export async function detectChangedStarterGpos(
  folders: readonly StarterGpoFolder[],
  options: { directory: string; domain: string; signal?: AbortSignal },
): Promise<ChangeDecision[]> {
  const byId = new Map(folders.map((folder) => [folder.snapshot.id, folder]));
  const decisions = await detectChanges(
    folders.map((folder) => ({ id: folder.snapshot.id, adDigest: factsDigest(folder), listing: listingOf(folder) })),
    {
      directory: options.directory,
      domain: options.domain,
      what: 'Starter GPO',
      ...(options.signal ? { signal: options.signal } : {}),
      // Already read whole: the bytes are in memory.
      readFiles: async (id, paths) => {
        const contents = byId.get(id)?.contents;
        const found = new Map<string, Buffer>();
        for (const path of paths) {
          const bytes = contents?.get(path);
          if (bytes !== undefined) found.set(path, bytes);
        }
        return found;
      },
    },
  );
  // gpmc's "directory-side facts" are, for a folder with no AD object, its name and ACL: a SYSVOL change too.
  return decisions.map((decision) =>
    decision.code === 'AD_STATE_CHANGED'
      ? {
          ...decision,
          code: 'SYSVOL_CHANGED',
          reason: 'the name or the permissions of its folder differ from its newest backup',
        }
      : decision,
  );
}
