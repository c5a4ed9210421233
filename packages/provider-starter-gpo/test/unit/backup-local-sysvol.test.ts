/**
 * The backup, list and layout against a SYSVOL folder on disk (active-directory's local source, no DC): the
 * same code path the real-DC tests take with --sysvol, here with fixtures that pin every layout detail.
 */
import { cp, mkdir, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import fse from 'fs-extra';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HRESULT, runBackup, runList, verifyDirectory } from '@coffer/core';
import {
  parseBkupInfoXml,
  parseManifestXml,
  readGpmcBackupDirectory,
  renderBkupInfoXmlForInst,
  renderManifestXml,
  type BackupInst,
} from '@coffer/gpmc';
import { snapshotTree, tempDir } from '@coffer/test-support';
import provider from '../../src/index.js';
import { parseStarterGpoExtras } from '../../src/backup/starter-gpo-extras.js';
import { DOMAIN, KIOSK, makeSysvol, SYSTEM } from '../helpers/sysvol-fixture.js';

let sysvol: { root: string; remove(): Promise<void> };
let out: string;

beforeEach(async () => {
  sysvol = await makeSysvol([KIOSK, SYSTEM]);
  out = await tempDir('coffer-sg-out-');
});

afterEach(async () => {
  await sysvol.remove();
});

/** Every file and folder (`name/`) under `dir`, sorted. */
const tree = async (dir: string): Promise<string[]> => Object.keys(await snapshotTree(dir)).sort();

/**
 * GPO backups as GPMC indexes them (manifest.xml, each folder's bkupInfo.xml), written with @coffer/gpmc: the
 * kind of directory Starter GPO backups are added beside. No Starter GPO among them.
 */
async function writeGpoBackups(dir: string, names: string[]): Promise<void> {
  const insts: BackupInst[] = names.map((name, i) => ({
    gpoGuid: `{AAAAAAAA-0000-0000-0000-00000000000${i}}`,
    gpoDomain: 'elsewhere.example.test',
    gpoDomainGuid: '{0a0b0c0d-1111-2222-3333-444455556666}',
    gpoDomainController: 'dc1.elsewhere.example.test',
    backupTime: `2024-03-0${i + 1}T06:07:08`,
    id: `{BBBBBBBB-0000-0000-0000-00000000000${i}}`,
    comment: '',
    gpoDisplayName: name,
  }));
  for (const inst of insts) await fse.outputFile(join(dir, inst.id, 'bkupInfo.xml'), renderBkupInfoXmlForInst(inst));
  await fse.outputFile(join(dir, 'manifest.xml'), renderManifestXml(null, insts));
}

const options = () => ({ sysvol: sysvol.root, domain: DOMAIN, all: true });

describe('Starter GPO backup from a local SYSVOL', () => {
  it('writes one GPMC-style backup folder per Starter GPO with every file byte for byte', async () => {
    const result = await runBackup(provider, { destination: out, options: options(), comment: 'before change ✓' });
    expect(result.status, JSON.stringify(result.messages)).toBe('succeeded-with-warnings'); // no smb.conf: ACLs unreadable, said so
    expect(result.messages.filter((m) => m.severity === 'warning').every((m) => /permissions/.test(m.message))).toBe(
      true,
    );
    expect(result.output!.counts).toEqual({ starterGpos: 2, files: 8, bytes: expect.any(Number) });
    const backups = result.output!.backups;
    expect(backups.map((b) => b.objectName).sort()).toEqual(['Kiosk ✓ Ünïcødé', 'Windows Baseline']);

    for (const backup of backups) {
      expect(backup.id).toMatch(/^\{[0-9A-F-]{36}\}$/);
      const fixture = backup.objectId === KIOSK.guid ? KIOSK : SYSTEM;
      const files = await tree(backup.path);
      expect(files).toContain('bkupInfo.xml');
      expect(files).toContain('coffer-starter-gpo-extras.json');
      for (const [path, content] of Object.entries(fixture.files)) {
        const copied = await readFile(join(backup.path, 'DomainSysvol', 'GPO', ...path.split('/')));
        expect(copied.equals(Buffer.from(content)), path).toBe(true);
      }
      for (const dir of fixture.emptyDirs ?? []) expect(files).toContain(`DomainSysvol/GPO/${dir}/`);

      const inst = parseBkupInfoXml(await readFile(join(backup.path, 'bkupInfo.xml')));
      expect(inst).toMatchObject({
        gpoGuid: fixture.guid,
        gpoDomain: DOMAIN,
        id: backup.id,
        comment: 'before change ✓',
        gpoDisplayName: backup.objectName,
      });
      expect(inst.extraElements).toEqual([{ name: 'BackupType', text: '1' }]);
      expect((await readFile(join(backup.path, 'bkupInfo.xml'), 'utf8')).endsWith('</BackupInst>\r\n')).toBe(true);

      const extras = parseStarterGpoExtras(
        await readFile(join(backup.path, 'coffer-starter-gpo-extras.json'), 'utf8'),
        'extras',
      );
      expect(extras.starterGpo).toMatchObject({
        id: fixture.guid,
        type: fixture.type === 0 ? 'System' : 'Custom',
        computerVersion: 2,
        userVersion: 1,
      });
      expect(extras.source).toEqual({ domain: DOMAIN, domainController: null, transport: 'local' });
      expect(
        extras.entries
          .filter((e) => e.kind === 'file')
          .map((e) => e.path)
          .sort(),
      ).toEqual(Object.keys(fixture.files).sort());
    }

    const manifest = parseManifestXml(await readFile(join(out, 'manifest.xml')));
    expect(manifest.backups.map((b) => b.id).sort()).toEqual(backups.map((b) => b.id).sort());
    expect(manifest.backups.every((b) => b.extraElements?.[0]?.name === 'BackupType')).toBe(true);
    const verification = await verifyDirectory(out);
    expect(verification.backups.flatMap((b) => b.problems)).toEqual([]);
    expect(verification.backups.every((b) => b.kind === 'starter-gpo')).toBe(true);
  });

  it('resolves a localised display name through en-US/StarterGPO.tmpll', async () => {
    const result = await runBackup(provider, {
      destination: out,
      options: { ...options(), all: undefined, starterGpo: ['Windows Baseline'] },
    });
    expect(result.output!.backups).toHaveLength(1);
    expect(result.output!.backups[0]!.objectId).toBe(SYSTEM.guid);
  });

  it('selects by GUID in any case and with or without braces, each Starter GPO once', async () => {
    const bare = KIOSK.guid.slice(1, -1).toLowerCase();
    const result = await runBackup(provider, {
      destination: out,
      options: { ...options(), all: undefined, starterGpo: [bare, KIOSK.guid, 'KIOSK ✓ ÜNÏCØDÉ'] },
    });
    expect(result.output!.backups.map((b) => b.objectId)).toEqual([KIOSK.guid]);
  });

  it('adds to a directory holding GPMC GPO backups, keeps its manifest entries, and lists only Starter GPO backups', async () => {
    await writeGpoBackups(out, ['Baseline', 'Kiosk Lockdown']);
    const before = parseManifestXml(await readFile(join(out, 'manifest.xml'))).backups;
    expect(before).toHaveLength(2);
    const result = await runBackup(provider, { destination: out, options: options() });
    const after = parseManifestXml(await readFile(join(out, 'manifest.xml'))).backups;
    expect(after.slice(0, before.length)).toEqual(before);
    expect(after).toHaveLength(before.length + 2);

    const listed = await runList(provider, { source: out });
    expect(listed.status).toBe('succeeded');
    expect(listed.output!.map((l) => l.id).sort()).toEqual(result.output!.backups.map((b) => b.id).sort());
    expect(listed.output!.every((l) => l.kind === 'starter-gpo')).toBe(true);
    const gpmcView = await readGpmcBackupDirectory(out);
    expect(
      gpmcView
        .filter((e) => e.type === 'StarterGPO')
        .map((e) => e.id)
        .sort(),
    ).toEqual(result.output!.backups.map((b) => b.id).sort());

    const queried = await runList(provider, { source: out, query: 'kiosk' });
    expect(queried.output!.map((l) => l.objectId)).toEqual([KIOSK.guid]);
    expect(queried.output![0]).toMatchObject({
      comment: '',
      details: { domain: DOMAIN, starterGpoType: 'Custom', aclKept: false },
    });
  });

  it('lists nothing in a directory of GPO backups only', async () => {
    await writeGpoBackups(out, ['Baseline']);
    expect((await readGpmcBackupDirectory(out)).map((e) => e.type)).toEqual(['GPO']);
    const listed = await runList(provider, { source: out });
    expect(listed.output).toEqual([]);
  });
});

describe('selection and bad input write nothing', () => {
  it('an unknown name is NOT_FOUND and names the Starter GPOs that exist', async () => {
    const result = await runBackup(provider, {
      destination: out,
      options: { ...options(), all: undefined, starterGpo: ['Nope'] },
    });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'NOT_FOUND', hresult: HRESULT.ERROR_NOT_FOUND, object: 'Nope' });
    expect(result.error!.message).toContain('"Windows Baseline"');
    expect(await readdir(out)).toEqual([]);
  });

  it('a name two Starter GPOs share is AMBIGUOUS', async () => {
    await cp(
      join(sysvol.root, DOMAIN, 'StarterGPOs', KIOSK.guid),
      join(sysvol.root, DOMAIN, 'StarterGPOs', '{00000000-0000-0000-0000-00000000000A}'),
      { recursive: true },
    );
    const result = await runBackup(provider, {
      destination: out,
      options: { ...options(), all: undefined, starterGpo: [KIOSK.displayName] },
    });
    expect(result.error).toMatchObject({ code: 'AMBIGUOUS' });
    expect(result.error!.message).toContain(KIOSK.guid);
    expect(result.messages.some((m) => m.code === 'STARTER_GPO_ID_MISMATCH')).toBe(true);
    expect(await readdir(out)).toEqual([]);
  });

  it('a domain without a StarterGPOs folder: --all succeeds with no backup, a named one is NOT_FOUND', async () => {
    const bare = await makeSysvol([], { withStarterFolder: false });
    try {
      const all = await runBackup(provider, {
        destination: out,
        options: { sysvol: bare.root, domain: DOMAIN, all: true },
      });
      expect(all.status).toBe('succeeded');
      expect(all.output).toEqual({ backups: [], counts: { starterGpos: 0, files: 0, bytes: 0 } });
      expect(all.messages.map((m) => m.code)).toContain('NO_STARTER_GPOS');
      const named = await runBackup(provider, {
        destination: out,
        options: { sysvol: bare.root, domain: DOMAIN, starterGpo: ['X'] },
      });
      expect(named.error).toMatchObject({ code: 'NOT_FOUND', hresult: HRESULT.ERROR_NOT_FOUND });
      expect(named.error!.message).toMatch(/has no Starter GPOs/);
      expect(await readdir(out)).toEqual([]);
    } finally {
      await bare.remove();
    }
  });

  it('a SYSVOL path that does not exist, or is not that domain, fails with PATH_NOT_FOUND', async () => {
    const missing = await runBackup(provider, {
      destination: out,
      options: { sysvol: join(out, 'nope'), domain: DOMAIN, all: true },
    });
    expect(missing.error).toMatchObject({ code: 'PATH_NOT_FOUND', hresult: HRESULT.ERROR_PATH_NOT_FOUND });
    const otherDomain = await runBackup(provider, {
      destination: out,
      options: { sysvol: sysvol.root, domain: 'other.test', all: true },
    });
    expect(otherDomain.error).toMatchObject({ code: 'PATH_NOT_FOUND' });
    expect(await readdir(out)).toEqual([]);
  });

  it('accepts the domain folder itself as --sysvol', async () => {
    const result = await runBackup(provider, {
      destination: out,
      options: { sysvol: join(sysvol.root, DOMAIN), domain: DOMAIN, starterGpo: [SYSTEM.guid] },
    });
    expect(result.output!.backups).toHaveLength(1);
  });

  it.each([
    [{ domain: DOMAIN, all: true }, 'dc'],
    [{ sysvol: '/x', domain: DOMAIN }, 'starterGpo'],
    [{ sysvol: '/x', domain: DOMAIN, all: true, starterGpo: ['a'] }, 'all'],
    [{ dc: 'dc1.x.test', domain: DOMAIN, all: true }, 'user'],
    [{ sysvol: '/x', all: true }, 'domain'],
    [{ sysvol: '/x', domain: DOMAIN, all: true, ldapSecurity: 'ldap' }, 'ldapSecurity'],
  ])('rejects %j with E_INVALIDARG naming %s', async (invalid, path) => {
    const result = await runBackup(provider, { destination: out, options: invalid });
    expect(result.error).toMatchObject({ code: 'INVALID_ARGUMENT', hresult: HRESULT.E_INVALIDARG });
    expect(result.error!.message).toContain(`${path}:`);
    expect(await readdir(out)).toEqual([]);
  });

  it('a folder whose tmplx is broken is still backed up byte for byte, with a warning', async () => {
    await mkdir(join(sysvol.root, DOMAIN, 'StarterGPOs', '{00000000-0000-0000-0000-0000000000BB}'), {
      recursive: true,
    });
    await cp(
      join(sysvol.root, DOMAIN, 'StarterGPOs', SYSTEM.guid, 'MACHINE'),
      join(sysvol.root, DOMAIN, 'StarterGPOs', '{00000000-0000-0000-0000-0000000000BB}', 'Machine'),
      { recursive: true },
    );
    const { writeFile } = await import('node:fs/promises');
    await writeFile(
      join(sysvol.root, DOMAIN, 'StarterGPOs', '{00000000-0000-0000-0000-0000000000BB}', 'StarterGPO.tmplx'),
      '<StarterGPO><DisplayName>x</StarterGPO>',
    );
    await mkdir(join(sysvol.root, DOMAIN, 'StarterGPOs', '{00000000-0000-0000-0000-0000000000CC}'));
    const result = await runBackup(provider, { destination: out, options: options() });
    expect(result.output!.backups).toHaveLength(3);
    expect(result.messages.find((m) => m.code === 'MALFORMED_XML')?.severity).toBe('warning');
    expect(result.messages.find((m) => m.code === 'NOT_A_STARTER_GPO')?.object).toContain(
      '{00000000-0000-0000-0000-0000000000CC}',
    );
    const broken = result.output!.backups.find((b) => b.objectId === '{00000000-0000-0000-0000-0000000000BB}')!;
    expect(await readFile(join(broken.path, 'DomainSysvol', 'GPO', 'StarterGPO.tmplx'), 'utf8')).toBe(
      '<StarterGPO><DisplayName>x</StarterGPO>',
    );
    expect((await stat(join(broken.path, 'DomainSysvol', 'GPO', 'Machine', 'registry.pol'))).size).toBe(40_000);
  });
});
