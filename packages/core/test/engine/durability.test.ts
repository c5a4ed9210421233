import { describe, expect, test } from 'vitest';
import { BackupDestination, verifyDirectory } from '../../src/index.js';
import { syncFileSystemOf } from '../../src/engine/durable-fs.js';
import { tempDir } from '../helpers.js';

async function commitOne(dir: string): Promise<void> {
  const destination = await BackupDestination.open(dir, { providerId: 'test' });
  try {
    const entry = await destination.stage('entry', { kind: 'k' });
    await entry.writeFile('a/b/c.txt', 'durable');
    await entry.mkdir('empty');
    await destination.commit([entry]);
  } finally {
    await destination.close();
  }
}

describe('durability before the commit point', () => {
  test('one syncfs (sync -f) covers everything staged on Linux', async () => {
    const dir = await tempDir();
    expect(await syncFileSystemOf(dir)).toBe(true);
    await commitOne(dir);
    expect((await verifyDirectory(dir)).ok).toBe(true);
  });

  test('without sync -f, every file and folder is fsynced one by one and the commit still completes', async () => {
    const dir = await tempDir();
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      expect(await syncFileSystemOf(dir)).toBe(false);
      await commitOne(dir);
    } finally {
      process.env.PATH = path;
    }
    expect((await verifyDirectory(dir)).ok).toBe(true);
  });
});
