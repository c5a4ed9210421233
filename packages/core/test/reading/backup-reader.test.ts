import { mkdir, open, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import {
  BACKUP_READ_LIMITS,
  BackupReader,
  checkBackupRelativePath,
  openTrustedBackup,
  parseXmlDocument,
} from '../../src/index.js';
import { tempDir } from '../helpers.js';

async function backupWithSecretOutside(): Promise<{ folder: string; secret: string }> {
  const outside = await tempDir();
  const secret = join(outside, 'id_rsa_secret');
  await writeFile(secret, 'PRIVATE KEY', { mode: 0o600 });
  const folder = await tempDir();
  await mkdir(join(folder, 'DomainSysvol'), { recursive: true });
  return { folder, secret };
}

describe('BackupReader', () => {
  test('absolute, drive, UNC and .. paths are refused before the disk is looked at', () => {
    for (const path of [
      '/etc/shadow',
      '\\\\server\\share\\x',
      'C:\\Windows\\win.ini',
      'c:relative',
      'DomainSysvol/../../x',
      '\\Machine',
      'a\0b',
      'file.txt:stream',
    ]) {
      expect(() => checkBackupRelativePath(path), path).toThrow(
        expect.objectContaining({ code: 'BACKUP_PATH_INVALID', hresult: 0x800700a1 }),
      );
    }
    expect(checkBackupRelativePath('DomainSysvol\\GPO/Machine')).toEqual(['DomainSysvol', 'GPO', 'Machine']);
  });

  test('a symlinked folder on the way to a file is refused (E_ACCESSDENIED), never followed', async () => {
    const { folder, secret } = await backupWithSecretOutside();
    await mkdir(join(secret, '..', 'GPO', 'Machine'), { recursive: true });
    await writeFile(join(secret, '..', 'GPO', 'Machine', 'id_rsa_secret'), 'PRIVATE KEY');
    await symlink(join(secret, '..', 'GPO'), join(folder, 'DomainSysvol', 'GPO'));
    const reader = await BackupReader.open(folder);
    await expect(reader.readFile('DomainSysvol/GPO/Machine/id_rsa_secret')).rejects.toMatchObject({
      code: 'BACKUP_PATH_ESCAPES',
      hresult: 0x80070005,
    });
    const tree = await reader.walk();
    expect(tree.anomalies).toEqual([expect.objectContaining({ path: 'DomainSysvol/GPO', kind: 'symlink' })]);
    expect(tree.entries.map((e) => e.path)).toEqual(['DomainSysvol']);
  });

  test('a folder swapped for a link after the reader checked it is refused at the next read, outside or inside the backup', async () => {
    const { folder, secret } = await backupWithSecretOutside();
    const machine = join(folder, 'DomainSysvol', 'GPO', 'Machine');
    await mkdir(machine, { recursive: true });
    await writeFile(join(machine, 'Registry.pol'), 'PReg');
    await mkdir(join(folder, 'Elsewhere'));
    await writeFile(join(folder, 'Elsewhere', 'Registry.pol'), 'other');
    const reader = await BackupReader.open(folder);
    // The first read checks (and remembers) DomainSysvol, GPO and Machine as real folders.
    expect((await reader.readFile('DomainSysvol/GPO/Machine/Registry.pol')).toString()).toBe('PReg');
    await writeFile(join(secret, '..', 'Registry.pol'), 'PRIVATE KEY');
    await rename(join(folder, 'DomainSysvol', 'GPO'), join(folder, 'GPO.old'));
    await mkdir(join(folder, 'DomainSysvol', 'GPO'));
    await symlink(join(secret, '..'), join(folder, 'DomainSysvol', 'GPO', 'Machine'));
    await expect(reader.readFile('DomainSysvol/GPO/Machine/Registry.pol')).rejects.toMatchObject({
      code: 'BACKUP_PATH_ESCAPES',
    });
    // A link to another folder of the same backup is refused too: the opened file must be the one named.
    await rm(join(folder, 'DomainSysvol', 'GPO'), { recursive: true });
    await symlink(join(folder, 'Elsewhere'), join(folder, 'DomainSysvol', 'GPO'), 'dir');
    const fresh = await BackupReader.open(folder);
    await expect(fresh.readFile('DomainSysvol/GPO/Registry.pol')).rejects.toMatchObject({
      code: 'BACKUP_PATH_ESCAPES',
    });
    await expect(reader.readFile('DomainSysvol/GPO/Registry.pol')).rejects.toMatchObject({
      code: 'BACKUP_PATH_ESCAPES',
      message: expect.stringContaining('through a link'),
    });
    expect(await reader.readOptional('absent.xml')).toBeNull();
  });

  test('a symlinked file, even a dangling one, is refused', async () => {
    const { folder, secret } = await backupWithSecretOutside();
    await symlink(secret, join(folder, 'Backup.xml'));
    await symlink(join(folder, 'gone'), join(folder, 'bkupInfo.xml'));
    const reader = await BackupReader.open(folder);
    await expect(reader.readFile('Backup.xml')).rejects.toMatchObject({ code: 'BACKUP_PATH_ESCAPES' });
    await expect(reader.readOptional('bkupInfo.xml')).rejects.toMatchObject({ code: 'BACKUP_PATH_ESCAPES' });
  });

  test('a file over the bound is refused by its size, without being read (sparse, so the test writes nothing)', async () => {
    const folder = await tempDir();
    const handle = await open(join(folder, 'huge.pol'), 'w');
    await handle.truncate(BACKUP_READ_LIMITS.maxFileBytes + 1);
    await handle.close();
    const reader = await BackupReader.open(folder);
    await expect(reader.readFile('huge.pol')).rejects.toMatchObject({
      code: 'BACKUP_FILE_TOO_LARGE',
      hresult: 0x800700df,
    });
    expect((await reader.walk()).anomalies).toEqual([expect.objectContaining({ kind: 'too-large', path: 'huge.pol' })]);
  });
});

describe('XML', () => {
  test('a DOCTYPE is refused whatever it declares', () => {
    const laughs =
      '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><a>&lol2;</a>';
    const external = '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/shadow">]><a>&x;</a>';
    for (const xml of [laughs, external, '<!DOCTYPE a><a/>'])
      expect(() => parseXmlDocument(xml, 'x.xml')).toThrow(
        expect.objectContaining({ code: 'XML_DOCTYPE_REFUSED', hresult: 0x8007000d }),
      );
    expect(parseXmlDocument('<a>&amp;&lt;</a>', 'x.xml').text).toBe('&<');
  });
});

describe('openTrustedBackup', () => {
  test('a Coffer backup without its manifest is MANIFEST_MISSING, --unverified or not', async () => {
    const folder = await tempDir();
    await writeFile(join(folder, 'coffer-gpo-extras.json'), '{}');
    for (const unverified of [false, true])
      await expect(openTrustedBackup(folder, { unverified })).rejects.toMatchObject({ code: 'MANIFEST_MISSING' });
  });

  test('a backup another tool wrote needs --unverified, and is then used with a warning', async () => {
    const folder = await tempDir();
    await writeFile(join(folder, 'bkupInfo.xml'), '<BackupInst/>');
    await expect(openTrustedBackup(folder)).rejects.toMatchObject({ code: 'BACKUP_UNVERIFIED', hresult: 0x800b0100 });
    const messages: string[] = [];
    const trusted = await openTrustedBackup(folder, { unverified: true, report: (m) => messages.push(m.code) });
    expect(trusted.verifiedBy).toBe('unverified');
    expect(messages).toEqual(['UNVERIFIED_BACKUP']);
  });
});
