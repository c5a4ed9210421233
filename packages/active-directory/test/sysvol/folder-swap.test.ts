/** The folder swap both Group Policy providers replace SYSVOL folders with, over a local SYSVOL (real files, real renames). */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StatusMessage } from '@coffer/core';
import { tempDir } from '@coffer/test-support';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createLocalSysvolSource,
  isScratchFolderOf,
  removeReplacedFolder,
  scratchFolderBeside,
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
