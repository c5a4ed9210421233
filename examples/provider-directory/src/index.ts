/**
 * An example third-party provider: backs up one folder into a Coffer backup directory, lists those backups and
 * restores one into an empty folder. It uses only @coffer/core's public API, the way a provider from npm would,
 * and leaves everything that makes a backup safe to core: it stages into the `target` core opened and locked,
 * and core writes the integrity manifest (with the user's comment), commits atomically when backup() returns,
 * and cleans up after a failure, a cancel or a crash.
 */
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, realpath, rm, stat } from 'node:fs/promises';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import {
  CofferError,
  ENGINE_PREFIX,
  ErrorCode,
  HRESULT,
  INTEGRITY_MANIFEST_NAME,
  defineProvider,
  invalidArgument,
  parseIntegrityManifest,
  pathNotFound,
  verifyBackup,
  type BackupListing,
  type OperationContext,
} from '@coffer/core';

const PROVIDER_ID = 'directory';
const KIND = 'directory';

const backupOptions = z.object({
  source: z.string().min(1).describe('The folder to back up.'),
});

const restoreOptions = z.object({
  target: z.string().min(1).describe('An existing, empty folder to restore into.'),
  backupId: z.string().min(1).optional().describe('Which backup to restore (default: the newest).'),
});

export default defineProvider({
  specificationVersion: 2,
  id: PROVIDER_ID,
  aliases: ['folder'],
  displayName: 'Plain folder',
  description: 'Backs up the files and folders of one folder, byte for byte.',
  examples: {
    backup: ['coffer backup directory --source ./src --out backups --comment "first try"'],
    restore: ['coffer restore directory --from backups --target restored'],
  },
  options: backupOptions,
  restoreOptions,

  async backup({ target, destination, options }, context) {
    const source = resolve(options.source);
    const info = await stat(source).catch(() => undefined);
    if (!info?.isDirectory()) throw pathNotFound(source, 'source folder', 'Name an existing folder with --source.');
    // Compared as real paths, so a symbolic link cannot hide that one lies inside the other.
    if (isInside(await realpath(destination), await realpath(source))) {
      // Each run would copy the earlier backups (and its own lock file) again: refuse before writing anything.
      throw invalidArgument(`The destination ${destination} lies inside the folder it would back up (${source}).`, {
        object: destination,
        hint: 'Back up into a folder outside the source.',
      });
    }
    const tree = await walk(source, context);
    context.progress.phase('copying', tree.files.length);
    // Unique and sortable; a clash (two runs in the same second drawing the same suffix) fails at commit, never overwrites.
    const stamp = new Date().toISOString().replaceAll(':', '').replace(/\..*/, '');
    const id = `${basename(source) || 'root'}-${stamp}-${Math.random().toString(36).slice(2, 6)}`;
    // Core seals the entry (integrity manifest, with the comment) and commits it when backup() returns.
    const entry = await target.stage(id, { kind: KIND, metadata: { source } });
    for (const folder of tree.emptyFolders) await entry.mkdir(folder);
    let bytes = 0;
    for (const file of tree.files) {
      context.throwIfCancelled();
      const written = await entry.writeFile(file, createReadStream(join(source, ...file.split('/'))));
      bytes += written.size;
      context.progress.advance(file);
    }
    return {
      backups: [{ id, path: entry.finalPath, kind: KIND, objectId: source, objectName: basename(source) }],
      counts: { files: tree.files.length, folders: tree.folders, bytes },
    };
  },

  list: ({ source, query }, context) => listBackups(source, query, context),

  async restore({ source, options }, context) {
    const target = resolve(options.target);
    const info = await stat(target).catch(() => undefined);
    if (!info?.isDirectory())
      throw pathNotFound(target, 'restore target folder', 'Create an empty folder and name it with --target.');
    if ((await readdir(target)).length > 0) {
      throw new CofferError(ErrorCode.AlreadyExists, `The restore target ${target} is not empty.`, {
        hresult: HRESULT.ERROR_ALREADY_EXISTS,
        object: target,
        hint: 'Restore into an empty folder so nothing is overwritten.',
      });
    }
    const backups = await listBackups(source, undefined, context);
    const chosen = options.backupId ? backups.find((b) => b.id === options.backupId) : backups[0];
    if (!chosen) {
      const which = options.backupId ? `folder backup ${options.backupId}` : 'folder backup';
      throw new CofferError(ErrorCode.NotFound, `No ${which} in ${source}.`, {
        hresult: HRESULT.ERROR_NOT_FOUND,
        object: source,
        hint: 'coffer list shows the backups there.',
      });
    }
    // Re-hash the backup against its manifest first: a damaged backup is refused rather than restored half right.
    // This also guards the copy below: every manifest path was found as a regular file inside the backup folder.
    const verification = await verifyBackup(chosen.path, { signal: context.signal });
    if (!verification.ok) {
      const problems = verification.problems.map((p) => `${p.kind} ${p.path}`).join(', ');
      throw new CofferError(ErrorCode.IntegrityMismatch, `The backup ${chosen.id} is damaged: ${problems}.`, {
        object: chosen.path,
        hint: 'Restore another backup (--backup-id); coffer verify lists what is wrong.',
      });
    }
    const manifest = parseIntegrityManifest(
      await readFile(join(chosen.path, INTEGRITY_MANIFEST_NAME), 'utf8'),
      chosen.id,
    );
    context.progress.phase('restoring', manifest.files.length + manifest.directories.length);
    try {
      for (const folder of manifest.directories) {
        await mkdir(join(target, ...folder.split('/')), { recursive: true });
        context.progress.advance(`${folder}/`);
      }
      for (const file of manifest.files) {
        context.throwIfCancelled();
        const to = join(target, ...file.path.split('/'));
        await mkdir(resolve(to, '..'), { recursive: true });
        await copyFile(join(chosen.path, ...file.path.split('/')), to);
        context.progress.advance(file.path);
      }
    } catch (error) {
      // The target was empty when we started: empty it again, so a cancelled or failed restore leaves no half copy.
      for (const name of await readdir(target)) await rm(join(target, name), { recursive: true, force: true });
      throw error;
    }
    return {
      restored: [
        { kind: KIND, objectId: chosen.objectId ?? '', objectName: chosen.objectName ?? '', fromBackupId: chosen.id },
      ],
      counts: { files: manifest.files.length, folders: manifest.directories.length },
    };
  },
});

/** This provider's backups in a directory, newest first. Unreadable manifests are reported, not fatal. */
async function listBackups(
  source: string,
  query: string | undefined,
  context: OperationContext,
): Promise<BackupListing[]> {
  const listings: BackupListing[] = [];
  for (const entry of await readdir(source, { withFileTypes: true })) {
    // Staging folders of a run in progress already hold a manifest: only committed backups count.
    if (!entry.isDirectory() || entry.name.startsWith(ENGINE_PREFIX)) continue;
    const manifestPath = join(source, entry.name, INTEGRITY_MANIFEST_NAME);
    const text = await readFile(manifestPath, 'utf8').catch(() => undefined);
    if (text === undefined) continue; // not a Coffer backup (another tool's folder)
    let manifest;
    try {
      manifest = parseIntegrityManifest(text, manifestPath);
    } catch (error) {
      context.report({
        severity: 'warning',
        code: 'MANIFEST_UNREADABLE',
        message: (error as Error).message,
        object: manifestPath,
      });
      continue;
    }
    if (manifest.provider !== PROVIDER_ID) continue;
    const origin = String(manifest.metadata?.source ?? '');
    // Core stored the comment; backups written before core 2.0 kept it in the metadata.
    const comment = manifest.comment ?? manifest.metadata?.comment;
    if (query && !`${entry.name} ${origin}`.toLowerCase().includes(query.toLowerCase())) continue;
    listings.push({
      id: entry.name,
      path: join(source, entry.name),
      kind: manifest.kind,
      objectId: origin,
      objectName: basename(origin),
      createdAt: manifest.createdAt,
      ...(comment === undefined ? {} : { comment: String(comment) }),
      details: { files: manifest.files.length },
    });
  }
  return listings.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
}

/**
 * The regular files (and the empty folders, which a restore must recreate) under `root`, as `/`-separated paths.
 * Anything else (symbolic links, sockets, devices) is not copied, and each one is reported as a warning so the
 * backup never drops it silently.
 */
async function walk(
  root: string,
  context: OperationContext,
): Promise<{ files: string[]; emptyFolders: string[]; folders: number }> {
  const files: string[] = [];
  const emptyFolders: string[] = [];
  let folders = 0;
  const visit = async (dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    if (entries.length === 0 && dir !== root) emptyFolders.push(toBackupPath(root, dir));
    for (const entry of entries) {
      const absolute = join(dir, entry.name);
      if (entry.name.includes('\\')) {
        // Core's backup paths treat a backslash as a separator (Windows names), so `a\b` would come back as a/b.
        context.report({
          severity: 'warning',
          code: 'UNSUPPORTED_NAME',
          message: `Skipped ${toBackupPath(root, absolute)}: a name with a backslash cannot be kept as it is.`,
          object: absolute,
        });
      } else if (entry.isDirectory()) {
        folders += 1;
        await visit(absolute);
      } else if (entry.isFile()) files.push(toBackupPath(root, absolute));
      else {
        context.report({
          severity: 'warning',
          code: 'NOT_A_REGULAR_FILE',
          message: `Skipped ${toBackupPath(root, absolute)}: only regular files and folders are backed up.`,
          object: absolute,
        });
      }
    }
  };
  await visit(root);
  return { files: files.sort(), emptyFolders: emptyFolders.sort(), folders };
}

function toBackupPath(root: string, absolute: string): string {
  return relative(root, absolute).split(sep).join('/');
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
