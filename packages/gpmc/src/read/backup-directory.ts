import { readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  BackupReader,
  backupIndexByteLimit,
  eventLoopTurns,
  listCommittedEntries,
  scanBackupIndexFile,
  pathNotFound,
  toCofferError,
  invalidArgument,
} from '@coffer/core';
import {
  BACKUP_TYPE_ELEMENT,
  GpmBackupType,
  parseBackupTime,
  type BackupInst,
  type GpmBackupTypeName,
} from '../model.js';
import { guidKey, sameGuid } from '../write/manifest-xml.js';
import { backupInstFromElement, checkManifestRoot, manifestScanOptions, parseBkupInfoXml } from './parse-manifest.js';

/** One backup found in a GPMC backup directory. */
export interface GpmcBackupEntry {
  /** The backup ID, `{GUID}`, also the folder name. */
  id: string;
  gpoGuid: string;
  displayName: string;
  domain: string;
  domainGuid: string;
  domainController: string;
  /** Parsed `BackupTime` (UTC); null when the text is not GPMC's format. */
  backupTime: Date | null;
  backupTimeText: string;
  comment: string;
  /** GPMBackupType: `GPO` (typeGPO = 0) or `StarterGPO` (typeStarterGPO = 1). See {@link detectBackupType}. */
  type: GpmBackupTypeName;
  /** The backup's folder (the one that exists on disk when {@link hasFolder}). */
  folder: string;
  /** Listed in manifest.xml (GPMC's own index); false when only the folder's bkupInfo.xml names it. */
  listedInManifest: boolean;
  /** A real folder (not a link) of that name exists with a plain bkupInfo.xml. */
  hasFolder: boolean;
  /**
   * Why this entry cannot be trusted as listed: its folder is gone (INDEX_FOLDER_MISSING), its bkupInfo.xml
   * names another backup (BACKUP_FOLDER_MISMATCH), or it cannot be read (the reader's code). Listing and
   * restore leave such entries out (and say why); verify reports them.
   */
  problem?: { code: string; message: string };
}

const GUID_FOLDER = /^\{[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\}$/;

/**
 * Whether a backup folder holds a Starter GPO. No public GPMC sample of a Starter GPO backup was found, so
 * this is a heuristic (unverified): a Starter GPO is described by `StarterGPO.tmplx`, which a GPO backup
 * never contains; a backup folder holding one (at its top or under DomainSysvol) is a Starter GPO backup.
 */
export async function detectBackupType(folder: string): Promise<GpmBackupTypeName> {
  return detectBackupTypeNow(folder);
}

/** provider-gpo's GPO_EXTRAS_FILE (that package depends on this one, so the name is repeated here). */
const COFFER_GPO_EXTRAS_FILE = 'coffer-gpo-extras.json';

/** {@link detectBackupType}, synchronously (the listing's lazy `type` reads it on first access). */
function detectBackupTypeNow(folder: string): GpmBackupTypeName {
  const search = (dir: string, depth: number): boolean => {
    let names: import('node:fs').Dirent[];
    try {
      // Synchronous: one small folder listing per backup of a directory of hundreds, where a thread-pool round trip
      // per call costs more than the call (see core's BackupReader).
      names = readdirSync(dir, { withFileTypes: true });
    } catch {
      return false;
    }
    for (const entry of names) {
      if (entry.isFile() && entry.name.toLowerCase() === 'startergpo.tmplx') return true;
    }
    // A backup Coffer's GPO provider wrote holds its extras file at the top, which a Starter GPO backup never does
    // (Coffer's own Starter GPO backups declare their type): one listing instead of five for every such backup.
    if (dir === folder && names.some((entry) => entry.isFile() && entry.name === COFFER_GPO_EXTRAS_FILE)) return false;
    if (depth === 0) return false;
    for (const entry of names) {
      if (entry.isDirectory() && search(join(dir, entry.name), depth - 1)) return true;
    }
    return false;
  };
  return search(folder, 3) ? 'StarterGPO' : 'GPO';
}

/** The type a `<BackupInst>` declares with Coffer's `<BackupType>` element, if it does. */
function declaredType(inst: BackupInst | null | undefined): GpmBackupTypeName | undefined {
  const text = inst?.extraElements?.find((element) => element.name === BACKUP_TYPE_ELEMENT)?.text.trim();
  if (text === undefined) return undefined;
  return text === String(GpmBackupType.StarterGPO) ? 'StarterGPO' : 'GPO';
}

/** A listed backup whose `type` is what the listing could tell. */
type ListedEntry<T> = Omit<GpmcBackupEntry, 'type'> & { type: GpmBackupTypeName | T };

/** An entry of {@link visitBackupDirectoryUntyped}: its `type` is the declared one, undefined otherwise. */
export type UntypedEntry = ListedEntry<undefined>;

/**
 * One string for each text many entries share (a directory's domain, its domain controllers, a GPO's GUID and name in
 * each of its backups): a listing of 70,000 backups otherwise holds 70,000 copies of each. A few thousand at most.
 */
function sharedTexts(): (text: string) => string {
  const known = new Map<string, string>();
  return (text) => {
    const found = known.get(text);
    if (found !== undefined) return found;
    if (known.size < 20_000) known.set(text, text);
    return text;
  };
}

function toEntry<T>(
  folder: string,
  inst: BackupInst,
  folderName: string | null,
  listedInManifest: boolean,
  type: GpmBackupTypeName | T,
  shared: (text: string) => string = (text) => text,
): ListedEntry<T> {
  return {
    id: inst.id,
    gpoGuid: shared(inst.gpoGuid),
    displayName: shared(inst.gpoDisplayName),
    domain: shared(inst.gpoDomain),
    domainGuid: shared(inst.gpoDomainGuid),
    domainController: shared(inst.gpoDomainController),
    backupTime: parseBackupTime(inst.backupTime) ?? null,
    backupTimeText: inst.backupTime,
    comment: inst.comment,
    type,
    folder,
    listedInManifest,
    hasFolder: folderName !== null,
  };
}

/**
 * Every backup in a GPMC backup directory: the manifest.xml entries, then backup folders the manifest
 * does not list (or that have no manifest at all, as some published backups do), found by their
 * bkupInfo.xml. Folder names are compared as GUIDs (any case). Nothing is followed out of the directory:
 * a symlinked folder is no backup folder, and files are read through core's BackupReader. An entry whose
 * folder is gone, renamed or unreadable carries a `problem` instead of failing the whole listing.
 */
export async function readGpmcBackupDirectory(
  dir: string,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<GpmcBackupEntry[]> {
  return readDirectory(dir, detectBackupTypeNow, options.signal);
}

/**
 * The same listing, untyped, each entry handed to `visit` and kept by nobody here: for callers that pair backups by GPO
 * and never look at their type (diffBackups, --changed's check of the destination). Without the content heuristic,
 * which lists up to four folders of every backup, `type` is only the declared one (undefined otherwise). A caller that
 * keeps a few (the newest backup of each GPO, of a directory of 70,000) holds only those. With each entry comes the
 * folder's own bkupInfo.xml as the listing parsed it (null when it has none or it could not be read; the entry then
 * has a `problem`): a caller that reads the backup next (diffBackups) need not read and parse it again. `signal` stops
 * the listing (it rejects with an AbortError). Not exported from the package.
 */
export async function visitBackupDirectoryUntyped(
  dir: string,
  visit: (entry: UntypedEntry, own: BackupInst | null) => void,
  options: { signal?: AbortSignal | undefined } = {},
): Promise<void> {
  const signal = options.signal;
  await visitDirectory(
    dir,
    () => undefined,
    undefined,
    visit,
    () => signal?.aborted === true,
  );
}

/** Newest first (GPMC's SearchBackups order), then by id. */
export function newestFirst(
  a: { backupTime: Date | null; id: string },
  b: { backupTime: Date | null; id: string },
): number {
  return newestFirstOf(a.backupTime?.getTime() ?? -Infinity, a.id, b.backupTime?.getTime() ?? -Infinity, b.id);
}

/** {@link newestFirst} of two backups given by their times (ms since the epoch; -Infinity when unknown) and ids. */
export function newestFirstOf(timeA: number, idA: string, timeB: number, idB: string): number {
  return timeB - timeA || idA.localeCompare(idB);
}

async function readDirectory<T>(
  dir: string,
  detect: (folder: string) => GpmBackupTypeName | T,
  signal: AbortSignal | undefined,
): Promise<Array<ListedEntry<T>>> {
  const entries: Array<ListedEntry<T>> = [];
  await visitDirectory(
    dir,
    detect,
    undefined,
    (entry) => {
      entries.push(entry);
    },
    () => signal?.aborted === true,
  );
  return entries;
}

/**
 * Each backup of the directory, handed to `visit` in listing order (the manifest's entries, then the folders it does
 * not list) and kept by nobody here: a caller that keeps only some (one type, one query) holds only those. manifest.xml
 * is read a piece at a time, and each folder's bkupInfo.xml when its entry comes, so a directory of 70,000 backups is
 * never held whole. With `only`, each entry's type is found at once (the caller chooses by it anyway) and an entry of
 * another type is not built; without, the type is found on first read of `type`. Once `stop` answers true (asked
 * before each folder), it rejects with an AbortError.
 */
async function visitDirectory<T>(
  dir: string,
  detect: (folder: string) => GpmBackupTypeName | T,
  only: ReadonlySet<GpmBackupTypeName> | undefined,
  visit: (entry: ListedEntry<T>, own: BackupInst | null) => void,
  stop: () => boolean = () => false,
): Promise<void> {
  /** Backups an unfinished commit is putting in place: hidden, folder and manifest.xml entry alike, until it ends (a run is seen whole or not at all). */
  let pending: string[];
  let reader: BackupReader;
  let unclaimed: UnclaimedFolders;
  let entryCount: number;
  try {
    const info = await stat(dir);
    if (!info.isDirectory())
      throw invalidArgument(`${dir} is not a directory.`, {
        object: dir,
        hint: 'Give the GPMC backup directory (the one holding manifest.xml).',
      });
    reader = await BackupReader.open(dir);
    ({ unclaimed, pending, entryCount } = await backupFoldersOf(dir));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      throw pathNotFound(dir, 'backup directory', 'Check the path of the GPMC backup directory.');
    throw toCofferError(error, dir);
  }

  const shared = sharedTexts();
  const folderPath = folderPathIn(dir);
  // Only Starter GPOs wanted: a folder whose type comes out GPO is left out unparsed (see readOwn).
  const onlyStarter = only !== undefined && only.size === 1 && only.has('StarterGPO');
  /** A backup folder's own bkupInfo.xml (or why it cannot be read), read when its entry is listed. */
  const readOwn = async (name: string, unlessPlainGpo = false): Promise<FolderFacts | typeof PLAIN_GPO> => {
    try {
      const bytes = await reader.readOptional(`${name}/bkupInfo.xml`, { maxBytes: 1024 * 1024 });
      if (bytes === null) return { inst: null };
      // A Starter GPO listing leaves out every folder whose type comes out GPO, whether its bkupInfo.xml is sound or
      // not (a damaged one is listed as a GPO): one that cannot declare a type (no `BackupType` in its bytes, in any
      // encoding it may be read in) and holds no StarterGPO.tmplx is a GPO, and is not parsed. That is most folders
      // of a directory, and parsing each was most of this listing's garbage.
      if (unlessPlainGpo && !mayDeclareType(bytes) && detect(folderPath(name)) === 'GPO') return PLAIN_GPO;
      return { inst: parseBkupInfoXml(bytes) };
    } catch (error) {
      const failure = toCofferError(error, join(dir, name));
      return { inst: null, problem: { code: failure.code, message: failure.message } };
    }
  };
  const add = (
    inst: BackupInst,
    folderName: string | null,
    own: BackupInst | null | undefined,
    listed: boolean,
  ): ListedEntry<T> | null => {
    // The index's own word first (manifest entry, then the folder's bkupInfo.xml), else the content heuristic.
    const declared = declaredType(inst) ?? (folderName === null ? undefined : declaredType(own));
    const folder = folderPath(folderName ?? inst.id);
    if (only !== undefined) {
      const type = declared ?? (folderName === null ? 'GPO' : detect(folder));
      return only.has(type as GpmBackupTypeName) ? toEntry<T>(folder, inst, folderName, listed, type, shared) : null;
    }
    const entry = toEntry<T>(folder, inst, folderName, listed, declared ?? 'GPO', shared);
    if (declared === undefined && folderName !== null) {
      // The content heuristic lists up to four folder levels of the backup: run when `type` is first read, not for
      // every entry of a listing whose caller never looks at it (coffer report pairs and reads by GPO). Still an
      // ordinary enumerable property to every reader (spread, JSON).
      let type: GpmBackupTypeName | T | undefined;
      let known = false;
      Object.defineProperty(entry, 'type', {
        enumerable: true,
        configurable: true,
        get: () => {
          if (!known) [type, known] = [detect(folder), true];
          return type;
        },
        set: (value: GpmBackupTypeName | T) => {
          [type, known] = [value, true];
        },
      });
    }
    return entry;
  };
  // The index lists every backup: its bound grows with the directory's entries (70,000 backups list 36 MB).
  const manifestLimit = backupIndexByteLimit(entryCount);
  const pendingGuids = new Set(pending.map(guidKey));
  const listManifestEntry = async (inst: BackupInst): Promise<void> => {
    if (pendingGuids.has(guidKey(inst.id))) return;
    const name = unclaimed.claim(inst.id);
    const listed = declaredType(inst);
    // The index's own word decides before the folder's: an entry it declares of another type is not read at all.
    if (only !== undefined && listed !== undefined && !only.has(listed)) return;
    const facts = name === null ? undefined : await readOwn(name, onlyStarter && listed === undefined);
    if (facts === PLAIN_GPO) return;
    const usable = facts?.inst ? name : null;
    const entry = add(inst, usable, facts?.inst, true);
    if (entry === null) return;
    if (name === null)
      entry.problem = {
        code: 'INDEX_FOLDER_MISSING',
        message: `manifest.xml lists backup ${inst.id} (${inst.gpoDisplayName}), but ${join(dir, inst.id)} does not exist.`,
      };
    else if (facts?.problem) entry.problem = facts.problem;
    else if (!facts?.inst)
      entry.problem = {
        code: 'INDEX_FOLDER_MISSING',
        message: `The backup folder ${join(dir, name)} has no bkupInfo.xml.`,
      };
    else if (facts.inst.id !== '' && !sameGuid(facts.inst.id, name)) entry.problem = renamed(dir, name, facts.inst.id);
    else {
      const differing = indexDifferences(inst, facts.inst);
      if (differing.length > 0)
        entry.problem = {
          code: 'INDEX_ENTRY_MISMATCH',
          message: `manifest.xml's entry for ${inst.id} disagrees with ${join(dir, name, 'bkupInfo.xml')} (${differing.join('; ')}): the index was edited.`,
        };
    }
    visit(entry, facts?.inst ?? null);
  };
  // manifest.xml read a piece at a time (core's streaming index reader, with every check of the XML readers): the
  // entries of each piece are paired with their folders before the next piece is read.
  const queued: BackupInst[] = [];
  // Each folder is read synchronously (core's BackupReader): turns of the event loop let a Ctrl-C in meanwhile, and
  // `stop` (the callers' cancellation) is asked before each folder.
  const eventLoopTurn = eventLoopTurns();
  const turn = async (): Promise<void> => {
    await eventLoopTurn();
    if (stop()) throw new DOMException('The listing was cancelled.', 'AbortError');
  };
  const scanned = await scanBackupIndexFile(reader, 'manifest.xml', 'manifest.xml', {
    ...manifestScanOptions(manifestLimit, (element) => {
      if (element.name === 'BackupInst') queued.push(backupInstFromElement({ children: element.fields }));
    }),
    afterPiece: async () => {
      for (const inst of queued.splice(0)) {
        await listManifestEntry(inst);
        await turn();
      }
    },
  });
  if (scanned !== null) checkManifestRoot(scanned.root);
  for (const name of unclaimed.names()) {
    await turn();
    const facts = await readOwn(name, onlyStarter);
    if (facts === PLAIN_GPO) continue;
    if (facts.inst === null && facts.problem === undefined) continue;
    const inst: BackupInst = facts.inst ?? {
      gpoGuid: '',
      gpoDomain: '',
      gpoDomainGuid: '',
      gpoDomainController: '',
      backupTime: '',
      id: name,
      comment: '',
      gpoDisplayName: '',
    };
    // The folder's name is the backup's id: restore finds it by that name, so it is what is listed.
    const entry = add({ ...inst, id: name }, name, facts.inst, false);
    if (entry === null) continue;
    if (facts.problem) entry.problem = facts.problem;
    else if (inst.id !== '' && !sameGuid(inst.id, name)) entry.problem = renamed(dir, name, inst.id);
    visit(entry, facts.inst);
  }
}

/**
 * The directory's backup folders (real folders named by a GUID; a link is none), what an unfinished commit is putting
 * in place, and how many entries the directory holds. Its own function so the listing of every entry is let go here:
 * held by the pass that follows, 70,000 directory entries were 4 MB for its whole length.
 */
async function backupFoldersOf(
  dir: string,
): Promise<{ unclaimed: UnclaimedFolders; pending: string[]; entryCount: number }> {
  const { entries, pending } = await listCommittedEntries(dir);
  const names: string[] = [];
  for (const entry of entries) if (entry.isDirectory() && GUID_FOLDER.test(entry.name)) names.push(entry.name);
  return { unclaimed: new UnclaimedFolders(names), pending, entryCount: entries.length };
}

/**
 * The backup folders no manifest.xml entry has claimed yet, by GUID (any case), so pairing an index of 70,000 entries
 * with as many folders is not quadratic. A name already in upper case is its own key (no copy of each name), and a
 * claimed folder is let go at once.
 */
class UnclaimedFolders {
  readonly #byKey = new Map<string, string | string[]>();

  constructor(names: readonly string[]) {
    for (const name of names) {
      const key = UPPER_GUID_FOLDER.test(name) ? name : name.toUpperCase();
      const found = this.#byKey.get(key);
      if (found === undefined) this.#byKey.set(key, name);
      else if (typeof found === 'string') this.#byKey.set(key, [found, name]);
      else found.push(name);
    }
  }

  /** The first unclaimed folder named by this GUID (in the directory's order), now claimed; null when none. */
  claim(id: string): string | null {
    const key = `{${guidKey(id)}}`;
    const found = this.#byKey.get(key);
    if (found === undefined) return null;
    if (typeof found === 'string') {
      this.#byKey.delete(key);
      return found;
    }
    const name = found.shift()!;
    if (found.length === 1) this.#byKey.set(key, found[0]!);
    return name;
  }

  /** The folders never claimed, in the directory's order (those of one GUID together). */
  *names(): Generator<string> {
    for (const found of this.#byKey.values()) {
      if (typeof found === 'string') yield found;
      else yield* found;
    }
  }
}

const UPPER_GUID_FOLDER = /^\{[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\}$/;

interface FolderFacts {
  inst: BackupInst | null;
  problem?: { code: string; message: string };
}

/**
 * `join(dir, name)` for a backup folder's name (a GUID: nothing in it to normalise), without normalising `dir` again
 * for each of 70,000 backups (each join was a few strings of garbage); any other name goes through join.
 */
function folderPathIn(dir: string): (name: string) => string {
  const prefix = join(dir, '_').slice(0, -1);
  return (name) => (GUID_FOLDER.test(name) ? prefix + name : join(dir, name));
}

/** What readOwn answers for a folder a Starter GPO listing leaves out unparsed (see there). */
const PLAIN_GPO = Symbol('plain GPO backup');

const BACKUP_TYPE_BYTES = [
  Buffer.from(BACKUP_TYPE_ELEMENT, 'utf8'),
  Buffer.from(BACKUP_TYPE_ELEMENT, 'utf16le'),
  Buffer.from(BACKUP_TYPE_ELEMENT, 'utf16le').swap16(),
];

/**
 * Whether a bkupInfo.xml's bytes can hold a `<BackupType>` element: its name in UTF-8, UTF-16LE or UTF-16BE (what
 * core's XML decoding reads; an element name cannot be spelled with references). False means it declares no type.
 */
function mayDeclareType(bytes: Buffer): boolean {
  return BACKUP_TYPE_BYTES.some((pattern) => bytes.includes(pattern));
}

/**
 * The backups of the given types in the directory, each passed to `keep` (its `type` says which): what
 * listBackupsOfType lists. Every entry's type is needed to choose, so it is found at once; entries of other types are
 * not built; `stop` cancels it (see visitDirectory). Not exported from the package.
 */
export async function visitBackupsOfTypes(
  dir: string,
  types: ReadonlySet<GpmBackupTypeName>,
  keep: (entry: GpmcBackupEntry) => void,
  stop?: () => boolean,
): Promise<void> {
  await visitDirectory(dir, detectBackupTypeNow, types, keep, stop);
}

/** What a manifest.xml entry and the folder's own bkupInfo.xml must agree on (GPMC writes both from one BackupInst). */
function indexDifferences(listed: BackupInst, own: BackupInst): string[] {
  const out: string[] = [];
  if (!sameGuid(listed.gpoGuid, own.gpoGuid)) out.push(`GPO ${listed.gpoGuid} / ${own.gpoGuid}`);
  for (const [field, a, b] of [
    ['display name', listed.gpoDisplayName, own.gpoDisplayName],
    ['domain', listed.gpoDomain, own.gpoDomain],
    ['backup time', listed.backupTime, own.backupTime],
  ] as const) {
    if (a !== b) out.push(`${field} ${JSON.stringify(a)} / ${JSON.stringify(b)}`);
  }
  return out;
}

function renamed(dir: string, name: string, id: string): { code: string; message: string } {
  return {
    code: 'BACKUP_FOLDER_MISMATCH',
    message: `The backup folder ${join(dir, name)} holds backup ${id} (its bkupInfo.xml says so): it was renamed or swapped.`,
  };
}

export interface SearchBackupsOptions {
  /** A GPO display name (case-insensitive), GPO GUID or backup ID; all backups when omitted. */
  nameOrGuid?: string;
  /** Keep only the most recent backup of each GPO (GPMC's backupMostRecent). */
  newestOnly?: boolean;
  /** Only backups of this type. */
  type?: GpmBackupTypeName;
  /** Stops the search once it fires (it rejects with an AbortError): a directory of 70,000 backups takes seconds. */
  signal?: AbortSignal | undefined;
}

/** Like GPMBackupDir.SearchBackups: matching backups, newest first. */
export async function searchBackups(dir: string, options: SearchBackupsOptions = {}): Promise<GpmcBackupEntry[]> {
  const wanted = options.nameOrGuid?.trim();
  const matches = (await readGpmcBackupDirectory(dir, { signal: options.signal })).filter((entry) => {
    if (options.type !== undefined && entry.type !== options.type) return false;
    if (wanted === undefined || wanted === '') return true;
    return (
      entry.displayName.toLowerCase() === wanted.toLowerCase() ||
      sameGuid(entry.gpoGuid, wanted) ||
      sameGuid(entry.id, wanted)
    );
  });
  matches.sort(newestFirst);
  if (!options.newestOnly) return matches;
  const seen = new Set<string>();
  return matches.filter((entry) => {
    const key = `${entry.domain.toLowerCase()}|${entry.gpoGuid.replace(/[{}]/g, '').toUpperCase()}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
