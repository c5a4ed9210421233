import { setTimeout as sleep } from 'node:timers/promises';
import { type CofferError, type DirectoryLock, ErrorCode, lockDirectory } from '@coffer/core';

/**
 * core's lockDirectory fails at once when the lock is held; management commands wait a
 * little (a `play` racing another `play`), backup and restore do not (waitMs 0). The store
 * says "busy" in its own words (`busyError`, an NS_E_DRM_* code), with core's refusal as the cause.
 */
export async function lockWithRetry(
  path: string,
  busyError: (path: string) => CofferError,
  waitMs: number,
): Promise<DirectoryLock> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await lockDirectory(path);
    } catch (error) {
      if ((error as CofferError).code !== ErrorCode.DestinationLocked) throw error;
      if (Date.now() >= deadline) {
        const busy = busyError(path);
        throw Object.assign(busy, { cause: error });
      }
      await sleep(50 + Math.random() * 100);
    }
  }
}
