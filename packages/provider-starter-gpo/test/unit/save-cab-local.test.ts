import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HRESULT, runCommand } from '@coffer/core';
import provider from '../../src/index.js';
import { cabinetNameOf, planCabinetNames } from '../../src/cab/cabinet-names.js';
import { ensureCabTools, gcabNames, runTool } from '@coffer/test-support';
import { DOMAIN, KIOSK, makeSysvol, SYSTEM } from '../helpers/sysvol-fixture.js';

let sysvol: { root: string; remove(): Promise<void> };
let outDir: string;

beforeAll(async () => {
  await ensureCabTools();
}, 300_000);

beforeEach(async () => {
  sysvol = await makeSysvol([KIOSK, SYSTEM]);
  outDir = await mkdtemp(join(tmpdir(), 'coffer-sg-cab-'));
});

afterEach(async () => {
  await sysvol.remove();
  await rm(outDir, { recursive: true, force: true });
});

const KIOSK_CAB_NAMES: Record<string, string> = {
  'StarterGPO.tmplx': 'StarterGPO.tmplx',
  'Machine/comment.cmtx': 'Machine_Comment.cmtx',
  'Machine/registry.pol': 'Machine_Registry.pol',
  'User/Registry.pol': 'User_Registry.pol',
  'User/Sub Folder/Dätei mit Leerzeichen ✓.txt': 'User_Sub Folder_Dätei mit Leerzeichen ✓.txt',
};

describe('cabinet names', () => {
  it("uses GPMC's flat <side>_<file> names", () => {
    for (const [path, name] of Object.entries(KIOSK_CAB_NAMES)) expect(cabinetNameOf(path)).toBe(name);
    expect(cabinetNameOf('MACHINE/REGISTRY.POL')).toBe('Machine_Registry.pol');
    expect(cabinetNameOf('en-US/StarterGPO.tmpll')).toBe('en-US_StarterGPO.tmpll');
    expect(cabinetNameOf('Machine/Scripts/Startup/a.cmd')).toBe('Machine_Scripts_Startup_a.cmd');
  });

  it('puts the tmplx first and refuses names that would collide', () => {
    expect(
      planCabinetNames(['User/registry.pol', 'StarterGPO.tmplx', 'Machine/registry.pol']).map((p) => p.name),
    ).toEqual(['StarterGPO.tmplx', 'Machine_Registry.pol', 'User_Registry.pol']);
    expect(() => planCabinetNames(['Machine/a_b.txt', 'Machine/a/b.txt'])).toThrow(
      expect.objectContaining({ code: 'CAB_NAME_COLLISION' }),
    );
    expect(() => planCabinetNames(['Report.html'])).toThrow(expect.objectContaining({ code: 'CAB_NAME_COLLISION' }));
  });
});

describe('save-cab from a local SYSVOL', () => {
  const save = (options: Record<string, unknown>) =>
    runCommand(provider, 'save-cab', {
      options: { sysvol: sysvol.root, domain: DOMAIN, starterGpo: KIOSK.displayName, ...options },
    });

  it.each(['mszip', 'none'] as const)(
    'writes a %s cabinet that gcab and cabextract both open, with every file byte for byte',
    async (compression) => {
      const cabFile = join(outDir, `kiosk ✓ ${compression}.cab`);
      const result = await save({ out: cabFile, compression });
      expect(['succeeded', 'succeeded-with-warnings']).toContain(result.status);
      expect(result.output!.data).toMatchObject({ path: cabFile, starterGpoId: KIOSK.guid });
      expect(await readdir(outDir)).toEqual([`kiosk ✓ ${compression}.cab`]);

      const listing = await gcabNames(cabFile);
      expect(listing).toEqual([...Object.values(KIOSK_CAB_NAMES), 'Report.html'].sort());
      expect((await runTool('cabextract', ['-t', cabFile])).stdout).toContain('All done, no errors');

      for (const tool of ['gcab', 'cabextract'] as const) {
        const into = await mkdtemp(join(outDir, `${tool}-`));
        if (tool === 'gcab') await runTool('gcab', ['-x', '-C', into, cabFile]);
        else await runTool('cabextract', ['-q', '-d', into, cabFile]);
        for (const [path, name] of Object.entries(KIOSK_CAB_NAMES)) {
          expect((await readFile(join(into, name))).equals(Buffer.from(KIOSK.files[path]!)), `${tool}: ${name}`).toBe(
            true,
          );
        }
        expect(await readFile(join(into, 'Report.html'), 'utf8')).toContain('Kiosk ✓ Ünïcødé');
      }
    },
  );

  it('includes the localised tmpll under <lang>_StarterGPO.tmpll', async () => {
    const cabFile = join(outDir, 'system.cab');
    await save({ out: cabFile, starterGpo: SYSTEM.guid });
    const listing = await gcabNames(cabFile);
    expect(listing).toEqual(['Machine_Registry.pol', 'Report.html', 'StarterGPO.tmplx', 'en-US_StarterGPO.tmpll']);
  });

  it('refuses an existing file unless overwrite, and replaces it with overwrite', async () => {
    const cabFile = join(outDir, 'exists.cab');
    await writeFile(cabFile, 'keep me');
    const refused = await save({ out: cabFile });
    expect(refused.status).toBe('failed');
    expect(refused.error).toMatchObject({
      code: 'ALREADY_EXISTS',
      hresult: HRESULT.ERROR_FILE_EXISTS,
      object: cabFile,
    });
    expect(await readFile(cabFile, 'utf8')).toBe('keep me');
    const replaced = await save({ out: cabFile, overwrite: true });
    expect(replaced.status).not.toBe('failed');
    expect((await readFile(cabFile)).subarray(0, 4).toString('latin1')).toBe('MSCF');
    expect(await readdir(outDir)).toEqual(['exists.cab']);
  });

  it('a missing folder, an unknown Starter GPO or a cancel leave no file behind', async () => {
    const noFolder = await save({ out: join(outDir, 'missing', 'x.cab') });
    expect(noFolder.error).toMatchObject({ code: 'PATH_NOT_FOUND', hresult: HRESULT.ERROR_PATH_NOT_FOUND });
    const unknown = await save({ out: join(outDir, 'x.cab'), starterGpo: 'Unknown' });
    expect(unknown.error).toMatchObject({ code: 'NOT_FOUND' });
    const controller = new AbortController();
    const cancelled = await runCommand(provider, 'save-cab', {
      options: { sysvol: sysvol.root, domain: DOMAIN, starterGpo: KIOSK.guid, out: join(outDir, 'x.cab') },
      signal: controller.signal,
      onProgress: (report) => {
        if (report.phase === 'writing cabinet' && report.completed > 0) controller.abort();
      },
    });
    expect(cancelled.status).toBe('cancelled');
    expect(await readdir(outDir)).toEqual([]);
  });
});
