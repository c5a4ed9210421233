import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import fse from 'fs-extra';

/** Relative path (with '/') -> SHA-256 of the file, and `folder/` -> 'dir' for every folder, empty ones included. */
export type TreeSnapshot = Record<string, string>;

export interface SnapshotOptions {
  /** A root that does not exist snapshots as {} instead of throwing (for "nothing was created there"). */
  missingAsEmpty?: boolean;
}

/**
 * Every file and folder under `root` with each file's SHA-256, in name order: two equal snapshots mean nothing
 * under the folder was added, removed or changed. `Object.keys()` of it is the tree's listing.
 */
export async function snapshotTree(root: string, options: SnapshotOptions = {}): Promise<TreeSnapshot> {
  const out: TreeSnapshot = {};
  if (options.missingAsEmpty && !(await fse.pathExists(root))) return out;
  const visit = async (dir: string, prefix: string): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const entry of entries) {
      const rel = `${prefix}${entry.name}`;
      if (entry.isDirectory()) {
        out[`${rel}/`] = 'dir';
        await visit(join(dir, entry.name), `${rel}/`);
      } else
        out[rel] = createHash('sha256')
          .update(await readFile(join(dir, entry.name)))
          .digest('hex');
    }
  };
  await visit(root, '');
  return out;
}
