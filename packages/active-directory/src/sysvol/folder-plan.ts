import { createHash } from 'node:crypto';
import type { SysvolSource } from './sysvol-source.js';

/**
 * Every file and folder below `path` as the what-if of a folder swap compares them: file → SHA-256 of its bytes,
 * folder → `dir` (its key ends with `/`), keys relative to `path`. Empty when `path` does not exist.
 */
export async function digestSysvolTree(
  sysvol: SysvolSource,
  path: string,
  throwIfCancelled: () => void = () => undefined,
): Promise<Map<string, string>> {
  const tree = new Map<string, string>();
  if (!(await sysvol.exists(path))) return tree;
  for await (const entry of sysvol.readTree(path)) {
    throwIfCancelled();
    if (entry.kind === 'directory') {
      tree.set(`${entry.path}/`, 'dir');
      continue;
    }
    const hash = createHash('sha256');
    if (entry.content) for await (const chunk of entry.content) hash.update(chunk);
    tree.set(entry.path, hash.digest('hex'));
  }
  return tree;
}

/** The SHA-256 {@link digestSysvolTree} gives a file with these bytes. */
export function digestBytes(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * What swapping `future` in for `live` (both as {@link digestSysvolTree} gives them) changes, as paths below the
 * parent folder (`<folder>/<path>`), each list sorted: a new folder is itself added; `kept` names live paths the swap
 * carries over (a GPT's Adm folder), never removed.
 */
export function plannedFolderChanges(
  folder: string,
  live: ReadonlyMap<string, string> | null,
  future: ReadonlyMap<string, string>,
  kept: (path: string) => boolean = () => false,
): { added: string[]; changed: string[]; removed: string[] } {
  const added = live === null ? [`${folder}/`] : [];
  const changed: string[] = [];
  for (const [path, value] of future) {
    const now = live?.get(path);
    if (now === undefined) added.push(`${folder}/${path}`);
    else if (now !== value) changed.push(`${folder}/${path}`);
  }
  const removed = [...(live?.keys() ?? [])]
    .filter((path) => !future.has(path) && !kept(path))
    .map((path) => `${folder}/${path}`);
  return { added: added.sort(), changed: changed.sort(), removed: removed.sort() };
}
