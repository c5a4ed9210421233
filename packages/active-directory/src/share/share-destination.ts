import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CofferError, ENGINE_PREFIX, HRESULT, pathNotFound, type StatusMessage } from '@coffer/core';
import type { SysvolWriteEntry } from '../sysvol/sysvol-source.js';
import { shareFaultPoint } from './fault-point.js';
import { openShareClient, type ShareAccount, type ShareClient } from './share-client.js';
import { diskFullOr, ShareErrorCode } from './share-errors.js';
import { lockShareFolder, SHARE_DEAD_LOCK_PREFIX, SHARE_RELEASED_LOCK_PREFIX, type ShareLock } from './share-lock.js';
import { copyShareFolder } from './share-copy.js';
import { isEngineName, OLD_PREFIX, SHARE_GENERATION_NAME, SHARE_JOURNAL_NAME, STAGING_PREFIX } from './share-names.js';
import { inShareFolder, parseSmbSharePath, type SmbShareLocation } from './share-path.js';
import { makeShareTemp } from './share-temp.js';

/** Core's journal (`entries`, which readers hide while it exists) plus the index files to rename over their old copy. */
export interface ShareJournal {
  entries: Array<{ staging: string; name: string; old: string }>;
  index: Array<{ staging: string; name: string }>;
}

export interface ShareDestinationOptions {
  account: ShareAccount;
  /** The provider's index file (GPMC's manifest.xml): downloaded so the provider updates it, then replaced in one rename. */
  indexFile?: string;
  report?: (message: StatusMessage) => void;
  /** Where the private working copy is made (default: the OS temp folder). */
  tempRoot?: string;
  lockStaleMs?: number;
  /**
   * `'placeholders'` (default): the mirror holds the index file and an empty placeholder per entry. `'full'`: every
   * backup's bytes too (one tar pass), for a provider that reads earlier backups (the GPO providers' --changed).
   */
  mirror?: 'placeholders' | 'full';
}

export interface PublishResult {
  /** Entries (backup folders) now visible on the share. */
  published: string[];
  /** Whether the index file was replaced. */
  indexReplaced: boolean;
}

/**
 * A share folder opened for a backup: locked, any interrupted publish finished, and mirrored in a private local
 * folder (`localDir`, 0700) where core's engine writes the run exactly as into a local destination. The mirror holds
 * the share's index file (to be updated by the provider) and an empty placeholder for every other entry (so a
 * provider that refuses to overwrite sees what is taken). `publish()` carries the new entries to the share under
 * core's guarantees; `close()` releases the lock and removes the local copy.
 */
export interface ShareDestination {
  readonly location: SmbShareLocation;
  readonly localDir: string;
  publish(): Promise<PublishResult>;
  close(): Promise<void>;
}

export async function openShareDestination(
  target: string | SmbShareLocation,
  options: ShareDestinationOptions,
): Promise<ShareDestination> {
  const location = typeof target === 'string' ? parseSmbSharePath(target) : target;
  const client = await openShareClient(location, options.account);
  await requireShareFolder(client);
  const lock = await lockShareFolder(client, {
    ...(options.report ? { report: options.report } : {}),
    ...(options.lockStaleMs === undefined ? {} : { staleMs: options.lockStaleMs }),
  });
  let localDir: string | undefined;
  try {
    await recoverShareFolder(client, options.report);
    localDir = await makeShareTemp(options.tempRoot);
    const mirror = await mirrorShareFolder(client, localDir, options.indexFile, options.mirror === 'full');
    return createDestination(client, lock, localDir, mirror, options.indexFile);
  } catch (error) {
    if (localDir) await rm(localDir, { recursive: true, force: true });
    await lock.release().catch(() => undefined);
    throw error;
  }
}

/** The share folder must exist, as a local --out must: Coffer never creates a destination (GPMC does not either). */
export async function requireShareFolder(client: ShareClient): Promise<void> {
  if (client.location.folder === '' || (await client.tree.exists(client.location.folder))) return;
  throw pathNotFound(
    client.location.display,
    'backup directory',
    'Create the folder on the share first (Coffer never creates a destination), or check its name.',
  );
}

interface Mirror {
  /** Names on the share (entries and files), as the placeholders stand for them, with the placeholder's inode. */
  placeholders: Map<string, number>;
  /** The index file's bytes on the share, or null when it has none. */
  index: Buffer | null;
}

async function mirrorShareFolder(
  client: ShareClient,
  localDir: string,
  indexFile: string | undefined,
  whole: boolean,
): Promise<Mirror> {
  // Every byte (one tar pass, under the lock: nothing changes it meanwhile), or the index and a stand-in per entry.
  const names = whole ? [...(await copyShareFolder(client, localDir))] : await standIns(client, localDir, indexFile);
  const placeholders = new Map<string, number>();
  let index: Buffer | null = null;
  for (const name of names) {
    if (isEngineName(name)) continue;
    if (name === indexFile) index = await readFile(join(localDir, name));
    else placeholders.set(name, (await lstat(join(localDir, name))).ino);
  }
  return { placeholders, index };
}

/** The share's index file with its bytes, and an empty folder or file for every other entry; their names. */
async function standIns(client: ShareClient, localDir: string, indexFile: string | undefined): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await client.list(client.location.folder)) {
    if (isEngineName(entry.name)) continue;
    const local = join(localDir, entry.name);
    if (entry.name === indexFile) {
      const bytes = await client.readFileOrNull(inShareFolder(client.location, entry.name));
      if (bytes === null) continue;
      await writeFile(local, bytes, { mode: 0o600 });
    } else if (entry.directory) await mkdir(local, { mode: 0o700 });
    else await writeFile(local, '', { mode: 0o600 });
    names.push(entry.name);
  }
  return names;
}

function createDestination(
  client: ShareClient,
  lock: ShareLock,
  localDir: string,
  mirror: Mirror,
  indexFile: string | undefined,
): ShareDestination {
  const { location } = client;
  return {
    location,
    localDir,
    async publish() {
      // New entries: whatever the run committed locally that is not an untouched placeholder (a replaced entry is a
      // new folder, so a new inode).
      const entries: string[] = [];
      for (const name of await readdir(localDir)) {
        if (isEngineName(name) || name === indexFile) continue;
        const ino = (await lstat(join(localDir, name))).ino;
        if (mirror.placeholders.get(name) !== ino) entries.push(name);
      }
      const index = indexFile === undefined ? null : await readFile(join(localDir, indexFile)).catch(() => null);
      const indexChanged = index !== null && (mirror.index === null || !index.equals(mirror.index));
      if (entries.length === 0 && !indexChanged) return { published: [], indexReplaced: false };

      const staging = `${STAGING_PREFIX}${randomBytes(8).toString('hex')}`;
      const stagingPath = inShareFolder(location, staging);
      const upload = [...entries, ...(indexChanged && indexFile ? [indexFile] : [])];
      try {
        await client.tree.writeTree(stagingPath, localEntries(localDir, upload));
        await checkUpload(client, stagingPath, localDir, upload);
      } catch (error) {
        // Nothing was journalled: the share is as it was, but for the staging folder, removed here (else swept by the
        // next writer). A full share is said in those words.
        await client.remove(stagingPath).catch(() => undefined);
        throw diskFullOr(error, {
          server: location.server,
          share: location.share,
          path: stagingPath,
          account: '',
          operation: 'uploading the backup',
        });
      }
      shareFaultPoint('uploaded');

      const journal: ShareJournal = {
        entries: entries.map((name) => ({
          staging: `${staging}/${name}`,
          name,
          old: `${OLD_PREFIX}${randomBytes(8).toString('hex')}`,
        })),
        index: indexChanged && indexFile ? [{ staging: `${staging}/${indexFile}`, name: indexFile }] : [],
      };
      await putAtomically(client, SHARE_JOURNAL_NAME, Buffer.from(JSON.stringify(journal)));
      shareFaultPoint('journal-written');
      await rollForward(client, journal, new Set(mirror.placeholders.keys()));
      return { published: entries, indexReplaced: indexChanged };
    },
    async close() {
      try {
        await rm(localDir, { recursive: true, force: true });
      } finally {
        await lock.release();
      }
    },
  };
}

/**
 * A journal's renames on the share, then the index, then the clean-up: core's commit, step by step. `taken` (a
 * fresh commit under our lock) says which names exist already; recovery (`taken` null) checks each on the share.
 * The generation token is replaced before the first rename and after the last, while the journal exists: a
 * reader that sees the same token before and after its download either saw no rename, or saw the journal.
 */
async function rollForward(client: ShareClient, journal: ShareJournal, taken: Set<string> | null): Promise<number> {
  const at = (name: string) => inShareFolder(client.location, name);
  await bumpGeneration(client);
  let placed = 0;
  // A fresh commit knows the state (under our lock, just uploaded): every rename in one session. Should any step
  // fail, each entry is then checked and finished one by one, as recovery does.
  const batchFailed =
    taken !== null &&
    (
      await client.renameAll(
        journal.entries.flatMap((item) => [
          ...(taken.has(item.name) ? [[at(item.name), at(item.old)] as const] : []),
          [at(item.staging), at(item.name)] as const,
        ]),
      )
    ).length > 0;
  if (taken !== null && !batchFailed) {
    placed = journal.entries.length;
    shareFaultPoint('renamed');
  }
  if (taken === null || batchFailed)
    for (const item of journal.entries) {
      if (!(await client.tree.exists(at(item.staging)))) {
        if (await client.tree.exists(at(item.name))) placed++;
        continue;
      }
      if (await client.tree.exists(at(item.name))) await client.tree.rename(at(item.name), at(item.old));
      await client.tree.rename(at(item.staging), at(item.name));
      placed++;
    }
  for (const item of journal.index) {
    if ((taken === null || batchFailed) && !(await client.tree.exists(at(item.staging)))) continue;
    await client.renameReplace(at(item.staging), at(item.name));
    shareFaultPoint('index-written');
  }
  await bumpGeneration(client);
  await client.remove(at(SHARE_JOURNAL_NAME));
  // Not needed for correctness: a clean-up a kill interrupts is redone by the next writer's sweep.
  const stagingRoots = new Set(journal.entries.map((item) => item.staging.split('/')[0]!));
  for (const item of journal.index) stagingRoots.add(item.staging.split('/')[0]!);
  // Old copies exist only for entries that replaced one (a fresh commit knows which; recovery tries them all).
  const olds = journal.entries.filter((item) => taken === null || batchFailed || taken.has(item.name));
  await client.removeAll([...stagingRoots, ...olds.map((item) => item.old)].map(at)).catch(() => undefined);
  shareFaultPoint('done');
  return placed;
}

/** Under the lock: finishes a publish a killed writer journalled, then removes what killed runs left half-made. */
async function recoverShareFolder(client: ShareClient, report?: (message: StatusMessage) => void): Promise<void> {
  const at = (name: string) => inShareFolder(client.location, name);
  const text = await client.readFileOrNull(at(SHARE_JOURNAL_NAME));
  if (text !== null) {
    const journal = parseJournal(text);
    if (journal) {
      const placed = await rollForward(client, journal, null);
      report?.({
        severity: 'info',
        code: 'COMMIT_COMPLETED',
        message: `Finished the publish of ${placed} backup(s) that an interrupted run left in ${client.location.display}; they are visible from now on.`,
        object: client.location.display,
      });
    } else await client.remove(at(SHARE_JOURNAL_NAME));
  }
  for (const entry of await client.list(client.location.folder)) {
    const name = entry.name;
    const leftover =
      name.startsWith(STAGING_PREFIX) ||
      name.startsWith(OLD_PREFIX) ||
      name.startsWith(SHARE_DEAD_LOCK_PREFIX) ||
      name.startsWith(SHARE_RELEASED_LOCK_PREFIX) ||
      (name.startsWith(ENGINE_PREFIX) && name.endsWith('.tmp'));
    if (leftover) await client.remove(at(name));
  }
}

function parseJournal(text: Buffer): ShareJournal | undefined {
  try {
    const value = JSON.parse(text.toString('utf8')) as Partial<ShareJournal>;
    if (!Array.isArray(value.entries)) return undefined;
    return { entries: value.entries, index: Array.isArray(value.index) ? value.index : [] };
  } catch {
    return undefined;
  }
}

/** Uploads under a temp name, then renames over `name` in one step: a reader finds the old bytes or the new. */
async function putAtomically(client: ShareClient, name: string, content: Buffer): Promise<void> {
  const temp = inShareFolder(client.location, `${ENGINE_PREFIX}${randomBytes(8).toString('hex')}.tmp`);
  await client.writeFile(temp, content);
  await client.renameReplace(temp, inShareFolder(client.location, name));
}

function bumpGeneration(client: ShareClient): Promise<void> {
  return putAtomically(client, SHARE_GENERATION_NAME, Buffer.from(randomBytes(16).toString('hex')));
}

/** The local run's named top-level entries, recursively, as the tar upload wants them (parents first). */
async function* localEntries(localDir: string, names: readonly string[]): AsyncGenerator<SysvolWriteEntry> {
  async function* walk(relative: string): AsyncGenerator<SysvolWriteEntry> {
    const absolute = join(localDir, ...relative.split('/'));
    const info = await lstat(absolute);
    if (info.isDirectory()) {
      yield { path: relative, kind: 'directory' };
      for (const child of (await readdir(absolute)).sort()) yield* walk(`${relative}/${child}`);
    } else if (info.isFile()) {
      yield { path: relative, kind: 'file', size: info.size, content: createReadStream(absolute) };
    } else {
      throw new CofferError(ShareErrorCode.UploadMismatch, `${absolute} is neither a file nor a folder.`, {
        hresult: HRESULT.ERROR_FILE_CORRUPT,
        object: absolute,
      });
    }
  }
  for (const name of names) yield* walk(name);
}

/**
 * Reads the uploaded staging folder back and compares every file, byte for byte (by SHA-256), and the set of
 * names with the local run: core verified the run locally, and this proves the share holds exactly that.
 */
async function checkUpload(client: ShareClient, stagingPath: string, localDir: string, names: string[]): Promise<void> {
  const expected = new Map<string, string>();
  for await (const entry of localEntries(localDir, names))
    expected.set(entry.path, entry.kind === 'file' ? await sha256File(join(localDir, ...entry.path.split('/'))) : '');
  const seen = new Map<string, string>();
  for await (const entry of client.tree.readTree(stagingPath)) {
    if (entry.kind === 'directory') {
      seen.set(entry.path, '');
      continue;
    }
    const hash = createHash('sha256');
    for await (const chunk of entry.content!) hash.update(chunk);
    seen.set(entry.path, hash.digest('hex'));
  }
  const differing = [...expected].filter(([path, digest]) => seen.get(path) !== digest).map(([path]) => path);
  const extra = [...seen.keys()].filter((path) => !expected.has(path));
  if (differing.length > 0 || extra.length > 0) {
    throw new CofferError(
      ShareErrorCode.UploadMismatch,
      `The upload to ${client.location.display} did not come back as written (${[...differing, ...extra].slice(0, 5).join(', ')}); nothing was published.`,
      { hresult: HRESULT.ERROR_FILE_CORRUPT, object: client.location.display, hint: 'Check the share, then retry.' },
    );
  }
}

async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/**
 * Creates a share folder and its parents where missing (`mkdir -p`): for a host that, like the CLI's users with
 * `mkdir -p`, makes the backup folder before the first backup. Coffer itself never creates a destination.
 */
export async function createShareFolder(target: string | SmbShareLocation, options: { account: ShareAccount }) {
  const location = typeof target === 'string' ? parseSmbSharePath(target) : target;
  const client = await openShareClient(location, options.account);
  const parts = location.folder === '' ? [] : location.folder.split('/');
  for (let depth = 1; depth <= parts.length; depth++) await client.mkdir(parts.slice(0, depth).join('/'));
}
