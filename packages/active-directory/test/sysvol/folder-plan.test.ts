/** The what-if of a folder swap (both Group Policy providers' --what-if), over a local SYSVOL of real files. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { snapshotTree, tempDir } from '@coffer/test-support';
import { describe, expect, it } from 'vitest';
import { createLocalSysvolSource, digestBytes, digestSysvolTree, plannedFolderChanges } from '../../src/index.js';

describe('digestSysvolTree and plannedFolderChanges', () => {
  it('digest a folder as test-support snapshots it, and name what a swap adds, changes, removes and keeps', async () => {
    const root = await tempDir('coffer-folder-plan-');
    const gpt = join(root, 'corp.example', 'Policies', '{GPO}');
    await mkdir(join(gpt, 'Machine', 'Empty'), { recursive: true });
    await mkdir(join(gpt, 'Adm'), { recursive: true });
    await writeFile(join(gpt, 'GPT.INI'), 'old');
    await writeFile(join(gpt, 'Machine', 'same.pol'), 'same');
    await writeFile(join(gpt, 'Machine', 'gone.txt'), 'gone');
    await writeFile(join(gpt, 'Adm', 'kept.adm'), 'kept');
    const sysvol = createLocalSysvolSource({ root });
    const live = await digestSysvolTree(sysvol, 'corp.example/Policies/{GPO}');
    // The same digests and folder keys as snapshotTree, so a plan compares with a before/after snapshot.
    expect(Object.fromEntries(live)).toEqual(await snapshotTree(gpt));
    expect(await digestSysvolTree(sysvol, 'corp.example/Policies/{MISSING}')).toEqual(new Map());

    const future = new Map([
      ['Machine/', 'dir'],
      ['Machine/same.pol', digestBytes(Buffer.from('same'))],
      ['Machine/new.pol', digestBytes(Buffer.from('new'))],
      ['GPT.INI', digestBytes(Buffer.from('new version'))],
    ]);
    expect(plannedFolderChanges('{GPO}', live, future, (path) => path.startsWith('Adm'))).toEqual({
      added: ['{GPO}/Machine/new.pol'],
      changed: ['{GPO}/GPT.INI'],
      removed: ['{GPO}/Machine/Empty/', '{GPO}/Machine/gone.txt'],
    });
    expect(plannedFolderChanges('{NEW}', null, new Map([['GPT.INI', 'x']]))).toEqual({
      added: ['{NEW}/', '{NEW}/GPT.INI'],
      changed: [],
      removed: [],
    });
  });
});
