/**
 * load-cab on a SYSVOL folder on disk: a saved cabinet loads back name for name (spaces, Unicode, `_` in names,
 * empty folders) through the path map in Report.html; a cancel mid-write leaves the existing Starter GPO as it was.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand } from '@coffer/core';
import provider from '../../src/index.js';
import { DOMAIN, KIOSK, makeSysvol, SYSTEM } from '../helpers/sysvol-fixture.js';
import { folderOnDisk } from '../helpers/real-dc.js';

let sysvol: { root: string; remove(): Promise<void> };
let out: string;

beforeEach(async () => {
  sysvol = await makeSysvol([KIOSK, SYSTEM]);
  out = await mkdtemp(join(tmpdir(), 'coffer-sg-loadcab-unit-'));
});

afterEach(async () => {
  await sysvol.remove();
  await rm(out, { recursive: true, force: true });
});

const options = () => ({ sysvol: sysvol.root, domain: DOMAIN });
const starterGpos = () => join(sysvol.root, DOMAIN, 'StarterGPOs');

describe('load-cab from a local SYSVOL', () => {
  it('loads a saved cabinet back name for name, empty folders included', async () => {
    const cab = join(out, 'kiosk.cab');
    await runCommand(provider, 'save-cab', { options: { ...options(), starterGpo: KIOSK.guid, out: cab } });
    const before = await folderOnDisk(join(starterGpos(), KIOSK.guid));
    await rm(join(starterGpos(), KIOSK.guid), { recursive: true });
    const loaded = await runCommand(provider, 'load-cab', { options: { ...options(), cab } });
    expect(loaded.status, JSON.stringify(loaded.messages)).toBe('succeeded');
    expect(loaded.output!.data).toMatchObject({
      starterGpoId: KIOSK.guid,
      displayName: KIOSK.displayName,
      pathsFrom: 'coffer-path-map',
    });
    const after = await folderOnDisk(join(starterGpos(), KIOSK.guid));
    expect(after.dirs).toEqual(before.dirs);
    expect(after.dirs).toContain('User/Empty Folder');
    expect([...after.files.keys()].sort()).toEqual([...before.files.keys()].sort());
    for (const [path, bytes] of before.files) expect(after.files.get(path)!.equals(bytes), path).toBe(true);
  });

  it('a cancel while writing leaves the existing Starter GPO and StarterGPOs as they were', async () => {
    const cab = join(out, 'kiosk.cab');
    await runCommand(provider, 'save-cab', { options: { ...options(), starterGpo: KIOSK.guid, out: cab } });
    const before = await folderOnDisk(join(starterGpos(), KIOSK.guid));
    const names = (await readdir(starterGpos())).sort();
    const controller = new AbortController();
    const cancelled = await runCommand(provider, 'load-cab', {
      options: { ...options(), cab, overwrite: true },
      signal: controller.signal,
      onProgress: (report) => {
        if (report.phase === 'writing Starter GPO' && report.completed >= 2) controller.abort();
      },
    });
    expect(cancelled.status).toBe('cancelled');
    const after = await folderOnDisk(join(starterGpos(), KIOSK.guid));
    expect(after).toEqual(before);
    expect((await readdir(starterGpos())).sort()).toEqual(names);
  });
});
