import { randomBytes } from 'node:crypto';
import {
  CofferError,
  HRESULT,
  LOCK_NAME,
  isLockOwnerGone,
  currentLockOwner,
  type LockOwner,
  type StatusMessage,
} from '@coffer/core';
import type { ShareClient } from './share-client.js';
import { ShareErrorCode } from './share-errors.js';
import { inShareFolder } from './share-path.js';

/** Core's lock folder name, in the share folder: readers of a downloaded copy hide it as they hide core's own. */
export const SHARE_LOCK_NAME = LOCK_NAME;
const OWNER_FILE = 'owner.json';
export const SHARE_DEAD_LOCK_PREFIX = `${LOCK_NAME}.dead-`;
export const SHARE_RELEASED_LOCK_PREFIX = `${LOCK_NAME}.released-`;

/** Core's owner record plus when the holder last said it is alive: the only sign another host can read. */
interface ShareLockOwner extends LockOwner {
  refreshedAt: string;
}

export interface ShareLockOptions {
  /** A lock of another host whose owner record was not refreshed for this long is stale (default 120 000 ms). */
  staleMs?: number;
  /** How long a lock folder without an owner record may stay so before it counts as a killed taker's (default 5 000 ms). */
  ownerlessGraceMs?: number;
  report?: (message: StatusMessage) => void;
}

export interface ShareLock {
  release(): Promise<void>;
}

/**
 * Locks a share folder against other Coffer writers, as core locks a local one: an atomic `mkdir` of
 * `.coffer.lock` (SMB create of a folder fails with NT_STATUS_OBJECT_NAME_COLLISION when it exists), then the owner
 * record inside. A lock whose owner is visibly gone from this host (core's rule: pid, process start time) is taken
 * over at once; another host's lock when its owner stopped refreshing its record (every staleMs/4) for staleMs;
 * a lock with no owner record (its taker was killed between the mkdir and the record) after ownerlessGraceMs.
 * Takeover renames the folder aside first — one atomic step only one taker wins — as core does.
 */
export async function lockShareFolder(client: ShareClient, options: ShareLockOptions = {}): Promise<ShareLock> {
  const staleMs = Math.max(10_000, options.staleMs ?? 120_000);
  const graceMs = options.ownerlessGraceMs ?? 5_000;
  const { location } = client;
  const lockPath = inShareFolder(location, SHARE_LOCK_NAME);
  const ownerPath = `${lockPath}/${OWNER_FILE}`;
  const self = currentLockOwner();
  const owner: ShareLockOwner = { ...self, refreshedAt: self.acquiredAt };
  let ownerlessSince: number | undefined;
  for (let attempt = 0; ; attempt++) {
    if (await client.mkdir(lockPath)) break;
    const holder = await readOwner(client, ownerPath);
    const stale = holder
      ? isLockOwnerGone(holder) ||
        (holder.hostname !== owner.hostname && Date.now() - Date.parse(holder.refreshedAt) > staleMs)
      : ownerlessSince !== undefined && Date.now() - ownerlessSince >= graceMs;
    if (!holder) ownerlessSince ??= Date.now();
    if (stale && (await takeOver(client, lockPath, holder))) {
      const message = holder
        ? `Took over the lock on ${location.display}: the run that held it (process ${holder.pid} on ${holder.hostname}, locked at ${holder.acquiredAt}) is no longer running.`
        : `Took over the lock on ${location.display}: it had no owner (its taker was killed before recording itself).`;
      options.report?.({ severity: 'info', code: 'LOCK_TAKEN_OVER', message, object: location.display });
      continue;
    }
    if (!holder && attempt < Math.ceil(graceMs / 500) + 1) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      continue;
    }
    throw new CofferError(ShareErrorCode.Locked, `Another Coffer process is writing to ${location.display}.`, {
      hresult: HRESULT.ERROR_SHARING_VIOLATION,
      object: location.display,
      hint: holder
        ? `It is process ${holder.pid} on ${holder.hostname} (since ${holder.acquiredAt}). Wait for it to finish; a lock of a process gone from this host is taken over at once, another host's once it has not been refreshed for ${Math.round(staleMs / 1000)} s.`
        : 'Wait for it to finish and retry.',
    });
  }
  const write = (record: ShareLockOwner) => client.writeFile(ownerPath, Buffer.from(JSON.stringify(record)));
  try {
    await write(owner);
  } catch (error) {
    await client.remove(lockPath).catch(() => undefined);
    throw error;
  }
  // Another host can only tell a live holder by this record's age: it is rewritten while the lock is held.
  let refreshing: Promise<void> = Promise.resolve();
  const timer = setInterval(
    () => {
      refreshing = write({ ...owner, refreshedAt: new Date().toISOString() }).catch(() => undefined);
    },
    Math.floor(staleMs / 4),
  );
  timer.unref();
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(timer);
      await refreshing;
      // Renamed aside first, as core releases: a holder killed mid-removal leaves only a `.released-` folder the
      // next holder sweeps, never an owner-less lock that would block the next run.
      const aside = inShareFolder(location, `${SHARE_RELEASED_LOCK_PREFIX}${randomBytes(8).toString('hex')}`);
      await client.tree.rename(lockPath, aside);
      await client.remove(aside).catch(() => undefined);
    },
  };
}

async function readOwner(client: ShareClient, ownerPath: string): Promise<ShareLockOwner | undefined> {
  const bytes = await client.readFileOrNull(ownerPath).catch(() => null);
  if (bytes === null) return undefined;
  try {
    const value = JSON.parse(bytes.toString('utf8')) as Partial<ShareLockOwner>;
    if (typeof value.pid !== 'number' || typeof value.hostname !== 'string' || typeof value.refreshedAt !== 'string')
      return undefined;
    // Read back from the share: fields the rule of core's isLockOwnerGone relies on are taken only as the right type.
    return {
      ...(value as ShareLockOwner),
      startTime: typeof value.startTime === 'string' ? value.startTime : null,
      bootId: typeof value.bootId === 'string' ? value.bootId : null,
      acquiredAt: typeof value.acquiredAt === 'string' ? value.acquiredAt : value.refreshedAt,
    };
  } catch {
    return undefined;
  }
}

/** Renames the stale lock aside (only one taker wins that), checks it is still the one judged stale, removes it. */
async function takeOver(client: ShareClient, lockPath: string, holder: ShareLockOwner | undefined): Promise<boolean> {
  const aside = inShareFolder(client.location, `${SHARE_DEAD_LOCK_PREFIX}${randomBytes(8).toString('hex')}`);
  try {
    await client.tree.rename(lockPath, aside);
  } catch {
    return false; // another taker moved it first
  }
  const moved = await readOwner(client, `${aside}/${OWNER_FILE}`);
  const same = holder === undefined ? moved === undefined : moved?.acquiredAt === holder.acquiredAt;
  if (!same) {
    // A live run locked between our look and our rename: put its lock back.
    await client.tree.rename(aside, lockPath).catch(() => undefined);
    return false;
  }
  await client.remove(aside).catch(() => undefined);
  return true;
}
