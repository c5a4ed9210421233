/**
 * Restore on a SYSVOL folder on disk (no DC, no smb.conf, so no ACLs): which backups are chosen, the round trip,
 * a backup from another domain refused, and how the tmplx versions are raised over an existing Starter GPO.
 */
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HRESULT, runBackup, runRestore } from '@coffer/core';
import provider from '../../src/index.js';
import { bumpTemplateVersions, formatTemplateTime } from '../../src/template/bump-template-versions.js';
import { parseStarterGpoTemplate, renderStarterGpoTemplate } from '../../src/template/starter-gpo-template.js';
import { encodeXml } from '@coffer/gpmc';
import { DOMAIN, KIOSK, makeSysvol, SYSTEM, tmplx } from '../helpers/sysvol-fixture.js';
import { folderOnDisk } from '../helpers/real-dc.js';

let sysvol: { root: string; remove(): Promise<void> };
let out: string;

beforeEach(async () => {
  sysvol = await makeSysvol([KIOSK, SYSTEM]);
  out = await mkdtemp(join(tmpdir(), 'coffer-sg-restore-unit-'));
});

afterEach(async () => {
  await sysvol.remove();
  await rm(out, { recursive: true, force: true });
});

const options = () => ({ sysvol: sysvol.root, domain: DOMAIN });
const folderOf = (guid: string) => join(sysvol.root, DOMAIN, 'StarterGPOs', guid);

async function backUpAll(): Promise<void> {
  const result = await runBackup(provider, { destination: out, options: { ...options(), all: true } });
  expect(result.output!.backups).toHaveLength(2);
}

describe('restore from a local SYSVOL', () => {
  it('restores deleted Starter GPOs byte for byte, empty folders too, and says the backup kept no ACL', async () => {
    await backUpAll();
    const before = await folderOnDisk(folderOf(KIOSK.guid));
    await rm(join(sysvol.root, DOMAIN, 'StarterGPOs'), { recursive: true });
    const result = await runRestore(provider, { source: out, options: { ...options(), all: true } });
    expect(result.status, JSON.stringify(result.messages)).toBe('succeeded-with-warnings');
    expect(result.messages.filter((m) => m.severity === 'warning').map((m) => m.code)).toEqual([
      'ACL_NOT_IN_BACKUP',
      'ACL_NOT_IN_BACKUP',
    ]);
    expect(result.output!.counts).toMatchObject({ starterGpos: 2, created: 2, replaced: 0, files: 8 });
    const after = await folderOnDisk(folderOf(KIOSK.guid));
    expect(after.dirs).toEqual(before.dirs);
    expect(after.dirs).toContain('User/Empty Folder');
    for (const [path, bytes] of before.files) expect(after.files.get(path)!.equals(bytes), path).toBe(true);
    expect((await readdir(join(sysvol.root, DOMAIN, 'StarterGPOs'))).sort()).toEqual([KIOSK.guid, SYSTEM.guid].sort());
  });

  it('chooses backups by id, by Starter GPO name or GUID, from one backup folder, and asks when it cannot tell', async () => {
    await backUpAll();
    const listed = (await readdir(out)).filter((name) => name.startsWith('{'));
    const unsure = await runRestore(provider, { source: out, options: options() });
    expect(unsure.error).toMatchObject({ code: 'INVALID_ARGUMENT', hresult: HRESULT.E_INVALIDARG });
    expect(unsure.error!.hint).toContain('--all');
    const unknown = await runRestore(provider, {
      source: out,
      options: { ...options(), backupId: '{00000000-0000-0000-0000-000000000000}' },
    });
    expect(unknown.error).toMatchObject({ code: 'NOT_FOUND', hresult: HRESULT.ERROR_NOT_FOUND });
    const byName = await runRestore(provider, {
      source: out,
      options: { ...options(), starterGpo: KIOSK.displayName.toUpperCase() },
    });
    expect(byName.output!.restored.map((r) => r.objectId)).toEqual([KIOSK.guid]);
    const byGuid = await runRestore(provider, {
      source: out,
      options: { ...options(), starterGpo: SYSTEM.guid.toLowerCase().replace(/[{}]/g, '') },
    });
    expect(byGuid.output!.restored.map((r) => r.objectId)).toEqual([SYSTEM.guid]);
    const oneFolder = await runRestore(provider, { source: join(out, listed[0]!), options: options() });
    expect(oneFolder.status).not.toBe('failed');
    expect(oneFolder.output!.restored[0]!.fromBackupId).toBe(listed[0]);
    const both = await runRestore(provider, { source: out, options: { ...options(), backupId: listed[0], all: true } });
    expect(both.error).toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('refuses a backup of another domain before writing anything', async () => {
    await backUpAll();
    const other = await mkdtemp(join(tmpdir(), 'coffer-sg-other-'));
    try {
      await mkdir(join(other, 'other.test', 'StarterGPOs'), { recursive: true });
      const result = await runRestore(provider, {
        source: out,
        options: { sysvol: other, domain: 'other.test', all: true },
      });
      expect(result.error).toMatchObject({ code: 'DOMAIN_MISMATCH', hresult: HRESULT.E_INVALIDARG });
      expect(result.error!.hint).toContain('load-cab');
      expect(await readdir(join(other, 'other.test', 'StarterGPOs'))).toEqual([]);
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });

  it('over an existing Starter GPO raises both versions above the live and backed-up ones and keeps everything else', async () => {
    await backUpAll();
    const result = await runRestore(provider, { source: out, options: { ...options(), starterGpo: KIOSK.guid } });
    expect(result.output!.counts).toMatchObject({ replaced: 1 });
    const written = parseStarterGpoTemplate(await readFile(join(folderOf(KIOSK.guid), 'StarterGPO.tmplx')));
    expect([written.computerVersion, written.userVersion]).toEqual([3, 2]);
    expect(written.unknownElements.map((e) => e.raw)).toEqual(['<FutureElement keep="yes">x</FutureElement>']);
    expect(written.starterGpoVersion).toBe('1.0');
  });
});

describe('bumpTemplateVersions', () => {
  const guid = '{11111111-2222-3333-4444-555555555555}';
  const now = new Date(Date.UTC(2025, 0, 2, 3, 4, 5));

  it('takes one above the higher of live and incoming, per side, and wraps past 65535', () => {
    const incoming = parseStarterGpoTemplate(tmplx(guid, 'X', 1));
    expect(bumpTemplateVersions(incoming, { computerVersion: 9, userVersion: 0 }, now).versions).toEqual({
      computerVersion: 10,
      userVersion: 2,
    });
    expect(bumpTemplateVersions(incoming, null, now).versions).toEqual({ computerVersion: 3, userVersion: 2 });
    const wrapped = bumpTemplateVersions(incoming, { computerVersion: 65535, userVersion: 1 }, now);
    expect(wrapped).toMatchObject({ versions: { computerVersion: 1, userVersion: 2 }, wrapped: true });
    expect(parseStarterGpoTemplate(wrapped.bytes).modifiedTime).toBe('2025-01-02T03:04:05');
  });

  it('writes the time in the shape the file uses, adds no element it lacks, and keeps a UTF-16 encoding', () => {
    expect(formatTemplateTime('133500000000000000', now)).toBe('133802606450000000');
    expect(formatTemplateTime('2024-01-01T00:00:00Z', now)).toBe('2025-01-02T03:04:05Z');
    const sparse = parseStarterGpoTemplate(`<StarterGPO><ID>${guid}</ID><UserVersion>4</UserVersion></StarterGPO>`);
    const bumped = bumpTemplateVersions(sparse, null, now);
    expect(bumped.bytes.toString('utf8')).toBe(`<StarterGPO><ID>${guid}</ID><UserVersion>5</UserVersion></StarterGPO>`);
    expect(bumped).toMatchObject({ versions: { computerVersion: null, userVersion: 5 }, modifiedTime: null });
    const utf16 = parseStarterGpoTemplate(encodeXml(tmplx(guid, 'Ü', 0), 'utf-16le'));
    const out16 = bumpTemplateVersions(utf16, null, now).bytes;
    expect([out16[0], out16[1]]).toEqual([0xff, 0xfe]);
    expect(parseStarterGpoTemplate(out16)).toMatchObject({ displayName: 'Ü', computerVersion: 3 });
    expect(renderStarterGpoTemplate(utf16).equals(encodeXml(tmplx(guid, 'Ü', 0), 'utf-16le'))).toBe(true);
  });
});
