import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { BackupDestination } from '../../src/engine/backup-destination.js';
import { slowChunks, tempDir } from '../helpers.js';

/** Every folder and file below `dir` (not `dir` itself) with its permission bits. */
async function modesBelow(dir: string): Promise<Array<{ path: string; kind: 'folder' | 'file'; mode: number }>> {
  const out: Array<{ path: string; kind: 'folder' | 'file'; mode: number }> = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    const mode = (await stat(path)).mode & 0o777;
    if (entry.isDirectory()) {
      out.push({ path, kind: 'folder', mode });
      out.push(...(await modesBelow(path)));
    } else out.push({ path, kind: 'file', mode });
  }
  return out;
}

const originalUmask = process.umask();
afterEach(() => {
  process.umask(originalUmask);
});

describe('backups are private whatever the umask', () => {
  test.each([0o022, 0o000, 0o002])(
    'umask %o: every folder Coffer creates is 0700, every file 0600 (small, streamed, manifest, index)',
    async (umask) => {
      process.umask(umask);
      const dir = await tempDir();
      const destination = await BackupDestination.open(dir, {
        providerId: 'test',
        lock: { staleMs: 2000 },
        index: { fileName: 'index.json', update: async () => '{"secret":"sacl"}\n' },
      });
      const entry = await destination.stage('{GPO}', { kind: 'gpo' });
      await entry.writeFile('DomainSysvol/GPO/Machine/Microsoft/Windows NT/SecEdit/GptTmpl.inf', 'small');
      await entry.writeFile('DomainSysvol/GPO/Machine/registry.pol', slowChunks(3, 100_000));
      await entry.writeFile('Backup.xml', Buffer.alloc(200_000, 1));
      await entry.mkdir('Empty/Nested');
      // Staged, before the commit: the staging folder is private from its first moment too.
      // (.coffer.lock is proper-lockfile's empty lock folder, gone at close: it holds nothing to keep private.)
      const staged = (await modesBelow(dir)).filter((e) => !e.path.endsWith('.coffer.lock'));
      expect(staged.length).toBeGreaterThanOrEqual(9);
      for (const item of staged)
        expect(`${item.path} ${item.mode.toString(8)}`).toBe(`${item.path} ${item.kind === 'folder' ? '700' : '600'}`);
      await destination.commit([entry]);
      await destination.close();
      const found = await modesBelow(dir);
      expect(found.filter((e) => e.kind === 'folder').length).toBeGreaterThanOrEqual(8);
      expect(found.some((e) => e.path.endsWith('index.json'))).toBe(true);
      for (const item of found)
        expect(`${item.path} ${item.mode.toString(8)}`).toBe(`${item.path} ${item.kind === 'folder' ? '700' : '600'}`);
    },
  );

  test('a provider that asks for a mode gets it (the default is what is private)', async () => {
    process.umask(0o022);
    const dir = await tempDir();
    const destination = await BackupDestination.open(dir, { providerId: 'test', lock: { staleMs: 2000 } });
    const entry = await destination.stage('e', { kind: 'k' });
    await entry.writeFile('sealed.json', '{}', { mode: 0o400 });
    await destination.commit([entry]);
    await destination.close();
    expect((await stat(join(dir, 'e', 'sealed.json'))).mode & 0o777).toBe(0o400);
  });
});
