import { CofferError, HRESULT, invalidArgument } from '@coffer/core';
import { AdErrorCode } from '../errors.js';

export type SysvolEntryKind = 'file' | 'directory';

/** One file or folder below the path that was listed; `path` is relative to it, `/`-separated, names exactly as stored. */
export interface SysvolEntry {
  path: string;
  kind: SysvolEntryKind;
  /** Bytes for files, 0 for folders. */
  size: number;
  /**
   * Last write time in whole seconds since 1970 (UTC), where the transport gives it: smbclient's tar headers and
   * listings carry seconds, so a local stat is cut to seconds too and the two compare alike.
   */
  mtime?: number;
}

/**
 * An entry of {@link SysvolSource.readTree}. `content` streams a file's bytes; read it (or ignore it) before asking
 * for the next entry: the whole tree arrives in one pass, so a skipped file is drained, not kept.
 */
export interface SysvolTreeEntry extends SysvolEntry {
  content: AsyncIterable<Uint8Array> | null;
}

export interface ReadTreeOptions {
  /**
   * Only these entries of `path` (names of its children, one path component each) and what is below them, paths still
   * relative to `path`, each child's entries together; a name that is not there is left out. Over SMB the named
   * folders travel in one transfer (per 500 names) instead of a session each: a few GPOs of a large Policies folder.
   */
  only?: readonly string[];
}

export interface StatTreeOptions {
  /**
   * Over SMB, list with up to this many sessions at once (default 1), each over a disjoint set of `path`'s own
   * entries: smbd serves each connection in a process of its own, and a listing is one round trip after another, so
   * the sessions overlap their waits and use more than one core on either side. Each top-level entry's subtree is
   * listed by one session, so entries still come parents first. Ignored by a local source.
   */
  sessions?: number;
}

/** What {@link SysvolSource.writeTree} puts below its target folder. Streamed content needs `size`. */
export interface SysvolWriteEntry {
  path: string;
  kind: SysvolEntryKind;
  content?: Uint8Array | AsyncIterable<Uint8Array>;
  size?: number;
}

/**
 * SYSVOL, however it is reached. Paths are relative to the share root (`<dns domain>/Policies/{GUID}`),
 * with `/` (a `\` is accepted too). Entries come parents-first.
 */
export interface SysvolSource {
  /** Where the data comes from, for messages: `smb://dc1.example.com/sysvol` or a local folder. */
  readonly location: string;
  exists(path: string): Promise<boolean>;
  /** Every file and folder below `path` (not `path` itself). */
  listTree(path: string): AsyncIterable<SysvolEntry>;
  /**
   * Every file and folder below `path` with size and {@link SysvolEntry.mtime}, no content read: a cheap fingerprint
   * of a folder (smbclient `recurse ON; ls`, a local stat walk). See gpt-listing.ts for what the SMB listing loses.
   */
  statTree(path: string, options?: StatTreeOptions): Promise<SysvolEntry[]>;
  /** Every file and folder below `path` with file contents, in one streamed pass. */
  readTree(path: string, options?: ReadTreeOptions): AsyncIterable<SysvolTreeEntry>;
  readFile(path: string): Promise<Buffer>;
  /**
   * Reads many small files in one pass (over SMB one tar transfer, however many files): by the path as asked.
   * A path that does not exist is absent from the map; any other failure fails the call.
   */
  readFiles(paths: readonly string[]): Promise<Map<string, Buffer>>;
  /** The NT ACL of a file or folder as SDDL. */
  readAcl(path: string): Promise<string>;
  /** Creates `path` (and parents) and writes the entries below it; existing files are overwritten. */
  writeTree(path: string, entries: Iterable<SysvolWriteEntry> | AsyncIterable<SysvolWriteEntry>): Promise<void>;
  /** Removes `path` and everything below it. Missing paths fail unless `missingOk`. */
  removeTree(path: string, options?: { missingOk?: boolean }): Promise<void>;
  /**
   * Replaces the NT ACL of `path` with the given SDDL, its ACEs stored in the order given (a restore gives back a
   * descriptor as it was backed up). Locally through `samba-tool ntacl set`; over SMB through Samba's Python
   * bindings, or, where those are not installed, smbcacls, which stores the ACEs in canonical order (the smbclient
   * source then reports `ACL_ORDER_CANONICAL` once).
   */
  writeAcl(path: string, sddl: string): Promise<void>;
  /**
   * Renames a file or folder within SYSVOL; `to` must not exist yet. One rename is atomic on the server, which
   * makes it the commit point of a staged write: a folder is written beside its final place, then renamed into it.
   * Refusals are `SYSVOL_RENAME_FAILED` (ERROR_SHARING_VIOLATION when a file below is held open, ERROR_ALREADY_EXISTS
   * when `to` exists).
   */
  rename(from: string, to: string): Promise<void>;
  /** Releases what the source holds (the smbclient auth file). */
  close(): Promise<void>;
}

/** `a\b/c/` → `a/b/c`; refuses `..` so nothing escapes the share. */
export function normalizeSysvolPath(path: string): string {
  const parts = path
    .replace(/\\/g, '/')
    .split('/')
    .filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) throw invalidArgument(`SYSVOL path ${path} contains '..'.`, { object: path });
  return parts.join('/');
}

export function joinSysvolPath(...parts: string[]): string {
  return normalizeSysvolPath(parts.filter((p) => p !== '').join('/'));
}

export function sysvolPathNotFound(path: string, location: string, cause?: unknown): CofferError {
  return new CofferError(AdErrorCode.PathNotFound, `The SYSVOL path ${path} does not exist on ${location}.`, {
    hresult: HRESULT.ERROR_PATH_NOT_FOUND,
    object: path,
    hint: 'Check the GPO GUID and the domain folder name; the GPO may have been deleted or SYSVOL not replicated yet.',
    cause,
  });
}

/**
 * A rename SYSVOL refused: `open` when a file below `from` is held open (Samba and Windows refuse to rename a
 * folder then, with SHARING_VIOLATION or ACCESS_DENIED), `exists` when `to` is taken.
 */
export function sysvolRenameRefused(
  from: string,
  to: string,
  location: string,
  reason: 'open' | 'exists',
  detail: string,
  cause?: unknown,
): CofferError {
  return new CofferError(AdErrorCode.RenameFailed, `Renaming ${from} to ${to} on ${location} failed: ${detail}.`, {
    hresult: reason === 'open' ? HRESULT.ERROR_SHARING_VIOLATION : HRESULT.ERROR_ALREADY_EXISTS,
    object: from,
    hint:
      reason === 'open'
        ? 'A client or another tool may hold a file of the folder open; retry in a moment, or check the account may write SYSVOL.'
        : `Something named ${to} is already there; move it away first.`,
    cause,
  });
}

/** Collects an async byte stream into one Buffer. */
export async function collectBytes(content: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}
