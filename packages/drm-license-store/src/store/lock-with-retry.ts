import { setTimeout as sleep } from 'node:timers/promises';
import { lockDirectory, type CofferError, type DirectoryLock } from '@coffer/core';

/**
 * core's lockDirectory fails at once when the lock is held; management commands wait a
 * little (a `play` racing another `play`), backup and restore do not (waitMs 0).
 */
export async function lockWithRetry(
  path: string,
  busyError: (path: string) => CofferError,
  waitMs: number,
): Promise<DirectoryLock> {
  const deadline = Date.now() + waitMs;
  const busyCode = busyError(path).code;
  for (;;) {
    try {
      return await lockDirectory(path, { busyError });
    } catch (error) {
      if ((error as CofferError).code !== busyCode || Date.now() >= deadline) throw error;
      await sleep(50 + Math.random() * 100);
    }
  }
}
