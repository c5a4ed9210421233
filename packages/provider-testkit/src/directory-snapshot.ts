import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Every path under a folder with a hash of each file: two equal snapshots mean nothing was touched. */
export async function snapshotDirectory(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const visit = async (dir: string, prefix: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        out[`${rel}/`] = 'dir';
        await visit(join(dir, entry.name), rel);
      } else {
        out[rel] = createHash('sha256')
          .update(await readFile(join(dir, entry.name)))
          .digest('hex');
      }
    }
  };
  await visit(root, '');
  return out;
}

/** Names an engine left behind (staging, journal, old copies) that must never survive an operation. */
export function leftovers(snapshot: Record<string, string>): string[] {
  return Object.keys(snapshot).filter(
    (path) => /(^|\/)\.coffer-(staging|old|journal)/.test(path) || /\.coffer-.*\.tmp$/.test(path),
  );
}
