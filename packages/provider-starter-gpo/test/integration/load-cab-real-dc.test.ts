/**
 * load-cab against the real Samba DC over both transports: every seeded Starter GPO saved as a cabinet, removed
 * from the DC and loaded back (the same folder, name for name, empty folders too; a new backup equals the one taken
 * before); an existing one needs --overwrite, and overwriting keeps its ACL and raises its versions; cabinets made
 * by Debian's gcab (stored and MSZIP, flat GPMC names and folder paths) load. The DC is put back after each test.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HRESULT, runBackup, runCommand, type BackupRecord } from '@coffer/core';
import provider from '../../src/index.js';
import { parseStarterGpoTemplate } from '../../src/template/starter-gpo-template.js';
import { ensureCabTools, runTool } from '@coffer/test-support';
import { aclOnDisk, connectionOptions, folderOnDisk, testDomain, type Transport } from '../helpers/real-dc.js';
import { NS, tmplx } from '../helpers/sysvol-fixture.js';
import {
  putBackStarterGpos,
  saveStarterGpos,
  starterGposNames,
  starterGposRoot,
  type SavedStarterGpos,
} from '../helpers/starter-gpo-state.js';

let saved: SavedStarterGpos;
let out: string;

beforeAll(async () => {
  await ensureCabTools();
  saved = await saveStarterGpos();
}, 300_000);

afterAll(async () => {
  await putBackStarterGpos(saved);
});

beforeEach(async () => {
  out = await mkdtemp(join(tmpdir(), 'coffer-sg-loadcab-'));
});

afterEach(async () => {
  await putBackStarterGpos(saved);
  await rm(out, { recursive: true, force: true });
});

async function backupFiles(transport: Transport, guid: string): Promise<Map<string, Buffer>> {
  const destination = await mkdtemp(join(out, 'backup-'));
  const result = await runBackup(provider, {
    destination,
    options: { ...connectionOptions(transport), starterGpo: [guid] },
  });
  expect(result.status, JSON.stringify(result.messages)).toBe('succeeded');
  const [record] = result.output!.backups as BackupRecord[];
  const copy = await folderOnDisk(join(record!.path, 'DomainSysvol', 'GPO'));
  return new Map([...copy.files, ...copy.dirs.map((dir) => [`${dir}/`, Buffer.alloc(0)] as const)]);
}

const loadCab = (transport: Transport, cab: string, extra: Record<string, unknown> = {}) =>
  runCommand(provider, 'load-cab', { options: { ...connectionOptions(transport), cab, ...extra } });

describe.each<Transport>(['smb', 'local'])('load-cab over %s', (transport) => {
  it('save-cab then load-cab gives every seeded Starter GPO back exactly, into a domain that no longer has it', async () => {
    for (const starter of testDomain().seed!.starterGpos) {
      const before = await backupFiles(transport, starter.guid);
      const cab = join(out, `${starter.guid}.cab`);
      const savedCab = await runCommand(provider, 'save-cab', {
        options: { ...connectionOptions(transport), starterGpo: starter.guid, out: cab },
      });
      expect(savedCab.status, JSON.stringify(savedCab.messages)).toBe('succeeded');
      await rm(starter.sysvolFolder, { recursive: true, force: true });

      const loaded = await loadCab(transport, cab);
      expect(loaded.status, JSON.stringify(loaded.messages)).toBe('succeeded');
      expect(loaded.output!.data).toMatchObject({
        starterGpoId: starter.guid,
        displayName: starter.displayName,
        replaced: false,
        pathsFrom: 'coffer-path-map',
      });

      const truth = saved.folders.find((f) => f.name === starter.guid)!;
      const now = await folderOnDisk(starter.sysvolFolder);
      expect(now.dirs).toEqual(truth.dirs);
      expect([...now.files.keys()].sort()).toEqual([...truth.files.keys()].sort());
      for (const [path, bytes] of truth.files) expect(now.files.get(path)!.equals(bytes), path).toBe(true);
      expect(await backupFiles(transport, starter.guid)).toEqual(before);
    }
    expect(await starterGposNames()).toEqual(saved.folders.map((f) => f.name).sort());
  });

  it('refuses a Starter GPO that exists unless --overwrite; overwriting keeps its ACL and raises its versions', async () => {
    const starter = testDomain().seed!.starterGpos.find((s) => s.typeName === 'System')!;
    const cab = join(out, 'system.cab');
    await runCommand(provider, 'save-cab', {
      options: { ...connectionOptions(transport), starterGpo: starter.guid, out: cab, compression: 'none' },
    });
    await writeFile(join(starter.sysvolFolder, 'Machine', 'registry.pol'), 'edited since');
    const aclBefore = await aclOnDisk(starter.sysvolFolder);

    const refused = await loadCab(transport, cab);
    expect(refused.status).toBe('failed');
    expect(refused.error).toMatchObject({ code: 'ALREADY_EXISTS', hresult: HRESULT.ERROR_ALREADY_EXISTS });
    expect(refused.error!.hint).toContain('--overwrite');
    expect(await readFile(join(starter.sysvolFolder, 'Machine', 'registry.pol'), 'utf8')).toBe('edited since');

    const replaced = await loadCab(transport, cab, { overwrite: true });
    expect(replaced.status, JSON.stringify(replaced.messages)).toBe('succeeded');
    expect(replaced.output!.data).toMatchObject({ replaced: true });
    const truth = saved.folders.find((f) => f.name === starter.guid)!;
    const now = await folderOnDisk(starter.sysvolFolder);
    expect(now.files.get('Machine/registry.pol')!.equals(truth.files.get('Machine/registry.pol')!)).toBe(true);
    const template = parseStarterGpoTemplate(now.files.get('StarterGPO.tmplx')!);
    expect(template.computerVersion).toBe(starter.computerVersion + 1);
    expect(template.userVersion).toBe(starter.userVersion + 1);
    expect(await aclOnDisk(starter.sysvolFolder)).toBe(aclBefore);
    expect(await starterGposNames()).toEqual(saved.folders.map((f) => f.name).sort());
  });

  it.each([
    ['stored', [] as string[]],
    ['MSZIP', ['-z']],
  ])('loads a %s cabinet made by gcab, flat GPMC names and folder paths alike', async (_kind, gcabFlags) => {
    const guid = `{${randomUUID().toUpperCase()}}`;
    const source = await mkdtemp(join(out, 'gcab-'));
    const pol = Buffer.concat([Buffer.from('PReg\x01\x00\x00\x00', 'latin1'), Buffer.alloc(70_000, 0x5a)]);
    const files: Record<string, Buffer | string> = {
      'StarterGPO.tmplx': tmplx(guid, 'Made by gcab ✓', 1),
      'Machine_Registry.pol': pol,
      'Machine_Comment.cmtx': '\ufeff<?xml version="1.0"?><policyComments/>',
      'en-US_StarterGPO.tmpll': `<?xml version="1.0" encoding="utf-8"?><StarterGPOResources xmlns="${NS}"><DisplayName>Made by gcab ✓</DisplayName></StarterGPOResources>`,
      'Report.html': '<html><body>GPMC report</body></html>',
    };
    for (const [name, content] of Object.entries(files)) await writeFile(join(source, name), content);
    await mkdir(join(source, 'User'));
    await writeFile(join(source, 'User', 'registry.pol'), 'PReg\x01\x00\x00\x00user');
    const cab = join(out, 'gcab.cab');
    await runTool('gcab', ['-c', ...gcabFlags, cab, ...Object.keys(files), 'User/registry.pol'], source);

    const loaded = await loadCab(transport, cab);
    expect(loaded.status, JSON.stringify(loaded.messages)).toBe('succeeded');
    expect(loaded.output!.data).toMatchObject({
      starterGpoId: guid,
      displayName: 'Made by gcab ✓',
      pathsFrom: 'naming-rules',
      replaced: false,
    });
    const now = await folderOnDisk(join(starterGposRoot(), guid));
    expect([...now.files.keys()].sort()).toEqual([
      'Machine/comment.cmtx',
      'Machine/registry.pol',
      'StarterGPO.tmplx',
      'User/registry.pol',
      'en-US/StarterGPO.tmpll',
    ]);
    expect(now.dirs).toEqual(['Machine', 'User', 'en-US']);
    expect(now.files.get('Machine/registry.pol')!.equals(pol)).toBe(true);
    expect(now.files.get('StarterGPO.tmplx')!.toString('utf8')).toBe(files['StarterGPO.tmplx']);
    expect(now.files.get('User/registry.pol')!.toString('latin1')).toBe('PReg\x01\x00\x00\x00user');

    // A backup finds it like any other Starter GPO.
    const destination = await mkdtemp(join(out, 'backup-'));
    const backup = await runBackup(provider, {
      destination,
      options: { ...connectionOptions(transport), starterGpo: ['Made by gcab ✓'] },
    });
    expect(backup.output!.backups.map((b) => b.objectId)).toEqual([guid]);
  });

  it('a damaged cabinet or one without StarterGPO.tmplx is refused before the domain is touched', async () => {
    const starter = testDomain().seed!.starterGpos[0]!;
    const cab = join(out, 'damaged.cab');
    await runCommand(provider, 'save-cab', {
      options: { ...connectionOptions(transport), starterGpo: starter.guid, out: cab },
    });
    const bytes = await readFile(cab);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 3) ^ 0x55, bytes.length - 3);
    await writeFile(cab, bytes);
    await rm(starter.sysvolFolder, { recursive: true, force: true });
    const names = await starterGposNames();
    const damaged = await loadCab(transport, cab);
    expect(damaged.status).toBe('failed');
    expect(damaged.error).toMatchObject({ code: 'CAB_CHECKSUM_MISMATCH', hresult: HRESULT.ERROR_FILE_CORRUPT });
    expect(await starterGposNames()).toEqual(names);

    const plain = await mkdtemp(join(out, 'plain-'));
    await writeFile(join(plain, 'readme.txt'), 'no starter gpo here');
    await runTool('gcab', ['-c', join(out, 'plain.cab'), 'readme.txt'], plain);
    const notStarter = await loadCab(transport, join(out, 'plain.cab'));
    expect(notStarter.error).toMatchObject({ code: 'CAB_NOT_A_STARTER_GPO' });
    const missing = await loadCab(transport, join(out, 'missing.cab'));
    expect(missing.error).toMatchObject({ code: 'PATH_NOT_FOUND', hresult: HRESULT.ERROR_PATH_NOT_FOUND });
    expect(await starterGposNames()).toEqual(names);
  });
});
