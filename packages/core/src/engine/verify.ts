import { createHash } from 'node:crypto';
import { lstatSync, type Stats } from 'node:fs';
import { lstat, readdir, readlink, stat } from 'node:fs/promises';
import { join, sep } from 'node:path';
import { cancelledError, isCofferError, pathNotFound } from '../errors/coffer-error.js';
import { eventLoopTurns } from '../operation/event-loop-turns.js';
import type { ProgressTracker } from '../operation/progress.js';
import {
  BACKUP_READ_LIMITS,
  BackupReader,
  backupIndexByteLimit,
  checkBackupRelativePath,
} from '../reading/backup-reader.js';
import { backupOrigin } from '../reading/backup-trust.js';
import { parseXmlDocument, scanBackupIndexBytes, scanBackupIndexFile, type XmlElement } from '../reading/safe-xml.js';
import { idKey, sameId } from './backup-id.js';
import { listCommittedEntries } from './committed-view.js';
import { INTEGRITY_MANIFEST_NAME, parseIntegrityManifest, type IntegrityManifest } from './integrity-manifest.js';
import { LOCK_NAME } from './lock.js';
import { sharedTexts } from '../reading/shared-texts.js';

/**
 * What verify found. Inside a backup: `missing`, `extra`, `truncated`, `altered` (against its manifest),
 * `manifest-unreadable`, `manifest-missing` (a Coffer-written backup without its manifest), `symlink`,
 * `special`, `too-large` (never followed or read), `renamed` (the folder's name is not the id inside).
 * In the directory: `index-unreadable`, `index-missing-folder` (manifest.xml lists a backup whose folder
 * is gone), `index-unlisted` (a backup folder manifest.xml does not list), `index-mismatch` (an entry
 * disagrees with the folder's bkupInfo.xml), `stray` (a file or folder that is no backup), `hostile-xml`
 * (an XML file of a backup carries a DOCTYPE), `bad-path` (Backup.xml names an absolute, drive, UNC or `..`
 * location), `unverifiable` (a warning: a backup GPMC wrote, nothing to check it against).
 */
export type VerifyProblemKind =
  | 'missing'
  | 'extra'
  | 'truncated'
  | 'altered'
  | 'manifest-unreadable'
  | 'manifest-missing'
  | 'symlink'
  | 'special'
  | 'too-large'
  | 'renamed'
  | 'index-unreadable'
  | 'index-missing-folder'
  | 'index-unlisted'
  | 'index-mismatch'
  | 'stray'
  | 'hostile-xml'
  | 'bad-path'
  | 'unverifiable';

/** The stable code of each kind of finding (a CofferError code where one exists). */
export const VERIFY_PROBLEM_CODES: Record<VerifyProblemKind, string> = {
  missing: 'INTEGRITY_MISMATCH',
  extra: 'INTEGRITY_MISMATCH',
  truncated: 'INTEGRITY_MISMATCH',
  altered: 'INTEGRITY_MISMATCH',
  'manifest-unreadable': 'MANIFEST_UNREADABLE',
  'manifest-missing': 'MANIFEST_MISSING',
  symlink: 'BACKUP_PATH_ESCAPES',
  special: 'BACKUP_PATH_ESCAPES',
  'too-large': 'BACKUP_FILE_TOO_LARGE',
  renamed: 'BACKUP_FOLDER_MISMATCH',
  'index-unreadable': 'INDEX_UNREADABLE',
  'index-missing-folder': 'INDEX_FOLDER_MISSING',
  'index-unlisted': 'INDEX_FOLDER_UNLISTED',
  'index-mismatch': 'INDEX_ENTRY_MISMATCH',
  stray: 'STRAY_ENTRY',
  'hostile-xml': 'XML_DOCTYPE_REFUSED',
  'bad-path': 'BACKUP_PATH_INVALID',
  unverifiable: 'BACKUP_UNVERIFIED',
};

export interface VerifyProblem {
  kind: VerifyProblemKind;
  /**
   * `warning` only for `stray` entries at the top of a directory (no reader ever opens them: real GPMC
   * directories often hold a report beside the backups) and `unverifiable` backups (GPMC wrote them: nothing
   * vouches for their bytes); every other finding is an `error`.
   */
  severity: 'error' | 'warning';
  /** {@link VERIFY_PROBLEM_CODES} of the kind. */
  code: string;
  /** Path inside the backup (or, for directory findings, inside the directory), `/`-separated. */
  path: string;
  detail: string;
}

export interface BackupVerification {
  /** The backup's folder. */
  path: string;
  id: string;
  provider?: string;
  kind?: string;
  ok: boolean;
  filesChecked: number;
  bytesChecked: number;
  problems: VerifyProblem[];
}

export interface DirectoryVerification {
  path: string;
  ok: boolean;
  backups: BackupVerification[];
  /**
   * Backup folders GPMC (or another tool) wrote: no Coffer manifest and no `coffer-*` file, so nothing vouches
   * for their bytes. Not an error (exit 3 in the CLI); their names and the index are still checked.
   */
  unverifiable: string[];
  /** Findings about the directory itself: its index (manifest.xml), stray entries (warnings), symlinks. `ok` ignores warnings. */
  problems: VerifyProblem[];
}

export interface VerifyOptions {
  signal?: AbortSignal;
  progress?: ProgressTracker;
  /**
   * Top-level files of a backup directory that are its index, not strays (default: GPMC's manifest.xml, which
   * is also checked against the folders). A provider with its own IndexMaintainer names its file here.
   */
  indexFiles?: readonly string[];
}

/** The index file GPMC (and Coffer's GPO providers) keep at the top of a backup directory. */
export const BACKUP_INDEX_FILE = 'manifest.xml';
const BKUPINFO_FILE = 'bkupInfo.xml';
/** Integrity manifests list every file of a backup: bounded separately from XML. */
const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;

function problem(kind: VerifyProblemKind, path: string, detail: string): VerifyProblem {
  return {
    kind,
    severity: kind === 'stray' || kind === 'unverifiable' ? 'warning' : 'error',
    code: VERIFY_PROBLEM_CODES[kind],
    path,
    detail,
  };
}

/** A backup folder that should hold an integrity manifest and does not: a failed verification with that one finding. */
function manifestMissing(path: string, id: string, detail: string): BackupVerification {
  return {
    path,
    id,
    ok: false,
    filesChecked: 0,
    bytesChecked: 0,
    problems: [problem('manifest-missing', INTEGRITY_MANIFEST_NAME, detail)],
  };
}

/** Re-reads and re-hashes one backup against its integrity manifest; never follows a link, never throws for what it finds. */
export async function verifyBackup(path: string, options: VerifyOptions = {}): Promise<BackupVerification> {
  return checkBackup(path, path.split(sep).pop() ?? path, options);
}

/** {@link verifyBackup} of the folder `path`, named `id` in its directory. */
async function checkBackup(path: string, id: string, options: VerifyOptions): Promise<BackupVerification> {
  const failed = (p: VerifyProblem): BackupVerification => ({
    path,
    id,
    ok: false,
    filesChecked: 0,
    bytesChecked: 0,
    problems: [p],
  });
  let reader: BackupReader;
  let manifest: IntegrityManifest;
  try {
    reader = await BackupReader.open(path);
    const bytes = await reader.readFile(INTEGRITY_MANIFEST_NAME, { maxBytes: MAX_MANIFEST_BYTES });
    manifest = parseIntegrityManifest(bytes.toString('utf8'), join(path, INTEGRITY_MANIFEST_NAME));
  } catch (error) {
    const kind =
      isCofferError(error) && error.code === 'BACKUP_PATH_ESCAPES'
        ? 'symlink'
        : isCofferError(error) && error.code === 'BACKUP_FILE_TOO_LARGE'
          ? 'too-large'
          : 'manifest-unreadable';
    return failed(problem(kind, INTEGRITY_MANIFEST_NAME, (error as Error).message));
  }
  const problems: VerifyProblem[] = [];
  if (typeof manifest.id === 'string' && manifest.id !== id) {
    problems.push(
      problem(
        'renamed',
        '',
        `the folder is named ${id} but its manifest belongs to backup ${manifest.id} (renamed or swapped)`,
      ),
    );
  }
  const tree = await reader.walk();
  const onDisk = new Map<string, number>();
  const onDiskDirs = new Set<string>();
  for (const entry of tree.entries) {
    if (entry.kind === 'directory') onDiskDirs.add(entry.path);
    else if (!(entry.path === INTEGRITY_MANIFEST_NAME || entry.path === LOCK_NAME)) onDisk.set(entry.path, entry.size);
  }
  for (const anomaly of tree.anomalies)
    problems.push(problem(anomaly.kind === 'too-many' ? 'too-large' : anomaly.kind, anomaly.path, anomaly.detail));
  const anomalous = new Set(tree.anomalies.map((a) => a.path));
  const expectedFiles = new Set<string>();
  options.progress?.addTotal(manifest.files.length);
  let bytesChecked = 0;
  let filesChecked = 0;
  for (const file of manifest.files) {
    if (options.signal?.aborted) throw cancelledError(path);
    expectedFiles.add(file.path);
    try {
      checkBackupRelativePath(file.path, path);
    } catch (error) {
      problems.push(
        problem('altered', file.path, `the manifest names a path outside the backup: ${(error as Error).message}`),
      );
      continue;
    }
    const actual = onDisk.get(file.path);
    if (actual === undefined) {
      if (!anomalous.has(file.path))
        problems.push(problem('missing', file.path, `expected ${file.size} bytes, file is gone`));
    } else {
      const sha256 = await hashFile(reader, file.path, actual).catch((error: Error) => error);
      if (sha256 instanceof Error) {
        problems.push(
          problem(
            isCofferError(sha256) && sha256.code === 'BACKUP_FILE_TOO_LARGE' ? 'too-large' : 'symlink',
            file.path,
            sha256.message,
          ),
        );
      } else {
        bytesChecked += actual;
        filesChecked += 1;
        if (actual < file.size) {
          problems.push(problem('truncated', file.path, `${actual} of ${file.size} bytes`));
        } else if (actual !== file.size || sha256 !== file.sha256) {
          problems.push(
            problem(
              'altered',
              file.path,
              actual !== file.size
                ? `size ${actual}, expected ${file.size}`
                : `SHA-256 ${sha256}, expected ${file.sha256}`,
            ),
          );
        }
      }
    }
    options.progress?.advance(file.path);
  }
  for (const [file] of onDisk)
    if (!expectedFiles.has(file)) problems.push(problem('extra', file, 'not in the manifest'));
  const expectedDirs = new Set(manifest.directories);
  for (const dir of expectedDirs)
    if (!onDiskDirs.has(dir) && !anomalous.has(dir)) problems.push(problem('missing', `${dir}/`, 'folder is gone'));
  for (const dir of onDiskDirs)
    if (!expectedDirs.has(dir)) problems.push(problem('extra', `${dir}/`, 'folder not in the manifest'));
  return {
    path,
    // The folder's own name when they agree: a directory's results are kept until all are checked (70,000 at scale).
    id: manifest.id === id ? id : manifest.id,
    provider: manifest.provider,
    kind: manifest.kind,
    ok: problems.length === 0,
    filesChecked,
    bytesChecked,
    problems,
  };
}

/**
 * Verifies a path that is either one backup (it holds a Coffer manifest) or a backup directory. In a
 * directory, every entry is looked at without following links: each backup is verified, each folder's name
 * is checked against the id inside it, manifest.xml's entries are checked against the folders, and every
 * finding is recorded with a code; one bad backup never stops the others being checked.
 */
export async function verifyDirectory(path: string, options: VerifyOptions = {}): Promise<DirectoryVerification> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) throw pathNotFound(path, 'backup directory', 'Name the directory that holds the backups.');
  const top = await lstat(join(path, INTEGRITY_MANIFEST_NAME)).catch(() => undefined);
  if (top?.isFile()) {
    const single = await verifyBackup(path, options);
    return { path, ok: single.ok, backups: [single], unverifiable: [], problems: [] };
  }
  const backups: BackupVerification[] = [];
  const unverifiable: string[] = [];
  const problems: VerifyProblem[] = [];
  // The facts of every GPMC-shaped folder (its bkupInfo.xml), in folder order, kept until the index is checked: the
  // texts many of them share (the domain, a GPO's GUID and name in each of its backups) are kept once (70,000 folders
  // at 10,000 GPOs × 7).
  const gpmcFolders = new GpmcFolders();
  const shared = sharedTexts();
  // Engine state (staging, old copies, journal), a writer's lock and the entries of an unfinished commit
  // (a run is seen whole or not at all: see listCommittedEntries) are not backups, or not yet.
  const { entries: committed, pending } = await listCommittedEntries(path);
  const children = committed.sort((a, b) => (a.name < b.name ? -1 : 1));
  // One unit per entry, all announced before the first is checked: per-file units would only become known backup by
  // backup, and a total that grows as it goes is what progress must not do.
  const { progress, ...perBackup } = options;
  progress?.addTotal(children.length);
  let previous: string | undefined;
  const turn = eventLoopTurns();
  for (const child of children) {
    // The previous entry is done (a `continue` below comes back here too): its unit completes now.
    if (previous !== undefined) progress?.advance(previous);
    previous = child.name;
    await turn(); // Ctrl-C, the progress bar
    if (options.signal?.aborted) throw cancelledError(path);
    const childPath = join(path, child.name);
    if (child.isSymbolicLink()) {
      const target = await readlink(childPath).catch(() => '?');
      const dangling = await stat(childPath).then(
        () => false,
        () => true,
      );
      problems.push(
        problem('symlink', child.name, `symbolic link to ${target}${dangling ? ' (dangling)' : ''}; never followed`),
      );
      continue;
    }
    if (child.isFile()) {
      if (!(options.indexFiles ?? [BACKUP_INDEX_FILE]).includes(child.name))
        problems.push(problem('stray', child.name, 'a file that is no backup and no index'));
      continue;
    }
    if (!child.isDirectory()) {
      problems.push(problem('special', child.name, 'not a plain file or folder'));
      continue;
    }
    try {
      const facts = await readBackupInfo(childPath, child.name, shared);
      if (facts !== null) gpmcFolders.add(facts);
      // Synchronous, like BackupReader's own checks: one per backup folder, where a thread-pool round trip costs more
      // than the call (tens of thousands of folders at scale).
      const manifest = lstatOrUndefined(join(childPath, INTEGRITY_MANIFEST_NAME));
      if (manifest !== undefined) {
        const verification = await checkBackup(childPath, child.name, perBackup);
        if (
          facts !== null &&
          facts.ID !== '' &&
          !sameId(facts.ID, child.name) &&
          !verification.problems.some((p) => p.kind === 'renamed')
        ) {
          verification.problems.push(
            problem(
              'renamed',
              BKUPINFO_FILE,
              `the folder is named ${child.name} but ${BKUPINFO_FILE} gives the backup id ${facts.ID}`,
            ),
          );
          verification.ok = false;
        }
        backups.push(verification);
      } else if ((await backupOrigin(childPath)) === 'coffer') {
        backups.push(
          manifestMissing(
            childPath,
            child.name,
            `Coffer wrote this backup (it holds coffer-* files) but its ${INTEGRITY_MANIFEST_NAME} is gone: incomplete or tampered with`,
          ),
        );
      } else if (facts !== null) {
        unverifiable.push(childPath);
        problems.push(
          problem(
            'unverifiable',
            `${child.name}/`,
            'no Coffer integrity manifest and no coffer-* file (GPMC wrote it): nothing vouches for its bytes; restore needs --unverified',
          ),
        );
        if (facts.ID !== '' && !sameId(facts.ID, child.name))
          problems.push(
            problem(
              'renamed',
              child.name,
              `the folder is named ${child.name} but ${BKUPINFO_FILE} gives the backup id ${facts.ID}`,
            ),
          );
        // Nothing vouches for its bytes, but what restore would refuse is still found: links, oversized files, hostile XML.
        problems.push(...(await inspectUnverifiable(childPath, child.name)));
      } else if ((await readdir(childPath)).length > 0) {
        // Neither Coffer's (no manifest) nor GPMC's (no bkupInfo.xml): a backup Coffer wrote without any other
        // coffer-* file (the DRM license set) that lost its manifest looks exactly like this, so it is an error.
        backups.push(
          manifestMissing(
            childPath,
            child.name,
            `a folder with content but neither ${INTEGRITY_MANIFEST_NAME} nor ${BKUPINFO_FILE}: a Coffer backup that lost its manifest, or something that does not belong in a backup directory`,
          ),
        );
      } else {
        problems.push(problem('stray', `${child.name}/`, 'an empty folder that is no backup'));
      }
    } catch (error) {
      const code = isCofferError(error) ? error.code : '';
      const kind: VerifyProblemKind =
        code === 'XML_DOCTYPE_REFUSED'
          ? 'hostile-xml'
          : code === 'BACKUP_PATH_ESCAPES'
            ? 'symlink'
            : code === 'BACKUP_FILE_TOO_LARGE'
              ? 'too-large'
              : 'stray';
      problems.push(problem(kind, child.name, (error as Error).message));
    }
  }
  if (previous !== undefined) progress?.advance(previous);
  // The listing's entries are let go (their names live on in the results and facts).
  children.length = 0;
  await checkIndex(path, gpmcFolders, problems, pending);
  return {
    path,
    ok: backups.every((b) => b.ok) && problems.every((p) => p.severity === 'warning'),
    backups,
    unverifiable,
    problems,
  };
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/** What restore would refuse in a backup without a manifest: links, special or oversized files, XML with a DOCTYPE at its top. */
async function inspectUnverifiable(folder: string, name: string): Promise<VerifyProblem[]> {
  const found: VerifyProblem[] = [];
  const reader = await BackupReader.open(folder);
  const tree = await reader.walk();
  for (const anomaly of tree.anomalies)
    found.push(
      problem(anomaly.kind === 'too-many' ? 'too-large' : anomaly.kind, `${name}/${anomaly.path}`, anomaly.detail),
    );
  for (const entry of tree.entries) {
    if (entry.kind !== 'file' || entry.path.includes('/') || !entry.path.toLowerCase().endsWith('.xml')) continue;
    try {
      const root = parseXmlDocument(await reader.readXml(entry.path), `${name}/${entry.path}`);
      // GPMC's inventory (Backup.xml) names each copied file by a Location inside the backup: any other is an edit.
      for (const location of locations(root)) {
        try {
          checkBackupRelativePath(location);
        } catch (error) {
          found.push(problem('bad-path', `${name}/${entry.path}`, (error as Error).message));
        }
      }
    } catch (error) {
      const code = isCofferError(error) ? error.code : '';
      found.push(
        problem(
          code === 'BACKUP_FILE_TOO_LARGE' ? 'too-large' : code === 'XML_DOCTYPE_REFUSED' ? 'hostile-xml' : 'altered',
          `${name}/${entry.path}`,
          (error as Error).message,
        ),
      );
    }
  }
  return found;
}

function locations(element: XmlElement): string[] {
  const own = element.attributes.Location;
  return [...(own === undefined ? [] : [own]), ...element.children.flatMap(locations)];
}

/**
 * The fields of a folder's bkupInfo.xml that manifest.xml must agree with ({@link INDEX_FIELDS}; '' when absent), kept
 * for every GPMC-shaped folder until the index is checked: one object of one shape per folder, its texts shared.
 */
interface BackupInfoFacts {
  GPOGuid: string;
  GPODomain: string;
  GPODisplayName: string;
  BackupTime: string;
  ID: string;
}

/** A GPMC-shaped folder: its name, its facts, and whether an entry of the index named it. */
interface GpmcFolder extends BackupInfoFacts {
  name: string;
  listed: boolean;
}

/**
 * The GPMC-shaped folders of a directory, in order, and each by normalised id (the first of that id): one list and one
 * map, where a map by name beside one by id and a set of the folders matched each grew to 70,000 entries.
 */
class GpmcFolders {
  readonly all: GpmcFolder[] = [];
  readonly #byId = new Map<string, GpmcFolder>();

  add(folder: GpmcFolder): void {
    this.all.push(folder);
    const key = idKey(folder.name);
    if (!this.#byId.has(key)) this.#byId.set(key, folder);
  }

  /** The folder an index entry's id names, by normalised id (a find over every folder for every entry was quadratic). */
  byId(id: string): GpmcFolder | undefined {
    return this.#byId.get(idKey(id));
  }
}

/** The fields of a `<BackupInst>` that manifest.xml and bkupInfo.xml must agree on. */
const INDEX_FIELDS = ['GPOGuid', 'GPODomain', 'GPODisplayName', 'BackupTime', 'ID'] as const;
type IndexField = (typeof INDEX_FIELDS)[number];

/** The text of the first field named `name` ('' when there is none), as the index and bkupInfo.xml are compared. */
function fieldText(fields: ReadonlyArray<{ name: string; text: string }>, name: IndexField): string {
  return fields.find((field) => field.name === name)?.text ?? '';
}

/** bkupInfo.xml of a backup folder, read through the safe reader; null when it has none. */
async function readBackupInfo(
  folder: string,
  name: string,
  shared: (text: string) => string,
): Promise<GpmcFolder | null> {
  const reader = await BackupReader.open(folder);
  const bytes = await reader.readOptional(BKUPINFO_FILE, { maxBytes: BACKUP_READ_LIMITS.maxXmlBytes });
  if (bytes === null) return null;
  // Read with the index's reader (the same checks as every XML reader): its root's children are the fields, and the
  // texts it keeps are copies, not views into the file's text (verify keeps the facts of 70,000 folders at scale).
  const fields: Array<{ name: string; text: string }> = [];
  scanBackupIndexBytes(bytes, join(folder, BKUPINFO_FILE), {
    maxChars: BACKUP_READ_LIMITS.maxXmlBytes,
    onEntry: (field) => {
      if ((INDEX_FIELDS as readonly string[]).includes(field.name)) fields.push(field);
    },
  });
  const id = fieldText(fields, 'ID');
  return {
    name,
    listed: false,
    GPOGuid: shared(fieldText(fields, 'GPOGuid')),
    GPODomain: shared(fieldText(fields, 'GPODomain')),
    GPODisplayName: shared(fieldText(fields, 'GPODisplayName')),
    BackupTime: fieldText(fields, 'BackupTime'),
    // The id is the folder's name in every backup that is not renamed: one string for both.
    ID: id === name ? name : id,
  };
}

/**
 * manifest.xml against the folders: entries without folders, folders without entries, entries that disagree. Each
 * entry is compared as it is read and let go (70,000 entries at 10,000 GPOs × 7): only its findings are kept, and they
 * count only once the whole index has read well (an index that does not is one finding, index-unreadable).
 */
async function checkIndex(
  dir: string,
  folders: GpmcFolders,
  problems: VerifyProblem[],
  pending: string[],
): Promise<void> {
  const indexInfo = await lstat(join(dir, BACKUP_INDEX_FILE)).catch(() => undefined);
  if (indexInfo === undefined) return;
  const found: VerifyProblem[] = [];
  // An entry is compared from the fields the reader hands over, with no record of its own: a record made here, at
  // the rate of the index's entries, is what the engine had learnt to make long-lived (the folders' facts), and
  // everything it pointed at outlived the entry (issue 18).
  const compare = (fields: ReadonlyArray<{ name: string; text: string }>, id: string): void => {
    const folder = folders.byId(id);
    if (folder === undefined) {
      found.push(
        problem(
          'index-missing-folder',
          BACKUP_INDEX_FILE,
          `lists backup ${id} (${fieldText(fields, 'GPODisplayName')}), but no backup folder of that name exists`,
        ),
      );
      return;
    }
    folder.listed = true;
    const { name } = folder;
    const differing = INDEX_FIELDS.filter((field) => field !== 'ID' || folder.ID !== '').filter((field) =>
      field === 'ID' || field === 'GPOGuid'
        ? !sameId(fieldText(fields, field), folder[field])
        : fieldText(fields, field) !== folder[field],
    );
    if (differing.length > 0) {
      const detail = differing
        .map(
          (field: IndexField) =>
            `${field} ${JSON.stringify(fieldText(fields, field))} in ${BACKUP_INDEX_FILE}, ${JSON.stringify(folder[field])} in ${name}/${BKUPINFO_FILE}`,
        )
        .join('; ');
      found.push(
        problem('index-mismatch', BACKUP_INDEX_FILE, `the entry of ${id} disagrees with its folder: ${detail}`),
      );
    }
  };
  try {
    const reader = await BackupReader.open(dir);
    // The index lists every backup: its bound grows with the folders beside it (70,000 backups list 36 MB). It is
    // read a piece at a time, keeping the few fields checked of each entry, not a tree of the whole document.
    const maxChars = backupIndexByteLimit(folders.all.length + pending.length);
    const pendingKeys = new Set(pending.map(idKey));
    const scanned = await scanBackupIndexFile(reader, BACKUP_INDEX_FILE, join(dir, BACKUP_INDEX_FILE), {
      maxChars,
      onEntry: (element) => {
        if (element.name !== 'BackupInst') return;
        const id = fieldText(element.fields, 'ID');
        // An unfinished commit may have written the index already: its entries are hidden like their folders.
        if (!pendingKeys.has(idKey(id))) compare(element.fields, id);
      },
    });
    if (scanned === null) return;
    if (scanned.root.name !== 'Backups') throw new Error(`the root element is <${scanned.root.name}>, not <Backups>`);
    if (scanned.rootText !== '')
      throw new Error(`it holds stray text ${JSON.stringify(scanned.rootText.slice(0, 40))} between entries`);
  } catch (error) {
    problems.push(problem('index-unreadable', BACKUP_INDEX_FILE, (error as Error).message));
    return;
  }
  for (const finding of found) problems.push(finding);
  for (const { name, listed } of folders.all)
    if (!listed)
      problems.push(problem('index-unlisted', `${name}/`, `a backup folder ${BACKUP_INDEX_FILE} does not list`));
}

/**
 * Files the walk found up to this size are hashed from one synchronous read (the reader's readFile: the same checks
 * and the same bound as its stream, so a file that grew since is still hashed whole and found altered); a GPO backup is hundreds of thousands of small files at scale, where the thread-pool round trips of a
 * stream (open, fstat, read, close, each awaited in turn) left verify idle more than a third of its time.
 */
const WHOLE_READ_BYTES = 1024 * 1024;

async function hashFile(reader: BackupReader, relative: string, size: number): Promise<string> {
  if (size <= WHOLE_READ_BYTES)
    return createHash('sha256')
      .update(await reader.readFile(relative))
      .digest('hex');
  const hash = createHash('sha256');
  const { stream } = await reader.createReadStream(relative);
  for await (const chunk of stream) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
