import { beforeEach, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeCorpus, tempDir } from '@coffer/test-support';
import {
  backupInstOf,
  readGpmcBackupDirectory,
  renderBackupXml,
  renderBkupInfoXml,
  renderManifestXml,
  searchBackups,
  type GpoBackupModel,
} from '../src/index.js';
import { CORPUS_BACKUPS } from './corpus.js';
import { sampleModel } from './fixtures.js';

describeCorpus('readGpmcBackupDirectory over real GPMC backups', () => {
  it.each(CORPUS_BACKUPS)('finds the one backup of $name, with or without manifest.xml', async (backup) => {
    const entries = await readGpmcBackupDirectory(backup.dir);
    expect(entries).toHaveLength(1);
    const [entry] = entries;
    expect(entry).toMatchObject({ id: backup.backupId, type: 'GPO', listedInManifest: backup.hasManifest, hasFolder: true, folder: backup.folder });
    expect(entry!.backupTime?.toISOString().slice(0, 19)).toBe(entry!.backupTimeText);
  });

  it('reads names, domains and times as GPMC wrote them', async () => {
    const [entry] = await readGpmcBackupDirectory(CORPUS_BACKUPS.find((b) => b.name === 'nsa-win10-computer')!.dir);
    expect(entry).toMatchObject({
      gpoGuid: '{356FB116-26CD-4FBF-830B-6D736B802FD7}',
      displayName: 'DoD Windows 10 STIG - Computer (SHB v10.1.0)',
      domain: 'idl.local',
      domainGuid: '{21ae17e9-5746-4c0a-ab06-86222e0eb1d7}',
      domainController: 'DC-IDL-01.idl.local',
      comment: '',
    });
    expect(entry!.backupTime).toEqual(new Date('2016-12-09T15:16:54Z'));
  });
});

describe('readGpmcBackupDirectory', () => {
  it('says which path is missing', async () => {
    await expect(readGpmcBackupDirectory('/nonexistent/gpmc-backups')).rejects.toMatchObject({ code: 'PATH_NOT_FOUND', object: '/nonexistent/gpmc-backups' });
  });
});

describe('searchBackups', () => {
  let dir: string;
  const gpoA = '{AAAAAAAA-0000-0000-0000-000000000001}';
  const gpoB = '{BBBBBBBB-0000-0000-0000-000000000002}';
  const backups: GpoBackupModel[] = [
    sampleModel({ backupId: '{00000000-0000-0000-0000-00000000000A}', gpoId: gpoA, displayName: 'Baseline', backupTime: new Date('2024-01-01T10:00:00Z') }),
    sampleModel({ backupId: '{00000000-0000-0000-0000-00000000000B}', gpoId: gpoA, displayName: 'Baseline', backupTime: new Date('2024-03-01T10:00:00Z'), comment: 'after change' }),
    sampleModel({ backupId: '{00000000-0000-0000-0000-00000000000C}', gpoId: gpoB, displayName: 'Kiosk', backupTime: new Date('2024-02-01T10:00:00Z') }),
  ];

  beforeEach(async () => {
    dir = await tempDir('gpmc-search-');
    let manifest: Buffer | null = null;
    for (const model of backups.slice(0, 2)) {
      await mkdir(join(dir, model.backupId, 'DomainSysvol', 'GPO'), { recursive: true });
      await writeFile(join(dir, model.backupId, 'Backup.xml'), renderBackupXml(model));
      await writeFile(join(dir, model.backupId, 'bkupInfo.xml'), renderBkupInfoXml(model));
      manifest = renderManifestXml(manifest, [backupInstOf(model)]);
    }
    await writeFile(join(dir, 'manifest.xml'), manifest!);
    // The third is a folder the manifest does not list, holding a Starter GPO description.
    const starter = backups[2]!;
    await mkdir(join(dir, starter.backupId), { recursive: true });
    await writeFile(join(dir, starter.backupId, 'bkupInfo.xml'), renderBkupInfoXml(starter));
    await writeFile(join(dir, starter.backupId, 'StarterGPO.tmplx'), '<?xml version="1.0"?><StarterGPO/>');
    await mkdir(join(dir, 'not-a-backup'));
  });

  it('lists manifest entries and unlisted backup folders, newest first', async () => {
    const all = await searchBackups(dir);
    expect(all.map((entry) => [entry.id, entry.listedInManifest, entry.type])).toEqual([
      ['{00000000-0000-0000-0000-00000000000B}', true, 'GPO'],
      ['{00000000-0000-0000-0000-00000000000C}', false, 'StarterGPO'],
      ['{00000000-0000-0000-0000-00000000000A}', true, 'GPO'],
    ]);
  });

  it('matches a display name (any case), a GPO GUID (braces optional) or a backup ID', async () => {
    expect((await searchBackups(dir, { nameOrGuid: 'baseline' })).map((e) => e.id)).toEqual(['{00000000-0000-0000-0000-00000000000B}', '{00000000-0000-0000-0000-00000000000A}']);
    expect((await searchBackups(dir, { nameOrGuid: gpoB.slice(1, -1).toLowerCase() })).map((e) => e.displayName)).toEqual(['Kiosk']);
    expect((await searchBackups(dir, { nameOrGuid: '{00000000-0000-0000-0000-00000000000a}' })).map((e) => e.comment)).toEqual(['']);
    expect(await searchBackups(dir, { nameOrGuid: 'nothing like it' })).toEqual([]);
  });

  it('keeps only the newest backup of each GPO, and filters by type', async () => {
    expect((await searchBackups(dir, { newestOnly: true })).map((e) => e.id)).toEqual(['{00000000-0000-0000-0000-00000000000B}', '{00000000-0000-0000-0000-00000000000C}']);
    expect((await searchBackups(dir, { type: 'StarterGPO' })).map((e) => e.displayName)).toEqual(['Kiosk']);
  });
});
