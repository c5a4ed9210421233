import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { cancelledError, pathNotFound } from '../errors/coffer-error.js';
import type { ProgressTracker } from '../operation/progress.js';
import { ENGINE_PREFIX } from './backup-destination.js';
import { INTEGRITY_MANIFEST_NAME, parseIntegrityManifest, type IntegrityManifest } from './integrity-manifest.js';
import { LOCK_NAME } from './lock.js';

export type VerifyProblemKind = 'missing' | 'extra' | 'truncated' | 'altered' | 'manifest-unreadable';

export interface VerifyProblem {
  kind: VerifyProblemKind;
  /** Path inside the backup, `/`-separated. */
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
  /** Folders that look like backups but carry no Coffer manifest (e.g. written by GPMC): nothing to check them against. */
  unverifiable: string[];
}

export interface VerifyOptions {
  signal?: AbortSignal;
  progress?: ProgressTracker;
}

/** Re-reads and re-hashes one backup against its integrity manifest. */
export async function verifyBackup(path: string, options: VerifyOptions = {}): Promise<BackupVerification> {
  const id = path.split(sep).pop() ?? path;
  let manifest: IntegrityManifest;
  try {
    manifest = parseIntegrityManifest(await readFile(join(path, INTEGRITY_MANIFEST_NAME), 'utf8'), join(path, INTEGRITY_MANIFEST_NAME));
  } catch (error) {
    return {
      path,
      id,
      ok: false,
      filesChecked: 0,
      bytesChecked: 0,
      problems: [{ kind: 'manifest-unreadable', path: INTEGRITY_MANIFEST_NAME, detail: (error as Error).message }],
    };
  }
  const problems: VerifyProblem[] = [];
  const onDisk = await walk(path);
  const expectedFiles = new Map(manifest.files.map((file) => [file.path, file]));
  const expectedDirs = new Set(manifest.directories);
  options.progress?.addTotal(manifest.files.length);
  let bytesChecked = 0;
  let filesChecked = 0;
  for (const file of manifest.files) {
    if (options.signal?.aborted) throw cancelledError(path);
    const absolute = join(path, ...file.path.split('/'));
    const actual = onDisk.files.get(file.path);
    if (actual === undefined) {
      problems.push({ kind: 'missing', path: file.path, detail: `expected ${file.size} bytes, file is gone` });
    } else {
      const sha256 = await hashFile(absolute);
      bytesChecked += actual;
      filesChecked += 1;
      if (actual < file.size) {
        problems.push({ kind: 'truncated', path: file.path, detail: `${actual} of ${file.size} bytes` });
      } else if (actual !== file.size || sha256 !== file.sha256) {
        problems.push({
          kind: 'altered',
          path: file.path,
          detail: actual !== file.size ? `size ${actual}, expected ${file.size}` : `SHA-256 ${sha256}, expected ${file.sha256}`,
        });
      }
    }
    options.progress?.advance(file.path);
  }
  for (const [file] of onDisk.files) {
    if (!expectedFiles.has(file)) problems.push({ kind: 'extra', path: file, detail: 'not in the manifest' });
  }
  for (const dir of expectedDirs) {
    if (!onDisk.directories.has(dir)) problems.push({ kind: 'missing', path: `${dir}/`, detail: 'folder is gone' });
  }
  for (const dir of onDisk.directories) {
    if (!expectedDirs.has(dir)) problems.push({ kind: 'extra', path: `${dir}/`, detail: 'folder not in the manifest' });
  }
  return {
    path,
    id: manifest.id,
    provider: manifest.provider,
    kind: manifest.kind,
    ok: problems.length === 0,
    filesChecked,
    bytesChecked,
    problems,
  };
}

/**
 * Verifies a path that is either one backup (it holds a Coffer manifest) or a backup
 * directory holding several (each sub-folder with a manifest is checked).
 */
export async function verifyDirectory(path: string, options: VerifyOptions = {}): Promise<DirectoryVerification> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) throw pathNotFound(path, 'backup directory', 'Name the directory that holds the backups.');
  if (await isFile(join(path, INTEGRITY_MANIFEST_NAME))) {
    const single = await verifyBackup(path, options);
    return { path, ok: single.ok, backups: [single], unverifiable: [] };
  }
  const backups: BackupVerification[] = [];
  const unverifiable: string[] = [];
  // Engine state (staging, old copies) and a writer's lock are not backups.
  const children = (await readdir(path, { withFileTypes: true })).filter(
    (d) => d.isDirectory() && !d.name.startsWith(ENGINE_PREFIX) && d.name !== LOCK_NAME,
  );
  children.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const child of children) {
    const childPath = join(path, child.name);
    if (await isFile(join(childPath, INTEGRITY_MANIFEST_NAME))) backups.push(await verifyBackup(childPath, options));
    else unverifiable.push(childPath);
  }
  return { path, ok: backups.every((b) => b.ok), backups, unverifiable };
}

async function walk(root: string): Promise<{ files: Map<string, number>; directories: Set<string> }> {
  const files = new Map<string, number>();
  const directories = new Set<string>();
  const visit = async (dir: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const absolute = join(dir, entry.name);
      const rel = relative(root, absolute).split(sep).join('/');
      if (dir === root && (entry.name === INTEGRITY_MANIFEST_NAME || entry.name === LOCK_NAME)) continue;
      if (entry.isDirectory()) {
        directories.add(rel);
        await visit(absolute);
      } else {
        files.set(rel, (await stat(absolute)).size);
      }
    }
  };
  await visit(root);
  return { files, directories };
}

async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}
