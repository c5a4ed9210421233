/**
 * Restore --what-if on a SYSVOL folder on disk: nothing is written, and the plan names exactly the paths the real
 * restore then adds, changes and removes below StarterGPOs.
 */
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runBackup, runRestore, type RestoreOutput } from '@coffer/core';
import { snapshotTree } from '@coffer/test-support';
import provider from '../../src/index.js';
import { DOMAIN, KIOSK, makeSysvol, SYSTEM } from '../helpers/sysvol-fixture.js';

let sysvol: { root: string; remove(): Promise<void> };
let out: string;

beforeEach(async () => {
  sysvol = await makeSysvol([KIOSK, SYSTEM]);
  out = await mkdtemp(join(tmpdir(), 'coffer-sg-what-if-'));
});

afterEach(async () => {
  await sysvol.remove();
  await rm(out, { recursive: true, force: true });
});

const options = () => ({ sysvol: sysvol.root, domain: DOMAIN });
const starterGpos = () => join(sysvol.root, DOMAIN, 'StarterGPOs');

interface Plan {
  id: string;
  added: string[];
  changed: string[];
  removed: string[];
}

describe('restore --what-if (local SYSVOL)', () => {
  it('writes nothing; its plan is exactly what the real restore changes', async () => {
    const backup = await runBackup(provider, { destination: out, options: { ...options(), all: true } });
    expect(backup.output!.backups).toHaveLength(2);
    // After the backup: one Starter GPO edited (a file changed, one added, one removed), the other deleted.
    const kiosk = join(starterGpos(), KIOSK.guid);
    await writeFile(join(kiosk, 'Machine', 'registry.pol'), 'PReg\x01\x00\x00\x00edited');
    await writeFile(join(kiosk, 'Machine', 'stray.txt'), 'added later');
    await unlink(join(kiosk, 'User', 'Registry.pol'));
    await rm(join(starterGpos(), SYSTEM.guid), { recursive: true });

    const before = await snapshotTree(starterGpos());
    const whatIf = await runRestore(provider, { source: out, options: { ...options(), all: true, whatIf: true } });
    expect(whatIf.error, JSON.stringify(whatIf.error)).toBeUndefined();
    expect(await snapshotTree(starterGpos())).toEqual(before);
    const output = whatIf.output as RestoreOutput & { plan: Plan[] };
    expect(output.restored).toEqual([]);
    expect(output.counts).toMatchObject({ whatIf: 1, starterGpos: 0, plannedStarterGpos: 2 });
    expect(whatIf.messages.filter((m) => m.code === 'WHAT_IF')).toHaveLength(2);
    expect(whatIf.messages.some((m) => m.code === 'STARTER_GPO_RESTORED')).toBe(false);

    const real = await runRestore(provider, { source: out, options: { ...options(), all: true } });
    expect(real.error).toBeUndefined();
    const after = await snapshotTree(starterGpos());
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
    // Not empty by accident: the edits are what it undoes, the tmplx gets raised versions, the deleted one comes back.
    expect(changes.changed).toEqual([`${KIOSK.guid}/Machine/registry.pol`, `${KIOSK.guid}/StarterGPO.tmplx`].sort());
    expect(changes.removed).toEqual([`${KIOSK.guid}/Machine/stray.txt`]);
    expect(changes.added).toContain(`${KIOSK.guid}/User/Registry.pol`);
    expect(changes.added).toContain(`${SYSTEM.guid}/`);
  });
});
