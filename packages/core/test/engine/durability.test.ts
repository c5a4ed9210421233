import { createHash, randomBytes } from 'node:crypto';
import { open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { BackupDestination } from '../../src/engine/backup-destination.js';
import { verifyDirectory } from '../../src/index.js';
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

describe('large streamed files', () => {
  test('are flushed to disk while they are written, and arrive whole with the right SHA-256', async () => {
    const dir = await tempDir();
    const probe = await open(join(dir, 'probe'), 'w');
    const fileHandle = Object.getPrototypeOf(probe) as { datasync(): Promise<void> };
    await probe.close();
    await rm(join(dir, 'probe'));
    const datasync = vi.spyOn(fileHandle, 'datasync');
    const chunk = randomBytes(1 << 20);
    const chunks = 40;
    async function* content(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < chunks; i += 1) yield chunk;
    }
    try {
      const destination = await BackupDestination.open(dir, { providerId: 'test' });
      const entry = await destination.stage('big', { kind: 'k' });
      const record = await entry.writeFile('data.bin', content());
      await destination.commit([entry]);
      await destination.close();
      // 40 MiB at one flush per 16 MiB written: two flushes during the write.
      expect(datasync.mock.calls.length).toBeGreaterThanOrEqual(2);
      const bytes = await readFile(join(dir, 'big', 'data.bin'));
      expect(bytes.length).toBe(chunks * chunk.length);
      const expected = createHash('sha256');
      for (let i = 0; i < chunks; i += 1) expected.update(chunk);
      expect(record.sha256).toBe(expected.digest('hex'));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(record.sha256);
      expect((await verifyDirectory(dir)).ok).toBe(true);
    } finally {
      datasync.mockRestore();
    }
  });
});
