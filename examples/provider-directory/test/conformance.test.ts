import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, test } from 'vitest';
import { loadProvider } from '@coffer/core';
import { runConformanceSuite } from '@coffer/provider-testkit';

const packageRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

// Loaded through the public loader from the built package, as a host would load it.
const load = async () => (await loadProvider(packageRoot)).provider;

runConformanceSuite({
  test,
  provider: load,
  name: 'provider-directory',
  invalidOptions: [{}, { source: 42 }, { source: '' }],
  async createFixture() {
    const root = await mkdtemp(join(tmpdir(), 'coffer-dir-'));
    const source = join(root, 'source');
    const destination = join(root, 'backups');
    const restoreTarget = join(root, 'restored');
    await mkdir(join(source, 'nested', 'ünï cödé ✓'), { recursive: true });
    await mkdir(destination);
    await mkdir(restoreTarget);
    for (let i = 0; i < 5; i++) await writeFile(join(source, `file-${i}.txt`), `content ${i}\n`.repeat(i * 100));
    await writeFile(join(source, 'nested', 'ünï cödé ✓', 'Data File.BIN'), Buffer.from([0, 1, 2, 255]));
    return {
      destination,
      options: { source },
      restoreOptions: { target: restoreTarget },
      checkRestored: async () => {
        expect(await readFile(join(restoreTarget, 'nested', 'ünï cödé ✓', 'Data File.BIN'))).toEqual(
          Buffer.from([0, 1, 2, 255]),
        );
        expect(await readFile(join(restoreTarget, 'file-3.txt'), 'utf8')).toBe('content 3\n'.repeat(300));
      },
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  },
});
