/**
 * The private local folders of share reads and writes: the snapshot a reader downloads, the mirror a run is written
 * into before it is published. Each is removed when its run ends, but a run killed (kill -9, a power cut) cannot remove
 * it, and it holds copies of backups. So a folder's name says whose it is (the process id and that process's start
 * time, which a reused id does not repeat), and making a new one first removes those whose process is gone.
 */
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { currentLockOwner, isLockOwnerGone } from '@coffer/core';

const PREFIX = 'coffer-share-';
/** `coffer-share-<pid>.<start>-<mkdtemp's 6 characters>`; a folder named otherwise is never touched. */
const OWNED_NAME = /^coffer-share-(\d+)\.(\d+)-[A-Za-z0-9]{6}$/;

/** A new private folder under `tempRoot` (the system temp folder by default), after the sweep of orphaned ones. */
export async function makeShareTemp(tempRoot: string = tmpdir()): Promise<string> {
  await removeOrphanedShareTemps(tempRoot);
  // The same facts as a lock's owner (core's lock tells a dead holder the same way). Without /proc (not Linux) the
  // owner cannot be told from a later process with the same id: such a folder is named the old way, never swept.
  const { pid, startTime } = currentLockOwner();
  return mkdtemp(join(tempRoot, startTime === null ? PREFIX : `${PREFIX}${pid}.${startTime}-`));
}

/**
 * Removes the folders of processes that are gone: only this user's real folders (not a link named like one), and
 * only when the process that made it is provably not running (no such id, or one started at another time). Best
 * effort: a folder that cannot be removed is left for a later sweep.
 */
export async function removeOrphanedShareTemps(tempRoot: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(tempRoot);
  } catch {
    return;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const owner = OWNED_NAME.exec(name);
    if (owner === null || !ownerGone(Number(owner[1]), owner[2]!)) continue;
    const path = join(tempRoot, name);
    try {
      const info = await lstat(path);
      if (!info.isDirectory() || (uid !== undefined && info.uid !== uid)) continue;
      await rm(path, { recursive: true, force: true });
    } catch {
      // Gone already, or not ours to remove.
    }
  }
}

function ownerGone(pid: number, startTime: string): boolean {
  return isLockOwnerGone({ pid, hostname: hostname(), startTime, bootId: null, acquiredAt: '' });
}
