/**
 * An example third-party provider: backs up one folder into a Coffer backup directory.
 * It uses only @coffer/core's public API, the way a provider from npm would.
 */
import { createReadStream } from 'node:fs';
import { copyFile, mkdir, readFile, readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import {
  BackupDestination,
  CofferError,
  ErrorCode,
  HRESULT,
  INTEGRITY_MANIFEST_NAME,
  defineProvider,
  parseIntegrityManifest,
  pathNotFound,
  z,
  type BackupListing,
} from '@coffer/core';

const backupOptions = z.object({
  source: z.string().min(1).describe('The folder to back up.'),
});

const restoreOptions = z.object({
  target: z.string().min(1).describe('An existing, empty folder to restore into.'),
  backupId: z.string().optional().describe('Which backup to restore (default: the newest).'),
});

const PROVIDER_ID = 'directory';

export default defineProvider({
  specificationVersion: 1,
  id: PROVIDER_ID,
  displayName: 'Plain folder',
  description: 'Backs up the files of one folder, byte for byte.',
  capabilities: { backup: true, restore: true, list: true },
  options: backupOptions,
  restoreOptions,

  async backup({ destination, options }, context) {
    const source = resolve(options.source);
    const info = await stat(source).catch(() => undefined);
    if (!info?.isDirectory()) throw pathNotFound(source, 'source folder', 'Name an existing folder with --source.');
    const files = await listFiles(source);
    context.progress.phase('copying', files.length + 1);
    const target = await BackupDestination.open(destination, { providerId: PROVIDER_ID, signal: context.signal });
    try {
      const id = `${basename(source)}-${new Date().toISOString().replaceAll(':', '').replace(/\..*/, '')}-${Math.random().toString(36).slice(2, 6)}`;
      const entry = await target.stage(id, { kind: 'directory', metadata: { source } });
      let bytes = 0;
      for (const file of files) {
        context.throwIfCancelled();
        const written = await entry.writeFile(file, createReadStream(join(source, ...file.split('/'))));
        bytes += written.size;
        context.progress.advance(file);
      }
      const [committed] = await target.commit([entry]);
      context.progress.advance(id);
      return {
        backups: [{ id, path: committed!.path, kind: 'directory', objectId: source, objectName: basename(source) }],
        counts: { files: files.length, bytes },
      };
    } finally {
      await target.close();
    }
  },

  async list({ source, query }) {
    const listings: BackupListing[] = [];
    for (const name of await readdir(source)) {
      const manifestText = await readFile(join(source, name, INTEGRITY_MANIFEST_NAME), 'utf8').catch(() => undefined);
      if (manifestText === undefined) continue;
      const manifest = parseIntegrityManifest(manifestText, name);
      if (manifest.provider !== PROVIDER_ID) continue;
      const origin = String(manifest.metadata?.source ?? '');
      if (query && !`${name} ${origin}`.toLowerCase().includes(query.toLowerCase())) continue;
      listings.push({ id: name, path: join(source, name), kind: 'directory', objectId: origin, objectName: basename(origin), createdAt: manifest.createdAt });
    }
    return listings.sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''));
  },

  async restore({ source, options }, context) {
    const target = resolve(options.target);
    const info = await stat(target).catch(() => undefined);
    if (!info?.isDirectory()) throw pathNotFound(target, 'restore target folder');
    if ((await readdir(target)).length > 0) {
      throw new CofferError(ErrorCode.AlreadyExists, `The restore target ${target} is not empty.`, {
        hresult: HRESULT.ERROR_ALREADY_EXISTS,
        object: target,
        hint: 'Restore into an empty folder so nothing is overwritten.',
      });
    }
    const backups = await this.list!({ source }, context);
    const chosen = options.backupId ? backups.find((b) => b.id === options.backupId) : backups[0];
    if (!chosen) {
      throw new CofferError(ErrorCode.NotFound, `No folder backup ${options.backupId ?? ''} in ${source}.`, {
        hresult: HRESULT.ERROR_NOT_FOUND,
        object: source,
      });
    }
    const manifest = parseIntegrityManifest(await readFile(join(chosen.path, INTEGRITY_MANIFEST_NAME), 'utf8'), chosen.id);
    context.progress.phase('restoring', manifest.files.length);
    for (const file of manifest.files) {
      context.throwIfCancelled();
      const to = join(target, ...file.path.split('/'));
      await mkdir(resolve(to, '..'), { recursive: true });
      await copyFile(join(chosen.path, ...file.path.split('/')), to);
      context.progress.advance(file.path);
    }
    return { restored: [{ kind: 'directory', objectId: String(manifest.metadata?.source ?? ''), fromBackupId: chosen.id }], counts: { files: manifest.files.length } };
  },
});

async function listFiles(root: string): Promise<string[]> {
  const out: string[] = [];
  const visit = async (dir: string) => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const absolute = join(dir, entry.name);
      if (entry.isDirectory()) await visit(absolute);
      else if (entry.isFile()) out.push(relative(root, absolute).split(sep).join('/'));
    }
  };
  await visit(root);
  return out.sort();
}
