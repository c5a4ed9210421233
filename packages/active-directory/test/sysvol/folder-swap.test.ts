/** The folder swap both Group Policy providers replace SYSVOL folders with, over a local SYSVOL (real files, real renames). */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StatusMessage } from '@coffer/core';
import { tempDir } from '@coffer/test-support';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createLocalSysvolSource,
  discardStagedFolder,
  isScratchFolderOf,
  removeReplacedFolder,
  scratchFolderBeside,
  stageFolder,
  swapInFolder,
  type SysvolSource,
} from '../../src/index.js';

let root: string;
let sysvol: SysvolSource;
let messages: StatusMessage[];
const context = { report: (message: StatusMessage) => void messages.push(message) };
const target = 'corp.example/Policies/{AAAAAAAA-0000-0000-0000-000000000001}';

async function stage(content: string): Promise<string> {
  const staged = scratchFolderBeside(target, 'staging');
  await sysvol.writeTree(staged, [{ path: 'GPT.INI', kind: 'file', content: Buffer.from(content) }]);
  return staged;
}

beforeEach(async () => {
  root = await tempDir('coffer-folder-swap-');
  await mkdir(join(root, 'corp.example/Policies'), { recursive: true });
  sysvol = createLocalSysvolSource({ root });
  messages = [];
});

describe('swapInFolder', () => {
  it('names scratch folders beside the target, recognisable as leftovers of that object only', () => {
    const staged = scratchFolderBeside(target, 'staging');
    expect(staged).toMatch(
      /^corp\.example\/Policies\/\.coffer-staging-\{AAAAAAAA-0000-0000-0000-000000000001\}-[0-9a-f]{8}$/,
    );
    expect(scratchFolderBeside(target, 'staging')).not.toBe(staged);
    expect(isScratchFolderOf(staged.split('/').pop()!, 'aaaaaaaa-0000-0000-0000-000000000001')).toBe(true);
    expect(isScratchFolderOf(staged.split('/').pop()!, 'bbbbbbbb-0000-0000-0000-000000000002')).toBe(false);
    expect(isScratchFolderOf('{AAAAAAAA-0000-0000-0000-000000000001}', 'aaaaaaaa-0000-0000-0000-000000000001')).toBe(
      false,
    );
  });

  it('puts a new folder in place when there was none, leaving nothing beside it', async () => {
    const replaced = await swapInFolder(sysvol, await stage('new'), target, context, 'the GPT');
    expect(replaced).toBeNull();
    expect(await readFile(join(root, target, 'GPT.INI'), 'utf8')).toBe('new');
    expect(await readdir(join(root, 'corp.example/Policies'))).toEqual(['{AAAAAAAA-0000-0000-0000-000000000001}']);
  });

  it('replaces a live folder wholly (no merge), keeping the old content aside until it is removed', async () => {
    await mkdir(join(root, target));
    await writeFile(join(root, target, 'GPT.INI'), 'old');
    await writeFile(join(root, target, 'only-in-old.txt'), 'x');
    const replaced = await swapInFolder(sysvol, await stage('new'), target, context, 'the GPT');
    expect(replaced).toMatch(/\/\.coffer-replaced-\{AAAAAAAA-0000-0000-0000-000000000001\}-[0-9a-f]{8}$/);
    expect((await readdir(join(root, target))).sort()).toEqual(['GPT.INI']);
    expect(await readFile(join(root, replaced!, 'only-in-old.txt'), 'utf8')).toBe('x');
    await removeReplacedFolder(sysvol, replaced!, context, 'The GPT');
    expect(await readdir(join(root, 'corp.example/Policies'))).toEqual(['{AAAAAAAA-0000-0000-0000-000000000001}']);
    expect(messages).toEqual([]);
  });

  it('puts the live folder back when the staged one cannot be renamed in, and throws', async () => {
    await mkdir(join(root, target));
    await writeFile(join(root, target, 'GPT.INI'), 'old');
    await expect(
      swapInFolder(sysvol, 'corp.example/Policies/.coffer-staging-missing', target, context, 'the GPT'),
    ).rejects.toThrow();
    expect(await readFile(join(root, target, 'GPT.INI'), 'utf8')).toBe('old');
    expect(await readdir(join(root, 'corp.example/Policies'))).toEqual(['{AAAAAAAA-0000-0000-0000-000000000001}']);
    expect(messages).toEqual([]);
  });
});

describe('stageFolder', () => {
  it('writes the content beside the target, recording what it wrote, after `prepare` saw the empty scratch folder', async () => {
    const seen: string[][] = [];
    const staged = await stageFolder(
      sysvol,
      target,
      [
        { path: 'Machine', kind: 'directory' },
        { path: 'Machine/registry.pol', kind: 'file', content: Buffer.from('PReg') },
        { path: 'GPT.INI', kind: 'file', content: Buffer.from('[General]') },
      ],
      { prepare: async (path) => void seen.push(await readdir(join(root, path))) },
    );
    expect(seen).toEqual([[]]);
    expect(staged.target).toBe(target);
    expect(staged.staged).toMatch(/^corp\.example\/Policies\/\.coffer-staging-\{AAAAAAAA-[^/]*$/);
    expect(staged.written).toEqual(['Machine', 'Machine/registry.pol', 'GPT.INI']);
    expect(await readFile(join(root, staged.staged, 'Machine/registry.pol'), 'utf8')).toBe('PReg');
    // Nothing a client reads has changed: the target does not exist yet.
    expect(await readdir(join(root, 'corp.example/Policies'))).toEqual([staged.staged.split('/').pop()]);
    expect(scratchFolderBeside(target, 'staging', 'kiosk')).toMatch(/\/\.coffer-staging-kiosk-[0-9a-f]{8}$/);
    await discardStagedFolder(sysvol, staged.staged);
    expect(await readdir(join(root, 'corp.example/Policies'))).toEqual([]);
  });

  it('removes the scratch folder when `prepare` or the content fails, and throws that error', async () => {
    await expect(
      stageFolder(sysvol, target, [{ path: 'a', kind: 'file', content: Buffer.from('a') }], {
        prepare: async () => {
          throw new Error('ACL refused');
        },
      }),
    ).rejects.toThrow('ACL refused');
    async function* failing() {
      yield { path: 'a', kind: 'file' as const, content: Buffer.from('a') };
      throw new Error('cancelled half-way');
    }
    await expect(stageFolder(sysvol, target, failing())).rejects.toThrow('cancelled half-way');
    expect(await readdir(join(root, 'corp.example/Policies'))).toEqual([]);
  });
});
