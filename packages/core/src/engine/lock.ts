import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { CofferError, ErrorCode } from '../errors/coffer-error.js';
import { HRESULT } from '../errors/hresult.js';

export const LOCK_NAME = '.coffer.lock';

export interface DirectoryLock {
  release(): Promise<void>;
  /** Set when another process stole a lock we failed to refresh (machine suspended, clock jump). */
  readonly compromised: Error | undefined;
}

export interface LockOptions {
  /** A lock not refreshed for this long is taken to belong to a dead process (min 2000 ms). */
  staleMs?: number;
  /** Error code to throw when the lock is held (a provider may want its own, e.g. NS_E_DRM_BACKUPRESTORE_BUSY). */
  busyError?: (path: string) => CofferError;
}

/**
 * Locks a directory against a concurrent writer, with `<dir>/.coffer.lock` (mkdir is
 * atomic; the lock's mtime is refreshed while held, so a killed writer's lock goes
 * stale and the next run takes it over instead of waiting for a human).
 */
export async function lockDirectory(directory: string, options: LockOptions = {}): Promise<DirectoryLock> {
  let compromised: Error | undefined;
  const staleMs = Math.max(2000, options.staleMs ?? 10_000);
  try {
    const release = await lockfile.lock(directory, {
      lockfilePath: join(directory, LOCK_NAME),
      stale: staleMs,
      update: Math.max(1000, Math.floor(staleMs / 2)),
      realpath: false,
      retries: 0,
      onCompromised: (error) => {
        compromised = error;
      },
    });
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
    };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ELOCKED') {
      throw (
        options.busyError?.(directory) ??
        new CofferError(ErrorCode.DestinationLocked, `Another Coffer process is writing to ${directory}.`, {
          hresult: HRESULT.ERROR_SHARING_VIOLATION,
          object: directory,
          hint: `Wait for it to finish. If no Coffer process is running, the lock goes stale after ${Math.round(staleMs / 1000)} s and the next run cleans up.`,
        })
      );
    }
    throw error;
  }
}
