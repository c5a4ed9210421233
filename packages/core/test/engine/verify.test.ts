import { appendFile, mkdir, open as openFile, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { BackupDestination, verifyBackup, verifyDirectory } from '../../src/index.js';
import { tempDir } from '../helpers.js';

let dir: string;
let backup: string;

beforeEach(async () => {
  dir = await tempDir();
  const destination = await BackupDestination.open(dir, { providerId: 'test' });
  const entry = await destination.stage('B1', { kind: 'k' });
  await entry.writeFile('a.txt', 'alpha alpha alpha');
  await entry.writeFile('sub/b.bin', Buffer.alloc(4096, 7));
  await entry.mkdir('empty');
  await destination.commit([entry]);
  await destination.close();
  backup = join(dir, 'B1');
});

describe('verify', () => {
  test('a fresh backup verifies', async () => {
    const result = await verifyBackup(backup);
    expect(result).toMatchObject({ ok: true, filesChecked: 2, bytesChecked: 17 + 4096, problems: [] });
  });

  test('catches a flipped byte', async () => {
    const path = join(backup, 'sub', 'b.bin');
    const handle = await openFile(path, 'r+');
    await handle.write(Buffer.from([8]), 0, 1, 2000);
    await handle.close();
    const result = await verifyBackup(backup);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'altered', path: 'sub/b.bin' })]);
  });

  test('catches a truncated file', async () => {
    await truncate(join(backup, 'a.txt'), 5);
    expect((await verifyBackup(backup)).problems).toEqual([{ kind: 'truncated', path: 'a.txt', detail: '5 of 17 bytes' }]);
  });

  test('catches a grown file as altered', async () => {
    await appendFile(join(backup, 'a.txt'), '!');
    expect((await verifyBackup(backup)).problems).toEqual([expect.objectContaining({ kind: 'altered', path: 'a.txt' })]);
  });

  test('catches a missing file and a missing folder', async () => {
    await rm(join(backup, 'sub'), { recursive: true });
    await rm(join(backup, 'empty'), { recursive: true });
    const problems = (await verifyBackup(backup)).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'missing', path: 'sub/b.bin' }),
        expect.objectContaining({ kind: 'missing', path: 'sub/' }),
        expect.objectContaining({ kind: 'missing', path: 'empty/' }),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  test('catches an extra file and folder', async () => {
    await writeFile(join(backup, 'sub', 'intruder.exe'), 'x');
    await mkdir(join(backup, 'newdir'));
    expect((await verifyBackup(backup)).problems).toEqual([
      expect.objectContaining({ kind: 'extra', path: 'sub/intruder.exe' }),
      expect.objectContaining({ kind: 'extra', path: 'newdir/' }),
    ]);
  });

  test('a damaged manifest is reported, not thrown', async () => {
    await writeFile(join(backup, 'coffer-manifest.json'), '{"format":');
    const result = await verifyBackup(backup);
    expect(result.ok).toBe(false);
    expect(result.problems[0]?.kind).toBe('manifest-unreadable');
  });

  test('a directory of backups verifies each and lists folders it cannot check', async () => {
    await mkdir(join(dir, '{GPMC-WRITTEN}'));
    await writeFile(join(dir, 'manifest.xml'), '<Backups/>');
    let result = await verifyDirectory(dir);
    expect(result.ok).toBe(true);
    expect(result.backups.map((b) => b.id)).toEqual(['B1']);
    expect(result.unverifiable).toEqual([join(dir, '{GPMC-WRITTEN}')]);
    await writeFile(join(backup, 'a.txt'), (await readFile(join(backup, 'a.txt'), 'utf8')).toUpperCase());
    result = await verifyDirectory(dir);
    expect(result.ok).toBe(false);
  });
});

test('verifying a directory that does not exist is a PATH_NOT_FOUND error', async () => {
  await expect(verifyDirectory(join(await tempDir(), 'gone'))).rejects.toMatchObject({ code: 'PATH_NOT_FOUND', hresult: 0x80070003 });
});

test('a writer’s lock and staging folders in a backup directory are neither backups nor unverifiable folders', async () => {
  const dir = await tempDir();
  const holder = await BackupDestination.open(dir, { providerId: 'test' });
  const staged = await holder.stage('pending', { kind: 'k' });
  await staged.writeFile('x', 'y');
  const result = await verifyDirectory(dir);
  expect(result).toMatchObject({ ok: true, backups: [], unverifiable: [] });
  await holder.close();
});
