/**
 * Restore --what-if against the real Samba DC over SMB: nothing in StarterGPOs changes (files or folder ACLs), and
 * the plan names exactly the paths the real restore then adds, changes and removes. The DC's StarterGPOs folder is
 * put back afterwards.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup, runRestore, type RestoreOutput } from '@coffer/core';
import { snapshotTree } from '@coffer/test-support';
import provider from '../../src/index.js';
import { aclOnDisk, connectionOptions, testDomain } from '../helpers/real-dc.js';
import {
  putBackStarterGpos,
  saveStarterGpos,
  starterGposRoot,
  type SavedStarterGpos,
} from '../helpers/starter-gpo-state.js';

let saved: SavedStarterGpos;
let out: string;

beforeAll(async () => {
  saved = await saveStarterGpos();
  out = await mkdtemp(join(tmpdir(), 'coffer-sg-what-if-'));
});

afterAll(async () => {
  await putBackStarterGpos(saved);
  await rm(out, { recursive: true, force: true });
});

interface Plan {
  added: string[];
  changed: string[];
  removed: string[];
}

describe('restore --what-if against the real DC (SMB)', () => {
  it('writes nothing; its plan is exactly what the real restore changes', async () => {
    const backup = await runBackup(provider, { destination: out, options: { ...connectionOptions('smb'), all: true } });
    expect(backup.error, JSON.stringify(backup.error)).toBeUndefined();
    const starters = testDomain().seed!.starterGpos;
    const [edited, deleted] = starters;
    expect(deleted).toBeDefined();
    const root = starterGposRoot();
    // After the backup: one Starter GPO edited (a file added, its tmplx rewritten), another deleted.
    await writeFile(join(root, edited!.guid, 'stray.txt'), 'added later');
    await writeFile(join(root, edited!.guid, 'StarterGPO.tmplx'), 'not a template any more');
    await rm(join(root, deleted!.guid), { recursive: true });

    const before = await snapshotTree(root);
    const aclBefore = await aclOnDisk(join(root, edited!.guid));
    const whatIf = await runRestore(provider, {
      source: out,
      options: { ...connectionOptions('smb'), all: true, whatIf: true },
    });
    expect(whatIf.error, JSON.stringify(whatIf.error)).toBeUndefined();
    expect(await snapshotTree(root)).toEqual(before);
    expect(await aclOnDisk(join(root, edited!.guid))).toBe(aclBefore);
    const output = whatIf.output as RestoreOutput & { plan: Plan[] };
    expect(output.restored).toEqual([]);
    expect(output.counts).toMatchObject({ whatIf: 1, starterGpos: 0, plannedStarterGpos: starters.length });

    const real = await runRestore(provider, { source: out, options: { ...connectionOptions('smb'), all: true } });
    expect(real.error, JSON.stringify(real.error)).toBeUndefined();
    const after = await snapshotTree(root);
    const changes = {
      added: Object.keys(after)
        .filter((p) => !(p in before))
        .sort(),
      changed: Object.keys(after)
        .filter((p) => p in before && before[p] !== after[p])
        .sort(),
      removed: Object.keys(before)
        .filter((p) => !(p in after))
        .sort(),
    };
    expect({
      added: output.plan.flatMap((p) => p.added).sort(),
      changed: output.plan.flatMap((p) => p.changed).sort(),
      removed: output.plan.flatMap((p) => p.removed).sort(),
    }).toEqual(changes);
    expect(changes.removed).toEqual([`${edited!.guid}/stray.txt`]);
    expect(changes.changed).toContain(`${edited!.guid}/StarterGPO.tmplx`);
    expect(changes.added).toContain(`${deleted!.guid}/`);
  });
});
