import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { BackupDestination } from '../../src/engine/backup-destination.js';
import {
  CofferError,
  HRESULT,
  INTEGRITY_MANIFEST_NAME,
  parseIntegrityManifest,
  verifyDirectory,
} from '../../src/index.js';
import { slowChunks, snapshotTree, tempDir } from '../helpers.js';

const open = (dir: string, extra: Partial<Parameters<typeof BackupDestination.open>[1]> = {}) =>
  BackupDestination.open(dir, { providerId: 'test', lock: { staleMs: 2000 }, ...extra });

describe('staging and commit', () => {
  test('a committed entry holds exactly the streamed bytes and a manifest with their SHA-256', async () => {
    const dir = await tempDir();
    const destination = await open(dir);
    const entry = await destination.stage('{ABC}', { kind: 'thing', metadata: { objectId: 'x' } });
    const record = await entry.writeFile('DomainSysvol\\GPO\\Machine\\registry.pol', slowChunks(4, 1000));
    await entry.writeFile('Ünï cödé/Space Name ✓.txt', 'héllo');
    await entry.mkdir('Empty/Folder');
    const [committed] = await destination.commit([entry]);
    await destination.close();

    expect(committed!.path).toBe(join(dir, '{ABC}'));
    const bytes = await readFile(join(dir, '{ABC}', 'DomainSysvol', 'GPO', 'Machine', 'registry.pol'));
    expect(bytes.length).toBe(4000);
    expect(record.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(await readFile(join(dir, '{ABC}', 'Ünï cödé', 'Space Name ✓.txt'), 'utf8')).toBe('héllo');
    const manifest = parseIntegrityManifest(await readFile(join(dir, '{ABC}', INTEGRITY_MANIFEST_NAME), 'utf8'), 'm');
    expect(manifest.files.map((f) => f.path)).toEqual([
      'DomainSysvol/GPO/Machine/registry.pol',
      'Ünï cödé/Space Name ✓.txt',
    ]);
    expect(manifest.directories).toContain('Empty/Folder');
    expect(manifest.metadata).toEqual({ objectId: 'x' });
    expect(await readdir(dir)).toEqual(['{ABC}']);
    expect((await verifyDirectory(dir)).ok).toBe(true);
  });

  test('a chunk may be a list of byte arrays, and a producer may reuse a chunk once the next is asked for', async () => {
    const dir = await tempDir();
    const destination = await open(dir);
    const entry = await destination.stage('e', { kind: 'k' });
    // One reused buffer, refilled for every chunk: correct only if each chunk is written and hashed before the next is requested.
    const shared = Buffer.alloc(3000);
    const expected: Buffer[] = [];
    const chunks = async function* () {
      for (let round = 0; round < 5; round += 1) {
        shared.fill(0x41 + round);
        expected.push(Buffer.from(shared.subarray(0, 2000)), Buffer.from('|'));
        // Two views of the reused buffer, an empty part and a string-free separator: one list, one writev.
        yield [shared.subarray(0, 1000), new Uint8Array(0), shared.subarray(1000, 2000), Buffer.from('|')];
      }
      // More parts than one writev takes (IOV_MAX is 1024 on Linux).
      const many = Array.from({ length: 1500 }, (_, i) => Buffer.from(`${i},`));
      expected.push(...many);
      yield many;
      yield 'end';
      expected.push(Buffer.from('end'));
    };
    const record = await entry.writeFile('joined.bin', chunks());
    await destination.commit([entry]);
    await destination.close();
    const bytes = await readFile(join(dir, 'e', 'joined.bin'));
    expect(bytes.equals(Buffer.concat(expected))).toBe(true);
    expect(record.size).toBe(bytes.length);
    expect(record.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  });

  test('whole content is written with its mode and hash on both sides of the small-file size', async () => {
    const dir = await tempDir();
    const destination = await open(dir);
    const entry = await destination.stage('e', { kind: 'k' });
    // 64 KiB and below is written synchronously, above through the file handle: the result must not differ.
    const sizes = [0, 1, 65_536, 65_537, 300_000];
    for (const size of sizes) {
      const bytes = Buffer.alloc(size, size % 251);
      const record = await entry.writeFile(`deep/er/f-${size}.bin`, bytes, { mode: 0o600 });
      expect(record).toEqual({
        path: `deep/er/f-${size}.bin`,
        size,
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
    }
    await entry.writeFile('text.txt', 'ünïcode');
    await destination.commit([entry]);
    await destination.close();
    for (const size of sizes) {
      const path = join(dir, 'e', 'deep', 'er', `f-${size}.bin`);
      expect((await readFile(path)).equals(Buffer.alloc(size, size % 251))).toBe(true);
      expect((await stat(path)).mode & 0o777).toBe(0o600);
    }
    expect(await readFile(join(dir, 'e', 'text.txt'), 'utf8')).toBe('ünïcode');
    expect((await verifyDirectory(dir)).ok).toBe(true);
  });

  test('files written side by side into new nested folders create each folder once', async () => {
    const dir = await tempDir();
    const destination = await open(dir);
    const entry = await destination.stage('e', { kind: 'k' });
    const names = Array.from({ length: 40 }, (_, i) => `GPO/${i % 2 === 0 ? 'Machine' : 'User'}/Scripts/file-${i}.txt`);
    await Promise.all(names.map((name) => entry.writeFile(name, name)));
    await entry.mkdir('GPO/Machine/Scripts');
    await destination.commit([entry]);
    await destination.close();
    for (const name of names) expect(await readFile(join(dir, 'e', ...name.split('/')), 'utf8')).toBe(name);
    const manifest = parseIntegrityManifest(await readFile(join(dir, 'e', INTEGRITY_MANIFEST_NAME), 'utf8'), 'm');
    expect(manifest.directories).toEqual(['GPO', 'GPO/Machine', 'GPO/Machine/Scripts', 'GPO/User', 'GPO/User/Scripts']);
    expect(manifest.files).toHaveLength(40);
  });

  test('paths that could escape the entry are refused', async () => {
    const dir = await tempDir();
    const destination = await open(dir);
    const entry = await destination.stage('e', { kind: 'k' });
    for (const bad of ['../evil', '/etc/passwd', 'a/../../b', '']) {
      await expect(entry.writeFile(bad, 'x')).rejects.toMatchObject({ hresult: HRESULT.E_INVALIDARG });
    }
    await expect(destination.stage('.coffer-staging-x', { kind: 'k' })).rejects.toBeInstanceOf(CofferError);
    await destination.close();
    expect(await readdir(dir)).toEqual([]);
  });

  test('an existing entry is never overwritten unless the stage asks to replace it', async () => {
    const dir = await tempDir();
    const first = await open(dir);
    const a = await first.stage('backup', { kind: 'k' });
    await a.writeFile('f', 'old');
    await first.commit([a]);
    const b = await first.stage('backup', { kind: 'k' });
    await b.writeFile('f', 'new');
    await expect(first.commit([b])).rejects.toMatchObject({
      code: 'ALREADY_EXISTS',
      hresult: HRESULT.ERROR_ALREADY_EXISTS,
    });
    await first.close();
    expect(await readFile(join(dir, 'backup', 'f'), 'utf8')).toBe('old');
    expect(await readdir(dir)).toEqual(['backup']);

    const second = await open(dir);
    const c = await second.stage('backup', { kind: 'k', replace: true });
    await c.writeFile('f', 'new');
    await second.commit([c]);
    await second.close();
    expect(await readFile(join(dir, 'backup', 'f'), 'utf8')).toBe('new');
    expect(await readdir(dir)).toEqual(['backup']);
  });

  test('the index file is updated with every committed entry and keeps what it had', async () => {
    const dir = await tempDir();
    const index = {
      fileName: 'index.txt',
      update: (current: Buffer | null, added: { name: string }[]) => {
        const names = new Set((current?.toString() ?? '').split('\n').filter(Boolean));
        for (const entry of added) names.add(entry.name);
        return [...names].join('\n');
      },
    };
    for (const batch of [['a', 'b'], ['c']]) {
      const destination = await open(dir, { index });
      const entries = [];
      for (const name of batch) {
        const entry = await destination.stage(name, { kind: 'k' });
        await entry.writeFile('x', name);
        entries.push(entry);
      }
      await destination.commit(entries);
      await destination.close();
    }
    expect(await readFile(join(dir, 'index.txt'), 'utf8')).toBe('a\nb\nc');
  });
});

describe('cancellation', () => {
  test('cancelling at every point before the commit leaves the destination exactly as it was', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, 'existing'));
    await writeFile(join(dir, 'existing', 'keep.txt'), 'keep');
    await writeFile(join(dir, 'manifest.xml'), 'index');
    const before = await snapshotTree(dir);
    const points = ['stage', 'mid-file', 'between-files', 'before-commit'] as const;
    for (const point of points) {
      const controller = new AbortController();
      const destination = await open(dir, { signal: controller.signal });
      const run = async () => {
        if (point === 'stage') controller.abort();
        const entry = await destination.stage('new', { kind: 'k' });
        let n = 0;
        const chunks = async function* () {
          for await (const chunk of slowChunks(10, 100)) {
            if (point === 'mid-file' && n++ === 5) controller.abort();
            yield chunk;
          }
        };
        await entry.writeFile('a.bin', chunks());
        if (point === 'between-files') controller.abort();
        await entry.writeFile('b.bin', chunks());
        if (point === 'before-commit') controller.abort();
        await destination.commit([entry]);
      };
      await expect(run()).rejects.toMatchObject({ code: 'CANCELLED', hresult: HRESULT.ERROR_CANCELLED });
      await destination.close();
      expect(await snapshotTree(dir), `cancelled at ${point}`).toEqual(before);
    }
  });
});

describe('stale staging', () => {
  test('opening a destination removes staging folders and temp files a dead run left behind', async () => {
    const dir = await tempDir();
    await mkdir(join(dir, '.coffer-staging-deadbeef', 'deep'), { recursive: true });
    await writeFile(join(dir, '.coffer-staging-deadbeef', 'deep', 'half.bin'), 'half');
    await mkdir(join(dir, '.coffer-old-0123'));
    await writeFile(join(dir, 'manifest.xml.coffer-1-abc.tmp'), 'torn');
    await mkdir(join(dir, 'real-backup'));
    const destination = await open(dir);
    await destination.close();
    expect((await readdir(dir)).sort()).toEqual(['real-backup']);
  });
});
