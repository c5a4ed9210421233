import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  HRESULT,
  CofferError,
  ProgressTracker,
  defineProvider,
  runBackup,
  runCommand,
  runList,
  runRestore,
  INTEGRITY_MANIFEST_NAME,
  verifyDirectory,
  type ProgressReport,
} from '../../src/index.js';
import { z } from 'zod';
import { tempDir } from '../helpers.js';

const base = {
  specificationVersion: 2 as const,
  id: 'fake',
  displayName: 'Fake',
  description: 'fake',
  options: z.object({ count: z.number().int().positive(), mode: z.enum(['ok', 'fail', 'abort-aware']).default('ok') }),
};

describe('runBackup', () => {
  test('invalid options fail with E_INVALIDARG naming every problem, before the provider runs', async () => {
    let called = false;
    const provider = defineProvider({
      ...base,
      backup: async () => {
        called = true;
        return { backups: [], counts: {} };
      },
    });
    const result = await runBackup(provider, { destination: await tempDir(), options: { count: -1, mode: 'nope' } });
    expect(called).toBe(false);
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({
      code: 'INVALID_ARGUMENT',
      hresult: HRESULT.E_INVALIDARG,
      hresultHex: '0x80070057',
    });
    expect(result.error?.message).toMatch(/count: .*; mode: /);
  });

  test('a missing target directory fails with ERROR_PATH_NOT_FOUND; a file fails as not a directory', async () => {
    const provider = defineProvider({ ...base, backup: async () => ({ backups: [], counts: {} }) });
    const dir = await tempDir();
    const missing = await runBackup(provider, { destination: join(dir, 'nope'), options: { count: 1 } });
    expect(missing.error).toMatchObject({ code: 'PATH_NOT_FOUND', hresult: 0x80070003, object: join(dir, 'nope') });
    expect(missing.error?.hint).toMatch(/mkdir -p/);
    expect(await readdir(dir)).toEqual([]);
  });

  test('warnings reported before a failure are kept, followed by the error itself', async () => {
    const provider = defineProvider({
      ...base,
      backup: async (_request, context) => {
        context.report({ severity: 'warning', code: 'SACL_UNREADABLE', message: 'no SACL', object: 'GPO A' });
        throw new CofferError('DC_DOWN', 'the DC went away', { hresult: HRESULT.ERROR_DS_SERVER_DOWN, object: 'dc1' });
      },
    });
    const seen: string[] = [];
    const result = await runBackup(provider, {
      destination: await tempDir(),
      options: { count: 1 },
      onMessage: (m) => seen.push(m.code),
    });
    expect(result.status).toBe('failed');
    expect(result.messages.map((m) => [m.severity, m.code])).toEqual([
      ['warning', 'SACL_UNREADABLE'],
      ['error', 'DC_DOWN'],
    ]);
    expect(seen).toEqual(['SACL_UNREADABLE', 'DC_DOWN']);
    expect(result.error).toMatchObject({ code: 'DC_DOWN', hresult: HRESULT.ERROR_DS_SERVER_DOWN, object: 'dc1' });
  });

  test('warnings make a completed run succeeded-with-warnings; none make it succeeded', async () => {
    const provider = defineProvider({
      ...base,
      backup: async ({ options }, context) => {
        if (options.count > 1) context.report({ severity: 'warning', code: 'W', message: 'w' });
        return { backups: [], counts: { n: options.count } };
      },
    });
    const dir = await tempDir();
    expect((await runBackup(provider, { destination: dir, options: { count: 1 } })).status).toBe('succeeded');
    const warned = await runBackup(provider, { destination: dir, options: { count: 2 } });
    expect(warned.status).toBe('succeeded-with-warnings');
    expect(warned.output?.counts).toEqual({ n: 2 });
  });

  test('an abort ends as cancelled whatever the provider throws, keeping earlier warnings', async () => {
    const controller = new AbortController();
    const provider = defineProvider({
      ...base,
      backup: async (_request, context) => {
        context.report({ severity: 'warning', code: 'EARLY', message: 'before cancel' });
        controller.abort();
        throw new CofferError('NS_E_DRM_OPERATION_CANCELED', 'cancelled', { hresult: 0xc00d2768 });
      },
    });
    const result = await runBackup(provider, {
      destination: await tempDir(),
      options: { count: 1 },
      signal: controller.signal,
    });
    expect(result.status).toBe('cancelled');
    expect(result.error).toMatchObject({ code: 'NS_E_DRM_OPERATION_CANCELED', hresult: 0xc00d2768 });
    expect(result.messages.map((m) => m.code)).toEqual(['EARLY', 'NS_E_DRM_OPERATION_CANCELED']);
  });

  test('a crash inside a provider becomes a failed result, not an exception', async () => {
    const provider = defineProvider({
      ...base,
      backup: async () => {
        throw new TypeError('undefined is not a function');
      },
    });
    const result = await runBackup(provider, { destination: await tempDir(), options: { count: 1 } });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'INTERNAL', message: 'undefined is not a function' });
  });
});

describe('the backup target core hands over', () => {
  const staging = defineProvider({
    ...base,
    list: async ({ source }) => [{ id: 'one', path: join(source, 'one'), kind: 'note' }],
    backup: async ({ target, options }, context) => {
      context.progress.phase('writing', options.count);
      const entry = await target.stage('one', { kind: 'note' });
      for (let i = 0; i < options.count; i++) {
        await entry.writeFile(`f${i}.txt`, `file ${i}`);
        context.progress.advance();
      }
      if (options.mode === 'fail') throw new CofferError('BROKEN', 'broken after staging');
      return { backups: [{ id: 'one', path: entry.finalPath, kind: 'note' }], counts: { files: options.count } };
    },
  });

  test('what a provider staged is sealed with the comment and committed when it returns; list shows the comment', async () => {
    const dir = await tempDir();
    const result = await runBackup(staging, { destination: dir, options: { count: 2 }, comment: 'before the upgrade' });
    expect(result.status).toBe('succeeded');
    expect((await readdir(dir)).sort()).toEqual(['one']);
    const manifest = JSON.parse(await readFile(join(dir, 'one', INTEGRITY_MANIFEST_NAME), 'utf8'));
    expect(manifest).toMatchObject({ provider: 'fake', id: 'one', kind: 'note', comment: 'before the upgrade' });
    expect((await verifyDirectory(dir)).backups.flatMap((b) => b.problems)).toEqual([]);
    const listed = await runList(staging, { source: dir });
    expect(listed.output).toEqual([expect.objectContaining({ id: 'one', comment: 'before the upgrade' })]);
  });

  test('list fills comments only from a plain manifest file: any key order or escape, never a link, a FIFO or damage', async () => {
    const dir = await tempDir();
    const manifest = (extra: string) =>
      `{"format":"coffer-integrity-manifest","version":1,"provider":"fake","id":"x","kind":"note","createdAt":"2026-01-01T00:00:00.000Z","directories":[],"files":[]${extra}}`;
    const names = ['after-files', 'escaped-key', 'linked', 'fifo', 'damaged', 'none', 'own'];
    for (const name of names) await mkdir(join(dir, name));
    await writeFile(join(dir, 'after-files', INTEGRITY_MANIFEST_NAME), manifest(',"comment":"last key"'));
    await writeFile(join(dir, 'escaped-key', INTEGRITY_MANIFEST_NAME), manifest(',"comm\\u0065nt":"spelled"'));
    await writeFile(join(dir, 'elsewhere.json'), manifest(',"comment":"through a link"'));
    await symlink(join(dir, 'elsewhere.json'), join(dir, 'linked', INTEGRITY_MANIFEST_NAME));
    execFileSync('mkfifo', [join(dir, 'fifo', INTEGRITY_MANIFEST_NAME)]);
    await writeFile(join(dir, 'damaged', INTEGRITY_MANIFEST_NAME), '{"comment":"no format"}');
    await writeFile(join(dir, 'own', INTEGRITY_MANIFEST_NAME), manifest(',"comment":"not this one"'));
    const provider = defineProvider({
      ...base,
      backup: async () => ({ backups: [], counts: {} }),
      list: async () =>
        names.map((name) => ({ id: name, path: join(dir, name), kind: 'note', comment: name === 'own' ? 'mine' : '' })),
    });
    const listed = await runList(provider, { source: dir });
    expect(Object.fromEntries((listed.output ?? []).map((b) => [b.id, b.comment]))).toEqual({
      'after-files': 'last key',
      'escaped-key': 'spelled',
      linked: '',
      fifo: '',
      damaged: '',
      none: '',
      own: 'mine',
    });
  });

  test('a provider that fails after staging leaves the destination as it was (no staging, no lock)', async () => {
    const dir = await tempDir();
    const result = await runBackup(staging, { destination: dir, options: { count: 2, mode: 'fail' } });
    expect(result.error).toMatchObject({ code: 'BROKEN' });
    expect(await readdir(dir)).toEqual([]);
  });

  test('a provider that returns after the signal fired gets nothing committed', async () => {
    const controller = new AbortController();
    const deaf = defineProvider({
      ...base,
      backup: async ({ target }) => {
        const entry = await target.stage('one', { kind: 'note' });
        await entry.writeFile('a.txt', 'a');
        controller.abort();
        return { backups: [{ id: 'one', path: entry.finalPath, kind: 'note' }], counts: {} };
      },
    });
    const dir = await tempDir();
    const result = await runBackup(deaf, { destination: dir, options: { count: 1 }, signal: controller.signal });
    expect(result.status).toBe('cancelled');
    expect(await readdir(dir)).toEqual([]);
  });
});

describe('restore, list and commands', () => {
  test('operations a provider lacks are refused with ERROR_NOT_SUPPORTED', async () => {
    const provider = defineProvider({ ...base, backup: async () => ({ backups: [], counts: {} }) });
    const dir = await tempDir();
    expect((await runRestore(provider, { source: dir })).error).toMatchObject({
      code: 'UNSUPPORTED_OPERATION',
      hresult: HRESULT.ERROR_NOT_SUPPORTED,
    });
    expect((await runList(provider, { source: dir })).error).toMatchObject({ code: 'UNSUPPORTED_OPERATION' });
    expect((await runCommand(provider, 'issue', {})).error?.message).toBe(
      "Provider 'fake' has no command 'issue' (it has: none).",
    );
  });

  test('a command validates its own options', async () => {
    const provider = defineProvider({
      ...base,
      backup: async () => ({ backups: [], counts: {} }),
      commands: [
        {
          name: 'echo',
          description: 'echo',
          options: z.object({ text: z.string() }),
          run: async (o) => ({ data: o.text }),
        },
      ],
    });
    expect((await runCommand(provider, 'echo', { options: { text: 'hi' } })).output).toEqual({ data: 'hi' });
    expect((await runCommand(provider, 'echo', { options: {} })).error?.hresult).toBe(HRESULT.E_INVALIDARG);
  });
});

describe('ProgressTracker', () => {
  test('completed never decreases and never exceeds total', () => {
    const reports: ProgressReport[] = [];
    const progress = new ProgressTracker((r) => reports.push(r));
    progress.phase('listing', 2);
    progress.advance('a');
    progress.advance('b');
    progress.advance('c'); // one more than announced: the total grows with it
    progress.phase('copying', 3);
    progress.advance('d', 2);
    progress.advance(undefined, -5); // negative work is ignored
    progress.finish();
    for (let i = 1; i < reports.length; i++)
      expect(reports[i]!.completed).toBeGreaterThanOrEqual(reports[i - 1]!.completed);
    for (const r of reports) expect(r.completed).toBeLessThanOrEqual(r.total);
    expect(reports.at(-1)).toEqual({ phase: 'copying', completed: 6, total: 6 });
    expect(reports[3]).toEqual({ phase: 'listing', completed: 3, total: 3, item: 'c' });
  });

  test('a phase may carry a label for people; the next phase without one drops it', () => {
    const reports: ProgressReport[] = [];
    const progress = new ProgressTracker((r) => reports.push(r));
    progress.phase('BACKUPRESTORE_BEGIN', 2, 'Copying licenses');
    progress.advance('lid-1');
    progress.phase('committing');
    expect(reports).toEqual([
      { phase: 'BACKUPRESTORE_BEGIN', label: 'Copying licenses', completed: 0, total: 2 },
      { phase: 'BACKUPRESTORE_BEGIN', label: 'Copying licenses', completed: 1, total: 2, item: 'lid-1' },
      { phase: 'committing', completed: 1, total: 2 },
    ]);
    expect(progress.current).toEqual({ phase: 'committing', completed: 1, total: 2 });
  });
});
