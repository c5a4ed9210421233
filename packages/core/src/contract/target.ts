/**
 * What a backup writes into: the destination core opened and locked for the run (see
 * BackupRequest.target). The engine's BackupDestination implements it; a provider sees only
 * this, so it cannot skip the lock, the integrity manifest, the comment or the atomic commit.
 */
import type { ManifestFile } from '../engine/integrity-manifest.js';

/**
 * A file's whole content, or its chunks in order, each written and hashed before the next is asked for (so a
 * producer may reuse a chunk's memory once the next one is requested). A chunk may be a list of byte arrays
 * (views into a producer's read buffers), written with one writev instead of being joined first.
 */
export type FileContent = string | Uint8Array | AsyncIterable<Uint8Array | string | readonly Uint8Array[]>;

export interface StageOptions {
  /** What the entry holds (`gpo`, `starter-gpo`, `license-set`). */
  kind: string;
  /** Replace an existing entry of that name at commit (the DRM overwrite flag); otherwise that is ERROR_ALREADY_EXISTS. */
  replace?: boolean;
  /** Facts kept in the integrity manifest beside the checksums (object id, name...). */
  metadata?: Record<string, string | number | boolean>;
}

/** One backup being written, in a private staging folder until core commits it. */
export interface BackupEntry {
  readonly name: string;
  /** Where the entry will be once committed. */
  readonly finalPath: string;
  /** Creates a folder (and its parents) inside the entry; empty folders are recorded in the manifest too. */
  mkdir(relativePath: string): Promise<void>;
  /** Writes a new file inside the entry (`a/b` or `a\\b`; nothing may escape the entry), returning its size and SHA-256. */
  writeFile(relativePath: string, content: FileContent, options?: { mode?: number }): Promise<ManifestFile>;
  /**
   * Writes the integrity manifest now (otherwise the commit does): nothing more may be written.
   * `indexRecord` is what the provider's {@link IndexMaintainer} lists for this entry, so it need not read it back.
   */
  seal(indexRecord?: unknown): Promise<void>;
  /** Leaves this entry out (a GPO that could not be read): its staging folder is removed and it is never committed. */
  discard(): Promise<void>;
}

export interface BackupTarget {
  /** Absolute path of the destination directory. */
  readonly path: string;
  /** Whether a committed entry (file or folder) of that name exists. */
  has(name: string): Promise<boolean>;
  /** Starts a new entry. */
  stage(name: string, options: StageOptions): Promise<BackupEntry>;
  /**
   * Commits staged entries together (default: every entry staged and not yet committed). Optional:
   * when `backup()` returns, core commits whatever is still staged. Cancellation is honoured up to
   * the commit point; after it the commit completes (or is completed by the next run after a crash).
   */
  commit(entries?: readonly BackupEntry[]): Promise<CommittedEntry[]>;
}

export interface CommittedEntry {
  name: string;
  path: string;
  /** What the provider passed to {@link BackupEntry.seal}; absent when crash recovery replays a commit. */
  indexEntry?: unknown;
}

/**
 * A file at the destination's root that indexes its backups (GPMC's manifest.xml).
 * `update` must be idempotent for entries it already lists: after a crash, recovery
 * replays it for every entry of the interrupted commit. An entry carries the provider's
 * index record when the commit is this process's own; a replayed one does not, and the
 * maintainer then reads what it needs from the committed entry's files.
 */
export interface IndexMaintainer {
  fileName: string;
  update(current: Buffer | null, added: CommittedEntry[]): Promise<string | Uint8Array> | string | Uint8Array;
}
