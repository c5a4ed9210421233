import { createHash, randomBytes } from 'node:crypto';
import fs, { readFileSync, writeFileSync } from 'node:fs';
import { readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { CofferError, ErrorCode } from '../errors/coffer-error.js';
import { HRESULT } from '../errors/hresult.js';
import { currentOperation } from '../operation/current-operation.js';
import type { StatusMessage } from '../operation/messages.js';

export const LOCK_NAME = '.coffer.lock';
/** Inside the lock folder: who holds it (see {@link LockOwner}). */
const OWNER_FILE = 'owner.json';
/** A dead owner's lock folder is renamed to this prefix before it is removed, so two takers cannot both remove it. */
export const DEAD_LOCK_PREFIX = `${LOCK_NAME}.dead-`;

/**
 * Who holds a lock: enough to tell, on the same host, whether that process is still running.
 * A pid alone is not enough (pids are reused), so the process's start time (field 22 of
 * /proc/<pid>/stat, clock ticks since boot) and the boot id (a reboot restarts both) go with it.
 */
export interface LockOwner {
  pid: number;
  hostname: string;
  /** Field 22 of /proc/<pid>/stat; null where /proc is not available. */
  startTime: string | null;
  /** /proc/sys/kernel/random/boot_id; null where it is not available. */
  bootId: string | null;
  /** When the lock was taken (ISO 8601), for messages. */
  acquiredAt: string;
}

export interface DirectoryLock {
  release(): Promise<void>;
  /** Set when another process stole a lock we failed to refresh (machine suspended, clock jump). */
  readonly compromised: Error | undefined;
  /** The owner whose lock this one replaced because that process was gone (see {@link lockDirectory}). */
  readonly tookOverFrom: LockOwner | undefined;
}

export interface LockOptions {
  /** A lock not refreshed for this long is taken to belong to a dead process (min 2000 ms). */
  staleMs?: number;
  /** Where a takeover is reported (`LOCK_TAKEN_OVER`, info); default: the operation this runs in (runBackup...). */
  report?: (message: StatusMessage) => void;
}

/**
 * Locks a directory against a concurrent writer, with `<dir>/.coffer.lock` (mkdir is atomic; the
 * lock's mtime is refreshed while held). The holder records itself in the lock (`owner.json`:
 * pid, host, process start time, boot id), so a lock whose owner is visibly gone on this host — a
 * run killed with SIGKILL, or one that crashed before releasing — is taken over at once, and the
 * caller is told (`tookOverFrom`). A lock held by a live process, by another host, or with no
 * readable owner (its holder was killed in the instant between creating it and recording itself)
 * keeps the old rule: it blocks until it is `staleMs` old. A takeover is reported (`LOCK_TAKEN_OVER`)
 * to `options.report`, or else to the operation this runs in, whoever locks: a backup destination,
 * or a provider's own store (the DRM license store).
 */
export async function lockDirectory(directory: string, options: LockOptions = {}): Promise<DirectoryLock> {
  const staleMs = Math.max(2000, options.staleMs ?? 10_000);
  const lockPath = join(directory, LOCK_NAME);
  // A dead owner's lock is taken over before proper-lockfile looks at it, so that a lock which is
  // also stale by then is still reported as taken over from its owner.
  let tookOverFrom = await takeOverIfOwnerIsGone(lockPath);
  for (let attempt = 0; ; attempt++) {
    try {
      const lock = await acquire(directory, lockPath, staleMs, tookOverFrom);
      sweepReleasedLocks(directory);
      if (tookOverFrom) {
        const owner = tookOverFrom;
        const message: StatusMessage = {
          severity: 'info',
          code: 'LOCK_TAKEN_OVER',
          message: `Took over the lock on ${directory}: the run that held it (process ${owner.pid} on ${owner.hostname}, locked at ${owner.acquiredAt}) is no longer running.`,
          object: directory,
        };
        if (options.report) options.report(message);
        else currentOperation()?.report(message);
      }
      return lock;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      // Once more, in case the owner recorded itself just after the first look; if the lock is held
      // again after a takeover, a live process won the race.
      const dead = attempt === 0 && tookOverFrom === undefined ? await takeOverIfOwnerIsGone(lockPath) : undefined;
      if (dead) {
        tookOverFrom = dead;
        continue;
      }
      // A caller with its own word for "busy" (the DRM store's NS_E_DRM_BACKUPRESTORE_BUSY) maps this code.
      throw new CofferError(ErrorCode.DestinationLocked, `Another Coffer process is writing to ${directory}.`, {
        hresult: HRESULT.ERROR_SHARING_VIOLATION,
        object: directory,
        hint: `Wait for it to finish. A lock whose process is gone from this host is taken over at once; one of another host or without an owner goes stale after ${Math.round(staleMs / 1000)} s.`,
      });
    }
  }
}

async function acquire(
  directory: string,
  lockPath: string,
  staleMs: number,
  tookOverFrom: LockOwner | undefined,
): Promise<DirectoryLock> {
  let compromised: Error | undefined;
  // Loaded by the first lock, not with core: proper-lockfile and graceful-fs under it cost every process that imports
  // core (coffer report, diff, list) start-up time, and only writers lock.
  const { default: lockfile } = await import('proper-lockfile');
  const release = await lockfile.lock(directory, {
    lockfilePath: lockPath,
    stale: staleMs,
    update: Math.max(1000, Math.floor(staleMs / 2)),
    realpath: false,
    retries: 0,
    fs: lockFs,
    onCompromised: (error) => {
      compromised = error;
    },
  });
  // The owner record came with the lock folder itself (see lockFs.mkdir): there is no instant in which a killed
  // holder leaves a lock without an owner.
  return {
    release: async () => {
      await release().catch((error: NodeJS.ErrnoException) => {
        // Already released or compromised: nothing left to undo.
        if (error.code !== 'ERELEASED' && error.code !== 'ENOTACQUIRED') throw error;
      });
    },
    get compromised() {
      return compromised;
    },
    tookOverFrom,
  };
}

/**
 * The file system proper-lockfile works through, except that removing the lock folder (its
 * release, its exit handler, its removal of a stale lock) removes the owner file in it too: it
 * removes with rmdir, which needs the folder empty.
 */
const lockFs = {
  ...fs,
  /**
   * The lock folder appears with its owner file already in it: built under a private name, then renamed into place
   * in one step, which fails while a lock (a folder with its owner file) is there, as mkdir would.
   */
  mkdir: (path: string, callback: (error: NodeJS.ErrnoException | null) => void) => {
    // rename() would replace an empty folder: a lock without an owner (an older Coffer's, taken in the instant before
    // it recorded itself) must keep blocking until it is stale, as mkdir made it.
    if (fs.existsSync(path)) {
      callback(Object.assign(new Error(`EEXIST: lock held, ${path}`), { code: 'EEXIST' }));
      return;
    }
    const building = join(dirname(path), acquiringName());
    try {
      fs.mkdirSync(building, { mode: 0o700 });
      writeFileSync(join(building, OWNER_FILE), JSON.stringify(currentOwner()), { mode: 0o600 });
    } catch (error) {
      fs.rmSync(building, { recursive: true, force: true });
      callback(error as NodeJS.ErrnoException);
      return;
    }
    fs.rename(building, path, (error) => {
      if (!error) {
        callback(null);
        return;
      }
      fs.rmSync(building, { recursive: true, force: true });
      // Taken (a lock with its owner inside, or in the way as a file), or this folder swept by the holder: busy.
      const taken = ['ENOTEMPTY', 'EEXIST', 'ENOTDIR', 'EISDIR', 'ENOENT'].includes(error.code ?? '');
      callback(taken ? Object.assign(new Error(`EEXIST: lock held, ${path}`), { code: 'EEXIST' }) : error);
    });
  },
  rmdir: (path: string, callback: (error: NodeJS.ErrnoException | null) => void) => {
    const aside = releasedName(path);
    fs.rename(path, aside, (error) =>
      error ? callback(error) : fs.rm(aside, { recursive: true, force: true }, callback),
    );
  },
  rmdirSync: (path: string) => {
    const aside = releasedName(path);
    fs.renameSync(path, aside);
    fs.rmSync(aside, { recursive: true, force: true });
  },
};

/**
 * Removing the lock folder takes two steps (its owner file, then the folder): a holder killed between them
 * would leave a lock without an owner, which blocks every run until it is stale. So the folder is first
 * renamed out of the way (one atomic step that frees the lock); what a kill leaves after that is only a
 * `.coffer.lock.released-…` folder, which no one ever puts back and the next holder removes.
 */
export const RELEASED_LOCK_PREFIX = `${LOCK_NAME}.released-`;
/** A lock folder being built with its owner file before it is renamed into place (see lockFs.mkdir). */
const ACQUIRING_LOCK_PREFIX = `${LOCK_NAME}.acquiring-`;

function releasedName(lockPath: string): string {
  return join(dirname(lockPath), `${RELEASED_LOCK_PREFIX}${randomBytes(8).toString('hex')}`);
}

/** Removes what killed holders left while releasing (see {@link RELEASED_LOCK_PREFIX}); runs under the lock. */
function sweepReleasedLocks(directory: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(directory);
  } catch {
    return;
  }
  for (const name of names) {
    if (name.startsWith(RELEASED_LOCK_PREFIX)) fs.rmSync(join(directory, name), { recursive: true, force: true });
    // A lock another run was building when it was killed: its owner is gone (or it never recorded one a while ago).
    if (name.startsWith(ACQUIRING_LOCK_PREFIX) && abandoned(join(directory, name)))
      fs.rmSync(join(directory, name), { recursive: true, force: true });
  }
}

/**
 * The private name a lock folder is built under. It says whose it is (pid, process start time, a tag of the host) from
 * the instant it exists, because a run killed between the mkdir and the owner file's write leaves a folder with no
 * owner inside, and the next run must be able to tell at once that its builder is gone (an age rule alone left such a
 * folder behind whenever the next run came within seconds). Without /proc the start time is unknown: the name is
 * anonymous and only the age rule applies.
 */
function acquiringName(): string {
  const { pid, startTime } = currentOwner();
  const random = randomBytes(8).toString('hex');
  return startTime === null
    ? `${ACQUIRING_LOCK_PREFIX}${random}`
    : `${ACQUIRING_LOCK_PREFIX}${pid}.${startTime}.${hostTag()}-${random}`;
}

const OWNED_ACQUIRING_NAME = /^\.coffer\.lock\.acquiring-(\d+)\.(\d+)\.([0-9a-f]{8})-[0-9a-f]{16}$/;

/** Eight hex digits of the host's name: enough to tell this host's folders from another's on a shared directory. */
function hostTag(): string {
  hostTagCache ??= createHash('sha256').update(hostname()).digest('hex').slice(0, 8);
  return hostTagCache;
}
let hostTagCache: string | undefined;

function abandoned(folder: string): boolean {
  const named = OWNED_ACQUIRING_NAME.exec(basename(folder));
  if (named !== null && named[3] === hostTag())
    return isGone({ pid: Number(named[1]), hostname: hostname(), startTime: named[2]!, bootId: null, acquiredAt: '' });
  // Another host's, or an anonymous one: its owner file if it has one, else its age.
  try {
    const owner = JSON.parse(readFileSync(join(folder, OWNER_FILE), 'utf8')) as LockOwner;
    return isGone(owner);
  } catch {
    try {
      return Date.now() - fs.statSync(folder).mtimeMs > 10_000;
    } catch {
      return false;
    }
  }
}

/**
 * Removes a lock whose recorded owner is gone from this host, and returns that owner; undefined
 * (the lock stays) when the owner is alive, on another host, or not recorded. The lock folder is
 * first renamed to a unique name, an atomic step only one taker can win; what was renamed is
 * checked again, and should it be a lock someone took in between, it is put back.
 */
async function takeOverIfOwnerIsGone(lockPath: string): Promise<LockOwner | undefined> {
  const owner = await readOwner(lockPath);
  if (!owner || !isGone(owner)) return undefined;
  const aside = `${DEAD_LOCK_PREFIX}${randomBytes(8).toString('hex')}`;
  const asidePath = join(lockPath, '..', aside);
  try {
    await rename(lockPath, asidePath);
  } catch {
    return undefined; // another run moved it first: back to the normal attempt, which reports what it finds
  }
  const moved = await readOwner(asidePath);
  if (!moved || !sameOwner(moved, owner)) {
    await rename(asidePath, lockPath).catch(() => undefined);
    return undefined;
  }
  await rm(asidePath, { recursive: true, force: true });
  return owner;
}

async function readOwner(lockPath: string): Promise<LockOwner | undefined> {
  try {
    const value = JSON.parse(await readFile(join(lockPath, OWNER_FILE), 'utf8')) as Partial<LockOwner>;
    if (typeof value.pid !== 'number' || typeof value.hostname !== 'string') return undefined;
    return value as LockOwner;
  } catch {
    return undefined;
  }
}

function sameOwner(a: LockOwner, b: LockOwner): boolean {
  return (
    a.pid === b.pid &&
    a.hostname === b.hostname &&
    a.startTime === b.startTime &&
    a.bootId === b.bootId &&
    a.acquiredAt === b.acquiredAt
  );
}

/** Whether the process that recorded `owner` is certainly not running: only ever true for this host. */
export function isGone(owner: LockOwner): boolean {
  if (owner.hostname !== hostname()) return false;
  const bootId = readBootId();
  if (owner.bootId !== null && bootId !== null && owner.bootId !== bootId) return true; // the machine restarted since
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  // A process has that pid: the same one only if it started at the same instant.
  const startTime = processStartTime(owner.pid);
  return owner.startTime !== null && startTime !== null && startTime !== owner.startTime;
}

/**
 * This process as a lock owner (pid, host, start time, boot id): what a lock kept elsewhere (an SMB share) records,
 * so that {@link isGone} can later tell whether its holder still runs.
 */
export function currentOwner(): LockOwner {
  return {
    pid: process.pid,
    hostname: hostname(),
    startTime: processStartTime(process.pid),
    bootId: readBootId(),
    acquiredAt: new Date().toISOString(),
  };
}

/** Field 22 (starttime) of /proc/<pid>/stat; the fields are counted after the command name, which may hold spaces and parentheses. */
export function processStartTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[22 - 3] ?? null;
  } catch {
    return null;
  }
}

let bootIdCache: string | null | undefined;
function readBootId(): string | null {
  if (bootIdCache === undefined) {
    try {
      bootIdCache = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootIdCache = null;
    }
  }
  return bootIdCache;
}
