import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

const made: string[] = [];
afterEach(async () => {
  while (made.length) await rm(made.pop()!, { recursive: true, force: true });
});

/** A temp folder removed after the test. */
export async function tempDir(prefix = 'coffer-core-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}

/** Relative path -> content (folders end in '/'), to compare a whole tree before and after. */
export async function treeOf(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const visit = async (dir: string, prefix: string): Promise<void> => {
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const rel = `${prefix}${entry.name}`;
      if (entry.isDirectory()) {
        out[`${rel}/`] = '';
        await visit(join(dir, entry.name), `${rel}/`);
      } else out[rel] = (await readFile(join(dir, entry.name))).toString('base64');
    }
  };
  await visit(root, '');
  return out;
}

export async function* slowChunks(chunks: number, size: number, delayMs = 0): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < chunks; i++) {
    if (delayMs) await new Promise((r) => setTimeout(r, delayMs));
    yield Buffer.alloc(size, i % 256);
  }
}
