/**
 * The one way Coffer reads a backup back: restore, import, list and verify all go through here.
 *
 * A backup folder is untrusted input. Anyone who can write to the backup share can plant a symlink
 * (`DomainSysvol/GPO -> /root`), a `..` or drive path in Backup.xml, a sparse 1 TiB file, or an XML
 * document with a DOCTYPE. Restore then writes what it read into a live domain, with the rights of a
 * domain admin. So: every path is resolved inside the backup's root, component by component with lstat
 * (a symlink or junction anywhere is refused, not followed), files are opened with O_NOFOLLOW and the
 * opened descriptor is checked to still be inside the root, sizes are bounded before anything is read
 * into memory, and XML with a DOCTYPE is refused before any parser sees it.
 *
 * The checks, walks and whole-file reads use synchronous system calls behind the async methods: a backup is
 * thousands of small files read one after another, and a round trip through libuv's thread pool per call costs more
 * than the call (3,836 small files with lstat/open/fstat/readlink/read/close: ~290 ms synchronous, 550-1,200 ms
 * through fs/promises, on a 2-core machine where `cat` of them all takes ~300 ms). Streams stay asynchronous.
 */
import {
  closeSync,
  constants,
  createReadStream,
  fstatSync,
  lstatSync,
  openSync,
  readdirSync,
  readlinkSync,
  readSync,
  realpathSync,
  type Dirent,
  type ReadStream,
  type Stats,
} from 'node:fs';
import { open, readlink } from 'node:fs/promises';
import { isAbsolute, join, sep } from 'node:path';
import { CofferError, ErrorCode, toCofferError } from '../errors/coffer-error.js';
import { HRESULT } from '../errors/hresult.js';

/** Bounds on what is read from a backup into memory. Files streamed to their target are bounded by {@link BACKUP_READ_LIMITS.maxFileBytes}. */
export const BACKUP_READ_LIMITS = {
  /** Any one file of a backup. A GPT's largest real files (ADMX-era registry.pol, scripts) are a few MiB. */
  maxFileBytes: 256 * 1024 * 1024,
  /** Any XML document Coffer parses (Backup.xml of a GPO with thousands of settings is under 2 MiB). */
  maxXmlBytes: 16 * 1024 * 1024,
  /** Entries one walk visits, so a folder bomb cannot exhaust memory. */
  maxEntries: 200_000,
  /** Folder depth one walk descends. */
  maxDepth: 64,
} as const;

/**
 * What a directory's index (GPMC's manifest.xml) may hold per backup folder beside it: a real `<BackupInst>` is
 * ~500 bytes (three GUIDs, a domain and DC name, a time, a display name, a comment); 2 KiB leaves room for long
 * names and comments, and {@link BACKUP_READ_LIMITS.maxXmlBytes} on top is the slack for a few very long ones.
 */
const INDEX_BYTES_PER_FOLDER = 2048;

/**
 * The bound on a backup directory's index file holding `folders` backup folders: the index lists one entry per
 * folder, so past ~30,000 backups it legitimately outgrows the 16 MiB bound of any other XML file (70,000 backups
 * write 36 MB). It grows with what the directory can need, never further: a hostile index bigger than its folders
 * justify is still refused (BACKUP_FILE_TOO_LARGE) before it is parsed.
 */
export function backupIndexByteLimit(folders: number): number {
  return BACKUP_READ_LIMITS.maxXmlBytes + Math.max(0, Math.floor(folders)) * INDEX_BYTES_PER_FOLDER;
}

/** A path inside a backup: `/`-separated, relative, no `.`/`..`, no drive, no UNC, no NUL. Throws BACKUP_PATH_INVALID. */
export function checkBackupRelativePath(path: string, root?: string): string[] {
  const refuse = (why: string): CofferError =>
    new CofferError(
      ErrorCode.BackupPathInvalid,
      `The backup names the path ${JSON.stringify(path)}, which ${why}. Nothing was read from it.`,
      {
        hresult: HRESULT.ERROR_BAD_PATHNAME,
        object: root === undefined ? path : `${root} (${path})`,
        hint: 'The backup was edited to point outside itself; do not restore it.',
      },
    );
  if (path.includes('\0')) throw refuse('contains a NUL character');
  // Every path of every file read goes through here: the checks that need a ':' or a '\\' run only when there is one.
  const colon = path.includes(':');
  if (colon && /^[A-Za-z]:/.test(path)) throw refuse('is a drive path');
  if (/^[\\/]/.test(path) || isAbsolute(path)) throw refuse('is absolute (or a \\\\server share)');
  const parts = (path.includes('\\') ? path.split(/[\\/]+/) : path.split('/')).filter((part) => part !== '');
  if (parts.some((part) => part === '..' || part === '.')) throw refuse('climbs out with ".."');
  if (colon && parts.some((part) => part.includes(':'))) throw refuse('names an alternate data stream or device');
  return parts;
}

/**
 * A name inside a folder path: names from {@link checkBackupRelativePath} or a folder listing hold no separator and
 * are never `.`, `..` or empty, and the folder is a real path, so concatenation is what path.join returns (without
 * its normalising pass, which ran for every component of every file a report reads).
 */
function childPath(folder: string, name: string): string {
  return folder.endsWith(sep) ? `${folder}${name}` : `${folder}${sep}${name}`;
}

/** `root` and checked parts joined (see {@link childPath}). */
function joinChecked(root: string, parts: readonly string[]): string {
  let path = root;
  for (const part of parts) path = childPath(path, part);
  return path;
}

/** How many checked folders one reader remembers (see {@link BackupReader.checkedFolders}). */
const CHECKED_FOLDERS_KEPT = 4096;

export type BackupEntryKind = 'file' | 'directory';

export interface BackupTreeEntry {
  /** `/`-separated, relative to the walked folder. */
  path: string;
  kind: BackupEntryKind;
  size: number;
}

/** Something in a backup tree that is not a plain file or folder: refused by restore, reported by verify. */
export interface BackupTreeAnomaly {
  path: string;
  kind: 'symlink' | 'special' | 'too-large' | 'too-many';
  detail: string;
}

export interface BackupTree {
  entries: BackupTreeEntry[];
  anomalies: BackupTreeAnomaly[];
}

export interface ReadOptions {
  /** Refuse (BACKUP_FILE_TOO_LARGE) a file larger than this; default {@link BACKUP_READ_LIMITS.maxFileBytes}. */
  maxBytes?: number;
}

/**
 * A backup folder opened for reading. `root` is the real path of the folder the user named (the user may
 * reach it through a symlink of their own); nothing below it may be a symlink.
 */
export class BackupReader {
  /** The folder as named. */
  readonly folder: string;
  /** Its real path. */
  readonly root: string;

  /**
   * Folders (relative, `/`-joined) already lstat'ed as real folders by this reader. A backup is read file by file
   * down the same few folders, so each folder is checked once, not once per file below it. A folder swapped for a
   * link after its check is still caught where it matters: every read opens with O_NOFOLLOW and refuses a
   * descriptor whose real path is not the path it named, and {@link walk} checks its start without this cache.
   * (Only {@link lstat}'s answer may then describe what the link points at; nothing is read through it.)
   */
  private readonly checkedFolders = new Set<string>();

  private constructor(folder: string, root: string) {
    this.folder = folder;
    this.root = root;
  }

  static async open(folder: string): Promise<BackupReader> {
    let root: string;
    try {
      root = realpathSync.native(folder);
    } catch (error) {
      throw toCofferError(error, folder);
    }
    const info = lstatSync(root);
    if (!info.isDirectory()) {
      throw new CofferError(ErrorCode.NotADirectory, `${folder} is not a backup folder.`, {
        hresult: HRESULT.ERROR_DIRECTORY,
        object: folder,
      });
    }
    return new BackupReader(folder, root);
  }

  /** The absolute path of `relative`, after its text is checked (nothing on disk is looked at). */
  pathOf(relative: string): string {
    const parts = checkBackupRelativePath(relative, this.folder);
    return joinChecked(this.root, parts);
  }

  /**
   * lstat of `relative`, every component checked: a symlink (or junction, which Node reports as one) anywhere
   * on the way is BACKUP_PATH_ESCAPES. Null when it does not exist.
   */
  async lstat(relative: string): Promise<Stats | null> {
    return this.checkedLstat(checkBackupRelativePath(relative, this.folder), true);
  }

  /** lstat of `parts` under the root, each component checked; with `cached`, folders this reader checked already are not checked again. */
  private checkedLstat(parts: readonly string[], cached: boolean): Stats | null {
    let current = this.root;
    let info: Stats | null = null;
    let prefix = '';
    for (let i = 0; i < parts.length; i++) {
      current = childPath(current, parts[i]!);
      prefix = i === 0 ? parts[0]! : `${prefix}/${parts[i]!}`;
      if (cached && i < parts.length - 1 && this.checkedFolders.has(prefix)) continue;
      try {
        // A missing name answers undefined rather than an exception built and thrown (optional files are common).
        const found = lstatSync(current, { throwIfNoEntry: false });
        if (found === undefined) return null;
        info = found;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return null;
        throw toCofferError(error, current);
      }
      if (info.isSymbolicLink())
        throw escapes(this.folder, parts.slice(0, i + 1).join('/'), 'is a symbolic link (or junction)');
      if (!info.isDirectory()) {
        if (i < parts.length - 1) return null;
      } else {
        // Bounded: a reader of a whole backup directory (gpmc's listing reads one file in each of 70,000 folders) would
        // otherwise keep every folder it passed; past the bound, further folders are checked each time.
        if (this.checkedFolders.size < CHECKED_FOLDERS_KEPT) this.checkedFolders.add(prefix);
      }
    }
    return parts.length === 0 ? lstatSync(this.root) : info;
  }

  /** Whether `relative` is a plain file (a symlink on the way is refused, not followed). */
  async isFile(relative: string): Promise<boolean> {
    return (await this.lstat(relative))?.isFile() ?? false;
  }

  async isDirectory(relative: string): Promise<boolean> {
    return (await this.lstat(relative))?.isDirectory() ?? false;
  }

  /**
   * Opens a plain file inside the backup: components checked, O_NOFOLLOW on the last one, the descriptor's
   * real path checked to be inside the root (closing the race between the check and the open), its size
   * bounded. The caller closes the handle.
   */
  async openFile(
    relative: string,
    options: ReadOptions = {},
  ): Promise<{ handle: import('node:fs/promises').FileHandle; size: number; path: string }> {
    const parts = checkBackupRelativePath(relative, this.folder);
    const path = joinChecked(this.root, parts);
    // The folders on the way are checked once per reader; the file itself every time, before it is opened (a device
    // or FIFO planted in a backup is never opened at all).
    const info = this.checkedLstat(parts, true);
    if (info === null) throw missing(this.folder, relative, path);
    if (!info.isFile()) throw escapes(this.folder, relative, 'is not a plain file');
    let handle;
    try {
      handle = await open(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw escapes(this.folder, relative, 'became a symbolic link');
      throw toCofferError(error, path);
    }
    try {
      const opened = await handle.stat();
      if (!opened.isFile()) throw escapes(this.folder, relative, 'is not a plain file');
      this.checkDescriptorPath(handle.fd, relative, path);
      const max = options.maxBytes ?? BACKUP_READ_LIMITS.maxFileBytes;
      if (opened.size > max) throw tooLarge(this.folder, relative, opened.size, max);
      return { handle, size: opened.size, path };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** A whole file, bounded. */
  async readFile(relative: string, options: ReadOptions = {}): Promise<Buffer> {
    return this.readWhole(relative, options, false)!;
  }

  /** The file if it exists (null otherwise); every other refusal still throws. */
  async readOptional(relative: string, options: ReadOptions = {}): Promise<Buffer | null> {
    return this.readWhole(relative, options, true);
  }

  /** {@link openFile}'s checks, synchronously, then the whole file; null for a missing file when `optional`. */
  private readWhole(relative: string, options: ReadOptions, optional: boolean): Buffer | null {
    const parts = checkBackupRelativePath(relative, this.folder);
    const path = joinChecked(this.root, parts);
    const info = this.checkedLstat(parts, true);
    if (info === null) {
      if (optional) return null;
      throw missing(this.folder, relative, path);
    }
    if (!info.isFile()) throw escapes(this.folder, relative, 'is not a plain file');
    let fd: number;
    try {
      fd = openSync(path, constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ELOOP')
        throw escapes(this.folder, relative, 'became a symbolic link');
      throw toCofferError(error, path);
    }
    try {
      const opened = fstatSync(fd);
      if (!opened.isFile()) throw escapes(this.folder, relative, 'is not a plain file');
      this.checkDescriptorPath(fd, relative, path);
      const max = options.maxBytes ?? BACKUP_READ_LIMITS.maxFileBytes;
      if (opened.size > max) throw tooLarge(this.folder, relative, opened.size, max);
      const size = opened.size;
      // Not zero-filled, and small files come from Node's pool rather than one allocation each (as fs.readFileSync
      // does): only the bytes read are returned.
      const buffer = Buffer.allocUnsafe(size);
      let offset = 0;
      try {
        while (offset < size) {
          const bytesRead = readSync(fd, buffer, offset, size - offset, offset);
          if (bytesRead === 0) break;
          offset += bytesRead;
        }
      } catch (error) {
        throw toCofferError(error, path);
      }
      // A file that grew after the size check is read only up to its bound.
      return offset === size ? buffer : buffer.subarray(0, offset);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * The descriptor's real path must be the path named: a folder on the way swapped for a link after it was checked
   * (even one pointing elsewhere inside the backup) is refused. Where /proc is missing, nothing more is known.
   */
  private checkDescriptorPath(fd: number, relative: string, path: string): void {
    let real: string;
    try {
      real = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      return;
    }
    if (real !== path)
      throw escapes(
        this.folder,
        relative,
        real.startsWith(this.root + sep)
          ? `resolves to ${real} through a link`
          : `resolves to ${real}, outside the backup`,
      );
  }

  /** An XML document, bounded by {@link BACKUP_READ_LIMITS.maxXmlBytes}; its DOCTYPE is refused by the parsers (see {@link refuseXmlDoctype}). */
  async readXml(relative: string): Promise<Buffer> {
    return this.readFile(relative, { maxBytes: BACKUP_READ_LIMITS.maxXmlBytes });
  }

  /** A stream over a checked, opened file (for content copied on to its target without being held in memory). */
  async createReadStream(relative: string, options: ReadOptions = {}): Promise<{ stream: ReadStream; size: number }> {
    const { handle, size } = await this.openFile(relative, options);
    // The stream reads from the descriptor already checked, never re-opens the path; it stops at the checked size.
    const stream = createReadStream('', {
      fd: handle,
      start: 0,
      ...(size === 0 ? {} : { end: size - 1 }),
    }) as ReadStream;
    return { stream, size };
  }

  /**
   * Every file and folder below `relative` (parents first, names sorted by code unit), never following a
   * symlink. Symlinks, sockets, devices and files over the bound are returned as anomalies, not entries.
   */
  async walk(relative = '', options: ReadOptions = {}): Promise<BackupTree> {
    const entries: BackupTreeEntry[] = [];
    const anomalies: BackupTreeAnomaly[] = [];
    const max = options.maxBytes ?? BACKUP_READ_LIMITS.maxFileBytes;
    // Uncached: readdir follows links, so every folder from the root down to the start is checked now.
    const startParts = checkBackupRelativePath(relative, this.folder);
    const under = startParts.join('/');
    const start = this.checkedLstat(startParts, false);
    if (start === null || !start.isDirectory()) return { entries, anomalies };
    const base = this.pathOf(relative);
    const visit = async (dir: string, prefix: string, depth: number): Promise<void> => {
      if (depth > BACKUP_READ_LIMITS.maxDepth) {
        anomalies.push({
          path: prefix,
          kind: 'too-many',
          detail: `deeper than ${BACKUP_READ_LIMITS.maxDepth} folders`,
        });
        return;
      }
      let listing: Dirent[];
      try {
        listing = readdirSync(dir, { withFileTypes: true });
      } catch (error) {
        // A sub-folder removed since its parent was listed is skipped, as an entry gone before its lstat always was.
        if (depth > 0 && (error as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw error;
      }
      const names = listing.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of names) {
        const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
        if (entries.length + anomalies.length >= BACKUP_READ_LIMITS.maxEntries) {
          anomalies.push({ path, kind: 'too-many', detail: `more than ${BACKUP_READ_LIMITS.maxEntries} entries` });
          return;
        }
        const absolute = childPath(dir, entry.name);
        if (entry.isDirectory()) {
          // The listing's own type (the folder entry's d_type; Node lstats itself where the file system gives none)
          // says a real folder, not a link: no lstat of each folder (the next readdir reads it as the lstat would have).
          entries.push({ path, kind: 'directory', size: 0 });
          this.checkedFolders.add(under === '' ? path : `${under}/${path}`);
          await visit(absolute, path, depth + 1);
          continue;
        }
        let info: Stats;
        try {
          info = lstatSync(absolute);
        } catch {
          continue;
        }
        if (info.isSymbolicLink()) {
          const target = await readlink(absolute).catch(() => '?'); // rare: a hostile backup's link
          anomalies.push({ path, kind: 'symlink', detail: `symbolic link to ${target}` });
        } else if (info.isDirectory()) {
          entries.push({ path, kind: 'directory', size: 0 });
          this.checkedFolders.add(under === '' ? path : `${under}/${path}`);
          await visit(absolute, path, depth + 1);
        } else if (info.isFile()) {
          if (info.size > max)
            anomalies.push({ path, kind: 'too-large', detail: `${info.size} bytes, over the bound of ${max}` });
          else entries.push({ path, kind: 'file', size: info.size });
        } else {
          anomalies.push({ path, kind: 'special', detail: 'not a plain file or folder (socket, device or FIFO)' });
        }
      }
    };
    await visit(base, '', 0);
    return { entries, anomalies };
  }

  /** Throws the anomaly's refusal (BACKUP_PATH_ESCAPES, BACKUP_FILE_TOO_LARGE...) when the tree holds any. */
  refuseAnomalies(tree: BackupTree, under = ''): void {
    const first = tree.anomalies[0];
    if (first === undefined) return;
    const path = under === '' ? first.path : `${under}/${first.path}`;
    if (first.kind === 'too-large') throw tooLargeText(this.folder, path, first.detail);
    throw escapes(this.folder, path, first.detail);
  }
}

function escapes(folder: string, relative: string, why: string): CofferError {
  return new CofferError(
    ErrorCode.BackupPathEscapes,
    `${relative} in the backup ${folder} ${why}; Coffer does not follow links out of a backup. Nothing was restored.`,
    {
      hresult: HRESULT.E_ACCESSDENIED,
      object: join(folder, ...relative.split('/')),
      hint: 'Someone changed the backup after it was written; restore from another backup.',
    },
  );
}

function tooLarge(folder: string, relative: string, size: number, max: number): CofferError {
  return tooLargeText(folder, relative, `${size} bytes, over the bound of ${max}`);
}

function tooLargeText(folder: string, relative: string, detail: string): CofferError {
  return new CofferError(
    ErrorCode.BackupFileTooLarge,
    `${relative} in the backup ${folder} is too large to be part of a backup (${detail}). Nothing was read from it.`,
    {
      hresult: HRESULT.ERROR_FILE_TOO_LARGE,
      object: join(folder, ...relative.split('/')),
      hint: 'The file was replaced or padded after the backup was written; restore from another backup.',
    },
  );
}

function missing(folder: string, relative: string, path: string): CofferError {
  return new CofferError(
    ErrorCode.IntegrityMismatch,
    `The backup ${folder} has no ${relative}. Nothing was restored.`,
    {
      hresult: HRESULT.ERROR_FILE_CORRUPT,
      object: path,
      hint: 'The backup is incomplete; restore from another backup.',
    },
  );
}

/**
 * Every XML document Coffer parses passes through here first. A DOCTYPE is never part of a file Coffer or
 * GPMC writes, and it is how entity expansion (billion laughs) and external entities (file:///etc/shadow)
 * get in: refused outright (XML_DOCTYPE_REFUSED), whatever the parser behind would have done with it.
 * Also refuses text over the XML bound (`maxChars`: a directory's index passes {@link backupIndexByteLimit}).
 * Returns the text unchanged.
 */
export function refuseXmlDoctype(
  text: string,
  what: string,
  maxChars: number = BACKUP_READ_LIMITS.maxXmlBytes,
): string {
  if (text.length > maxChars) {
    throw new CofferError(
      ErrorCode.BackupFileTooLarge,
      `${what} is ${text.length} characters, over the bound of ${maxChars} for ${maxChars === BACKUP_READ_LIMITS.maxXmlBytes ? 'an XML document' : 'this index'}.`,
      {
        hresult: HRESULT.ERROR_FILE_TOO_LARGE,
        object: what,
      },
    );
  }
  if (/<!DOCTYPE/i.test(text) || /<!ENTITY/i.test(text)) {
    throw new CofferError(
      ErrorCode.XmlDoctypeRefused,
      `${what} carries a DOCTYPE (document type or entity declarations), which no file Coffer reads may have; it was not parsed.`,
      {
        hresult: HRESULT.ERROR_INVALID_DATA,
        object: what,
        hint: 'The file was edited, possibly to read files or exhaust memory through XML entities; do not use it.',
      },
    );
  }
  return text;
}
