import { cp, mkdir, mkdtemp, readFile, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import {
  HRESULT,
  INTEGRITY_MANIFEST_NAME,
  loadProvider,
  runBackup,
  runList,
  runRestore,
  verifyDirectory,
} from '@coffer/core';

// What the conformance suite does not cover: this provider's own promises. Loaded from the built package, as a host would.
const packageRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));
const load = async () => (await loadProvider(packageRoot)).provider;

describe('directory provider', () => {
  let root: string;
  let source: string;
  let backups: string;
  let restored: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'coffer-dir-own-'));
    source = join(root, 'source');
    backups = join(root, 'backups');
    restored = join(root, 'restored');
    await mkdir(join(source, 'empty', 'deeper'), { recursive: true });
    await mkdir(join(source, 'docs'));
    await mkdir(backups);
    await mkdir(restored);
    await writeFile(join(source, 'docs', 'read me.txt'), 'hello\n');
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  test('the --comment is kept in the integrity manifest (by core) and listed', async () => {
    const provider = await load();
    const backup = await runBackup(provider, {
      destination: backups,
      comment: 'before the upgrade',
      options: { source },
    });
    expect(backup.status).toBe('succeeded');
    const id = backup.output!.backups[0]!.id;
    const manifest = JSON.parse(await readFile(join(backups, id, INTEGRITY_MANIFEST_NAME), 'utf8'));
    expect(manifest).toMatchObject({ comment: 'before the upgrade', metadata: { source } });
    const listed = await runList(provider, { source: backups });
    expect(listed.output).toMatchObject([
      { id, comment: 'before the upgrade', objectId: source, objectName: 'source', details: { files: 1 } },
    ]);
  });

  test('empty folders come back; a symbolic link is skipped with a warning, never silently', async () => {
    await symlink('docs/read me.txt', join(source, 'link'));
    const provider = await load();
    const backup = await runBackup(provider, { destination: backups, options: { source } });
    expect(backup.status).toBe('succeeded-with-warnings');
    expect(backup.messages).toMatchObject([
      { severity: 'warning', code: 'NOT_A_REGULAR_FILE', object: join(source, 'link') },
    ]);
    expect(backup.output!.counts).toEqual({ files: 1, folders: 3, bytes: 6 }); // docs, empty, empty/deeper
    const restore = await runRestore(provider, { source: backups, options: { target: restored } });
    expect(restore.status).toBe('succeeded');
    expect(restore.output!.counts).toEqual({ files: 1, folders: 3 });
    expect((await readdir(restored, { recursive: true })).sort()).toEqual([
      'docs',
      'docs/read me.txt',
      'empty',
      'empty/deeper',
    ]);
    expect(await readFile(join(restored, 'docs', 'read me.txt'), 'utf8')).toBe('hello\n');
  });

  test('a name with a backslash is skipped with a warning, not turned into a folder', async () => {
    await writeFile(join(source, 'docs', 'a\\b.txt'), 'x');
    const provider = await load();
    const backup = await runBackup(provider, { destination: backups, options: { source } });
    expect(backup.status).toBe('succeeded-with-warnings');
    expect(backup.messages).toMatchObject([{ code: 'UNSUPPORTED_NAME', object: join(source, 'docs', 'a\\b.txt') }]);
    const id = backup.output!.backups[0]!.id;
    expect((await readdir(join(backups, id, 'docs'))).sort()).toEqual(['read me.txt']);
  });

  test('restores the backup named by backupId, not only the newest', async () => {
    const provider = await load();
    const first = await runBackup(provider, { destination: backups, options: { source } });
    await writeFile(join(source, 'docs', 'read me.txt'), 'changed\n');
    const second = await runBackup(provider, { destination: backups, options: { source } });
    expect(second.status).toBe('succeeded');
    const restore = await runRestore(provider, {
      source: backups,
      options: { target: restored, backupId: first.output!.backups[0]!.id },
    });
    expect(restore.output?.restored).toMatchObject([{ fromBackupId: first.output!.backups[0]!.id }]);
    expect(await readFile(join(restored, 'docs', 'read me.txt'), 'utf8')).toBe('hello\n');
  });

  test('refuses to restore a damaged backup and leaves the target empty', async () => {
    const provider = await load();
    const backup = await runBackup(provider, { destination: backups, options: { source } });
    const id = backup.output!.backups[0]!.id;
    await writeFile(join(backups, id, 'docs', 'read me.txt'), 'HELLO\n'); // same size, other bytes
    const restore = await runRestore(provider, { source: backups, options: { target: restored } });
    expect(restore.status).toBe('failed');
    expect(restore.error).toMatchObject({ code: 'INTEGRITY_MISMATCH', object: join(backups, id) });
    expect(restore.error!.message).toMatch(/altered docs\/read me\.txt/);
    expect(await readdir(restored)).toEqual([]);
  });

  test('refuses a target folder that is not empty', async () => {
    const provider = await load();
    await runBackup(provider, { destination: backups, options: { source } });
    await writeFile(join(restored, 'keep.txt'), 'mine');
    const restore = await runRestore(provider, { source: backups, options: { target: restored } });
    expect(restore.error).toMatchObject({ code: 'ALREADY_EXISTS', hresult: HRESULT.ERROR_ALREADY_EXISTS });
    expect(await readdir(restored)).toEqual(['keep.txt']);
  });

  test('refuses a destination inside the folder it backs up, writing nothing', async () => {
    const inside = join(source, 'backups');
    await mkdir(inside);
    const provider = await load();
    const backup = await runBackup(provider, { destination: inside, options: { source } });
    expect(backup.error).toMatchObject({ code: 'INVALID_ARGUMENT', hresult: HRESULT.E_INVALIDARG });
    expect(await readdir(inside)).toEqual([]);
    // The same through a symbolic link that hides where the destination really is.
    const disguised = join(root, 'disguised');
    await symlink(inside, disguised);
    const viaLink = await runBackup(provider, { destination: disguised, options: { source } });
    expect(viaLink.error).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(await readdir(inside)).toEqual([]);
  });

  test("lists committed backups only: not staging folders, not other tools' folders; a bad manifest is a warning", async () => {
    const provider = await load();
    const backup = await runBackup(provider, { destination: backups, options: { source } });
    const id = backup.output!.backups[0]!.id;
    await cp(join(backups, id), join(backups, '.coffer-staging-0123456789abcdef'), { recursive: true });
    await mkdir(join(backups, 'not-a-backup'));
    await mkdir(join(backups, 'broken'));
    await writeFile(join(backups, 'broken', INTEGRITY_MANIFEST_NAME), '{ not json');
    const listed = await runList(provider, { source: backups });
    expect(listed.status).toBe('succeeded-with-warnings');
    expect(listed.output!.map((l) => l.id)).toEqual([id]);
    expect(listed.messages).toMatchObject([
      { code: 'MANIFEST_UNREADABLE', object: join(backups, 'broken', INTEGRITY_MANIFEST_NAME) },
    ]);
    expect((await verifyDirectory(join(backups, id))).ok).toBe(true);
  });
});
