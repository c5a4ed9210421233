import { existsSync } from 'node:fs';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { snapshotTree, tempDir } from '../src/index.js';

describe('snapshotTree', () => {
  it('lists folders (empty ones too) and hashes files, in name order', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'b', 'empty'), { recursive: true });
    await writeFile(join(dir, 'b', 'f.txt'), 'abc');
    await writeFile(join(dir, 'a.txt'), '');
    expect(await snapshotTree(dir)).toEqual({
      'a.txt': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      'b/': 'dir',
      'b/empty/': 'dir',
      'b/f.txt': 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    });
    expect(Object.keys(await snapshotTree(dir))).toEqual(['a.txt', 'b/', 'b/empty/', 'b/f.txt']);
  });

  it('changes when a byte, a name or an empty folder changes', async () => {
    const dir = await tempDir();
    await writeFile(join(dir, 'f'), 'one');
    const before = await snapshotTree(dir);
    await writeFile(join(dir, 'f'), 'onE');
    expect(await snapshotTree(dir)).not.toEqual(before);
    await writeFile(join(dir, 'f'), 'one');
    expect(await snapshotTree(dir)).toEqual(before);
    await mkdir(join(dir, 'new'));
    expect(await snapshotTree(dir)).not.toEqual(before);
  });

  it('a missing root throws, unless asked to count as empty', async () => {
    const gone = join(await tempDir(), 'gone');
    await expect(snapshotTree(gone)).rejects.toMatchObject({ code: 'ENOENT' });
    expect(await snapshotTree(gone, { missingAsEmpty: true })).toEqual({});
  });
});

describe('tempDir', () => {
  let kept = '';
  it('makes a fresh folder per call', async () => {
    kept = await tempDir('coffer-ts-');
    const other = await tempDir('coffer-ts-');
    expect(kept).not.toBe(other);
    expect(existsSync(kept)).toBe(true);
    await mkdir(join(kept, 'deep', 'er'), { recursive: true });
    await writeFile(join(kept, 'deep', 'er', 'f'), 'x');
    await chmod(join(kept, 'deep', 'er'), 0o500);
  });

  it('removed it, with all it held, when the previous test finished', async () => {
    expect(kept).not.toBe('');
    expect(existsSync(kept)).toBe(false);
  });

  it('is refused outside a test, before anything is made', async () => {
    // Called from a promise the test does not own would still see the test; a plain call at collection time is what is refused.
    expect(refusedAtCollection).toMatch(/can only be called inside a test/);
    await rm(join(kept), { recursive: true, force: true });
  });
});

let refusedAtCollection = '';
try {
  await tempDir();
} catch (error) {
  refusedAtCollection = (error as Error).message;
}
