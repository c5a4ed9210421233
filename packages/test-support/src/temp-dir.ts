import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fse from 'fs-extra';
import { onTestFinished } from 'vitest';

/**
 * A fresh folder under the system temp folder, removed (with everything in it) when the current test
 * finishes, passed or failed. Call it inside a test or a beforeEach hook: anywhere else vitest refuses the
 * cleanup hook, before any folder is made, so nothing leaks.
 */
export async function tempDir(prefix = 'coffer-test-'): Promise<string> {
  let dir: string | undefined;
  onTestFinished(async () => {
    if (dir !== undefined) await fse.remove(dir);
  });
  dir = await fse.mkdtemp(join(tmpdir(), prefix));
  return dir;
}
