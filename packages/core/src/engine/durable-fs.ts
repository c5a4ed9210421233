import { spawn } from 'node:child_process';
import { open, rename } from 'node:fs/promises';
import { dirname } from 'node:path';
import { childEnvironment } from '../process/child-environment.js';

/**
 * Backups are private: a GPO backup holds full security descriptors (SACLs: what is audited), a DRM backup sealed
 * keys. Every folder Coffer creates in a destination is 0700 and every file 0600. These are the modes asked of
 * mkdir(2)/open(2); the umask can only take bits away, so no umask makes them wider (a file the owner can read is
 * all a backup needs).
 */
export const PRIVATE_FOLDER_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** fsyncs a directory so a rename or create inside it survives a power cut. */
export async function fsyncDirectory(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes a whole file durably: temp file, fsync, rename over the target, fsync the folder. */
export async function writeFileAtomic(
  path: string,
  data: string | Uint8Array,
  mode = PRIVATE_FILE_MODE,
): Promise<void> {
  const temp = `${path}.coffer-${process.pid}-${Math.random().toString(36).slice(2)}.tmp`;
  const handle = await open(temp, 'wx', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
  await fsyncDirectory(dirname(path));
}

let syncfsWorks: boolean | undefined;

/**
 * Makes everything written to the file system holding `path` durable with one syncfs(2), through
 * coreutils' `sync -f`. One call replaces an fsync per file and folder, which for a backup of many
 * small files (300 GPOs are thousands of files) costs more than the copy itself. Returns false where
 * `sync -f` is unavailable (not Linux, old coreutils); the caller then fsyncs file by file.
 */
export async function syncFileSystemOf(path: string): Promise<boolean> {
  if (syncfsWorks === false) return false;
  const ok = await new Promise<boolean>((resolve) => {
    const child = spawn('sync', ['-f', path], { stdio: 'ignore', env: childEnvironment() });
    child.on('error', () => resolve(false));
    child.on('exit', (code) => resolve(code === 0));
  });
  if (!ok) syncfsWorks = false;
  else syncfsWorks = true;
  return ok;
}

/** fsyncs one file. */
export async function fsyncFile(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
