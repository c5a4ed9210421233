import { beforeEach, describe, expect, it } from 'vitest';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describeCorpus, tempDir } from '@coffer/test-support';
import type { StatusMessage } from '@coffer/core';
import {
  BACKUP_TYPE_ELEMENT,
  BACKUP_TYPE_STARTER_GPO,
  backupInstOf,
  detectBackupType,
  backupInvalid,
  listBackupsOfType,
  readGpmcBackupDirectory,
  renderBkupInfoXmlForInst,
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
    expect(entry).toMatchObject({
      id: backup.backupId,
      type: 'GPO',
      listedInManifest: backup.hasManifest,
      hasFolder: true,
      folder: backup.folder,
    });
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

describe('detectBackupType', () => {
  it('finds StarterGPO.tmplx at the top or under DomainSysvol, and takes a GPO backup of Coffer at its top listing', async () => {
    const dir = await tempDir('gpmc-type-');
    await mkdir(join(dir, 'top'));
    await writeFile(join(dir, 'top', 'StarterGPO.tmplx'), '<StarterGPO/>');
    await mkdir(join(dir, 'deep', 'DomainSysvol', 'GPO'), { recursive: true });
    await writeFile(join(dir, 'deep', 'DomainSysvol', 'GPO', 'StarterGPO.tmplx'), '<StarterGPO/>');
    await mkdir(join(dir, 'gpo', 'DomainSysvol', 'GPO', 'Machine'), { recursive: true });
    // Coffer's GPO provider's own file at the top decides without descending (a Starter GPO backup never holds it),
    // even over a StarterGPO.tmplx further down; one at the top still makes it a Starter GPO.
    await mkdir(join(dir, 'coffer-gpo', 'DomainSysvol', 'GPO'), { recursive: true });
    await writeFile(join(dir, 'coffer-gpo', 'coffer-gpo-extras.json'), '{}');
    await writeFile(join(dir, 'coffer-gpo', 'DomainSysvol', 'GPO', 'StarterGPO.tmplx'), '<StarterGPO/>');
    await mkdir(join(dir, 'both'));
    await writeFile(join(dir, 'both', 'coffer-gpo-extras.json'), '{}');
    await writeFile(join(dir, 'both', 'StarterGPO.tmplx'), '<StarterGPO/>');
    const types = await Promise.all(
      ['top', 'deep', 'gpo', 'coffer-gpo', 'both', 'missing'].map((name) => detectBackupType(join(dir, name))),
    );
    expect(types).toEqual(['StarterGPO', 'StarterGPO', 'GPO', 'GPO', 'StarterGPO', 'GPO']);
  });
});

describe('readGpmcBackupDirectory', () => {
  it('says which path is missing', async () => {
    await expect(readGpmcBackupDirectory('/nonexistent/gpmc-backups')).rejects.toMatchObject({
      code: 'PATH_NOT_FOUND',
      object: '/nonexistent/gpmc-backups',
    });
  });
});

describe('searchBackups', () => {
  let dir: string;
  const gpoA = '{AAAAAAAA-0000-0000-0000-000000000001}';
  const gpoB = '{BBBBBBBB-0000-0000-0000-000000000002}';
  const backups: GpoBackupModel[] = [
    sampleModel({
      backupId: '{00000000-0000-0000-0000-00000000000A}',
      gpoId: gpoA,
      displayName: 'Baseline',
      backupTime: new Date('2024-01-01T10:00:00Z'),
    }),
    sampleModel({
      backupId: '{00000000-0000-0000-0000-00000000000B}',
      gpoId: gpoA,
      displayName: 'Baseline',
      backupTime: new Date('2024-03-01T10:00:00Z'),
      comment: 'after change',
    }),
    sampleModel({
      backupId: '{00000000-0000-0000-0000-00000000000C}',
      gpoId: gpoB,
      displayName: 'Kiosk',
      backupTime: new Date('2024-02-01T10:00:00Z'),
    }),
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
    expect((await searchBackups(dir, { nameOrGuid: 'baseline' })).map((e) => e.id)).toEqual([
      '{00000000-0000-0000-0000-00000000000B}',
      '{00000000-0000-0000-0000-00000000000A}',
    ]);
    expect(
      (await searchBackups(dir, { nameOrGuid: gpoB.slice(1, -1).toLowerCase() })).map((e) => e.displayName),
    ).toEqual(['Kiosk']);
    expect(
      (await searchBackups(dir, { nameOrGuid: '{00000000-0000-0000-0000-00000000000a}' })).map((e) => e.comment),
    ).toEqual(['']);
    expect(await searchBackups(dir, { nameOrGuid: 'nothing like it' })).toEqual([]);
  });

  it('keeps only the newest backup of each GPO, and filters by type', async () => {
    expect((await searchBackups(dir, { newestOnly: true })).map((e) => e.id)).toEqual([
      '{00000000-0000-0000-0000-00000000000B}',
      '{00000000-0000-0000-0000-00000000000C}',
    ]);
    expect((await searchBackups(dir, { type: 'StarterGPO' })).map((e) => e.displayName)).toEqual(['Kiosk']);
  });
});

describe('listBackupsOfType (the listing of both Group Policy providers)', () => {
  let dir: string;
  const gpo = sampleModel({
    backupId: '{00000000-0000-0000-0000-0000000000A1}',
    gpoId: '{AAAAAAAA-0000-0000-0000-000000000001}',
    displayName: 'Baseline Security',
    backupTime: new Date('2024-01-01T10:00:00Z'),
  });
  const starter = sampleModel({
    backupId: '{00000000-0000-0000-0000-0000000000B1}',
    gpoId: '{BBBBBBBB-0000-0000-0000-000000000002}',
    displayName: 'Kiosk Lockdown',
    backupTime: new Date('2024-02-01T10:00:00Z'),
  });
  const gone = sampleModel({
    backupId: '{00000000-0000-0000-0000-0000000000C1}',
    gpoId: '{CCCCCCCC-0000-0000-0000-000000000003}',
    displayName: 'Kiosk Gone',
    backupTime: new Date('2024-03-01T10:00:00Z'),
  });
  // Coffer marks a Starter GPO entry with <BackupType>1</BackupType>; its folder holds no StarterGPO.tmplx here, so the type comes from the index alone.
  const starterInst = (model: GpoBackupModel) => ({
    ...backupInstOf(model),
    extraElements: [{ name: BACKUP_TYPE_ELEMENT, text: BACKUP_TYPE_STARTER_GPO }],
  });

  beforeEach(async () => {
    dir = await tempDir('gpmc-list-type-');
    await mkdir(join(dir, gpo.backupId), { recursive: true });
    await writeFile(join(dir, gpo.backupId, 'bkupInfo.xml'), renderBkupInfoXml(gpo));
    await mkdir(join(dir, starter.backupId), { recursive: true });
    await writeFile(join(dir, starter.backupId, 'bkupInfo.xml'), renderBkupInfoXmlForInst(starterInst(starter)));
    // A Starter GPO entry whose folder is gone: reported to the Starter GPO listing only, never listed.
    await writeFile(
      join(dir, 'manifest.xml'),
      renderManifestXml(null, [backupInstOf(gpo), starterInst(starter), starterInst(gone)]),
    );
  });

  it("takes the type from the index's <BackupType>, even for an entry whose folder is gone", async () => {
    const entries = await readGpmcBackupDirectory(dir);
    expect(entries.map((e) => [e.id, e.type])).toEqual([
      [gpo.backupId, 'GPO'],
      [starter.backupId, 'StarterGPO'],
      [gone.backupId, 'StarterGPO'],
    ]);
  });

  it('lists one type, newest first, leaving damaged entries out with a warning to that type only', async () => {
    const starterWarnings: StatusMessage[] = [];
    const gpoWarnings: StatusMessage[] = [];
    expect(
      (await listBackupsOfType(dir, 'StarterGPO', { report: (m) => starterWarnings.push(m) })).map((e) => e.id),
    ).toEqual([starter.backupId]);
    expect(starterWarnings).toEqual([
      expect.objectContaining({ severity: 'warning', code: 'INDEX_FOLDER_MISSING', object: join(dir, gone.backupId) }),
    ]);
    expect((await listBackupsOfType(dir, 'GPO', { report: (m) => gpoWarnings.push(m) })).map((e) => e.id)).toEqual([
      gpo.backupId,
    ]);
    expect(gpoWarnings).toEqual([]);
  });

  it('matches part of the name (any case), a GPO GUID or a backup id', async () => {
    expect((await listBackupsOfType(dir, 'StarterGPO', { query: 'kiosk' })).map((e) => e.displayName)).toEqual([
      'Kiosk Lockdown',
    ]);
    expect((await listBackupsOfType(dir, 'GPO', { query: 'SECURITY' })).map((e) => e.displayName)).toEqual([
      'Baseline Security',
    ]);
    expect(
      (await listBackupsOfType(dir, 'GPO', { query: 'aaaaaaaa-0000-0000-0000-000000000001' })).map((e) => e.id),
    ).toEqual([gpo.backupId]);
    expect((await listBackupsOfType(dir, 'StarterGPO', { query: starter.backupId })).map((e) => e.id)).toEqual([
      starter.backupId,
    ]);
    expect(await listBackupsOfType(dir, 'GPO', { query: 'kiosk' })).toEqual([]);
  });
});

describe('backupInvalid (BACKUP_INVALID of both Group Policy providers)', () => {
  it('is ERROR_INVALID_DATA, names the folder and says nothing was restored', () => {
    const error = backupInvalid('/b/{X}', 'bkupInfo.xml is missing.', 'Starter GPO');
    expect(error).toMatchObject({ code: 'BACKUP_INVALID', hresult: 0x8007000d, object: '/b/{X}' });
    expect(error.message).toBe('Backup /b/{X}: bkupInfo.xml is missing. Nothing was restored.');
    expect(error.hint).toMatch(/another backup of this Starter GPO/);
  });
});

describe('listBackupsOfType: the Starter GPO listing leaves GPO folders out unparsed, with the same result', () => {
  const model = (n: number) =>
    sampleModel({
      backupId: `{00000000-0000-0000-0000-0000000000D${n}}`,
      gpoId: `{DDDDDDDD-0000-0000-0000-00000000000${n}}`,
      displayName: `Folder ${n}`,
      backupTime: new Date(`2024-04-0${n}T10:00:00Z`),
    });
  const [plain, utf16Starter, damagedWithTemplate] = [model(1), model(2), model(3)];

  it('a type only bkupInfo.xml declares (UTF-16) is still found; a damaged one is a GPO despite a StarterGPO.tmplx', async () => {
    const dir = await tempDir('gpmc-list-unparsed-');
    for (const m of [plain, utf16Starter, damagedWithTemplate]) await mkdir(join(dir, m.backupId));
    await writeFile(join(dir, plain.backupId, 'bkupInfo.xml'), renderBkupInfoXml(plain));
    // The manifest entry declares nothing; the folder's own bkupInfo.xml, in UTF-16LE with its BOM, says Starter GPO.
    const declared = renderBkupInfoXmlForInst({
      ...backupInstOf(utf16Starter),
      extraElements: [{ name: BACKUP_TYPE_ELEMENT, text: BACKUP_TYPE_STARTER_GPO }],
    }).toString('utf8');
    await writeFile(
      join(dir, utf16Starter.backupId, 'bkupInfo.xml'),
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(declared.replace(/^\uFEFF/, ''), 'utf16le')]),
    );
    await writeFile(join(dir, damagedWithTemplate.backupId, 'bkupInfo.xml'), '<BackupInst><ID>');
    await writeFile(join(dir, damagedWithTemplate.backupId, 'StarterGPO.tmplx'), '<StarterGPO/>');
    await writeFile(
      join(dir, 'manifest.xml'),
      renderManifestXml(null, [plain, utf16Starter, damagedWithTemplate].map(backupInstOf)),
    );
    const starterWarnings: StatusMessage[] = [];
    const gpoWarnings: StatusMessage[] = [];
    const starters = await listBackupsOfType(dir, 'StarterGPO', { report: (m) => starterWarnings.push(m) });
    const gpos = await listBackupsOfType(dir, 'GPO', { report: (m) => gpoWarnings.push(m) });
    expect(starters.map((e) => [e.id, e.type])).toEqual([[utf16Starter.backupId, 'StarterGPO']]);
    expect(starterWarnings).toEqual([]);
    expect(gpos.map((e) => [e.id, e.type])).toEqual([[plain.backupId, 'GPO']]);
    expect(gpoWarnings.map((m) => [m.code, m.object])).toEqual([
      ['GPMC_FILE_MALFORMED', join(dir, damagedWithTemplate.backupId)],
    ]);
    expect((await readGpmcBackupDirectory(dir)).map((e) => [e.id, e.type])).toEqual([
      [plain.backupId, 'GPO'],
      [utf16Starter.backupId, 'StarterGPO'],
      [damagedWithTemplate.backupId, 'GPO'],
    ]);
  });
});

describe('listBackupsOfType: listings begun together share one read of the directory', () => {
  const model = (n: number, displayName: string) =>
    sampleModel({
      backupId: `{00000000-0000-0000-0000-0000000000E${n}}`,
      gpoId: `{EEEEEEEE-0000-0000-0000-00000000000${n}}`,
      displayName,
      backupTime: new Date(`2024-05-0${n}T10:00:00Z`),
    });
  const [gpoOld, gpoNew, starter, gone, damaged] = [
    model(1, 'Baseline'),
    model(2, 'Baseline'),
    model(3, 'Kiosk'),
    model(4, 'Kiosk Gone'),
    model(5, 'Broken'),
  ];
  const starterInst = (m: GpoBackupModel) => ({
    ...backupInstOf(m),
    extraElements: [{ name: BACKUP_TYPE_ELEMENT, text: BACKUP_TYPE_STARTER_GPO }],
  });
  let dir: string;

  beforeEach(async () => {
    dir = await tempDir('gpmc-list-shared-');
    for (const m of [gpoOld, gpoNew, damaged]) await mkdir(join(dir, m.backupId));
    await writeFile(join(dir, gpoOld.backupId, 'bkupInfo.xml'), renderBkupInfoXml(gpoOld));
    await writeFile(join(dir, gpoNew.backupId, 'bkupInfo.xml'), renderBkupInfoXml(gpoNew));
    await writeFile(join(dir, damaged.backupId, 'bkupInfo.xml'), '<BackupInst><ID>');
    // A Starter GPO folder the index does not list, found by its bkupInfo.xml's declared type.
    await mkdir(join(dir, starter.backupId));
    await writeFile(join(dir, starter.backupId, 'bkupInfo.xml'), renderBkupInfoXmlForInst(starterInst(starter)));
    await writeFile(
      join(dir, 'manifest.xml'),
      renderManifestXml(null, [backupInstOf(gpoOld), backupInstOf(gpoNew), backupInstOf(damaged), starterInst(gone)]),
    );
  });

  /** Each listing's ids and warnings (code and object). */
  const run = async (type: 'GPO' | 'StarterGPO', query?: string) => {
    const warnings: StatusMessage[] = [];
    const entries = await listBackupsOfType(dir, type, {
      ...(query === undefined ? {} : { query }),
      report: (m) => warnings.push(m),
    });
    return { entries, warnings: warnings.map((m) => [m.code, m.object]) };
  };

  it('gives each listing begun in the same turn what it gets alone: its type, its query, its warnings', async () => {
    const alone = [
      await run('GPO'),
      await run('StarterGPO'),
      await run('GPO', gpoNew.gpoId),
      await run('StarterGPO', 'nothing'),
    ];
    const together = await Promise.all([
      run('GPO'),
      run('StarterGPO'),
      run('GPO', gpoNew.gpoId),
      run('StarterGPO', 'nothing'),
    ]);
    expect(together).toEqual(alone);
    expect(together.map(({ entries }) => entries.map((e) => e.id))).toEqual([
      [gpoNew.backupId, gpoOld.backupId],
      [starter.backupId],
      [gpoNew.backupId],
      [],
    ]);
    expect(together.map(({ warnings }) => warnings)).toEqual([
      [['GPMC_FILE_MALFORMED', join(dir, damaged.backupId)]],
      [['INDEX_FOLDER_MISSING', join(dir, gone.backupId)]],
      [],
      [],
    ]);
  });

  it('gives two listings of one type their own entries: what one caller changes, the other does not see', async () => {
    const [first, second] = await Promise.all([run('GPO'), run('GPO')]);
    first.entries[0]!.displayName = 'changed by the first caller';
    expect(second.entries[0]!.displayName).toBe('Baseline');
    expect(second.entries.map((e) => e.id)).toEqual([gpoNew.backupId, gpoOld.backupId]);
  });

  it('reads the directory again for a listing begun once the last pass has begun: it sees what changed since', async () => {
    const before = run('GPO');
    // Once this turn has ended the first pass has begun; a backup added now is for a later listing to find.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const added = model(6, 'Added Later');
    await mkdir(join(dir, added.backupId));
    await writeFile(join(dir, added.backupId, 'bkupInfo.xml'), renderBkupInfoXml(added));
    const after = await run('GPO');
    expect(after.entries.map((e) => e.id)).toEqual([added.backupId, gpoNew.backupId, gpoOld.backupId]);
    await before;
  });

  it('fails every listing of a pass the same way when the directory cannot be read', async () => {
    const missing = join(dir, 'no-such-folder');
    const results = await Promise.allSettled([
      listBackupsOfType(missing, 'GPO'),
      listBackupsOfType(missing, 'StarterGPO'),
    ]);
    expect(results).toEqual([
      { status: 'rejected', reason: expect.objectContaining({ code: 'PATH_NOT_FOUND', object: missing }) },
      { status: 'rejected', reason: expect.objectContaining({ code: 'PATH_NOT_FOUND', object: missing }) },
    ]);
  });
});

describe('readGpmcBackupDirectory pairs manifest entries with folders by GUID, in any case', () => {
  it('pairs each entry with one folder, and lists a folder of the same GUID no entry took as found by its own', async () => {
    const upper = sampleModel({
      backupId: '{0000000A-0000-0000-0000-0000000000F1}',
      gpoId: '{FFFFFFFF-0000-0000-0000-000000000001}',
      displayName: 'Upper',
      backupTime: new Date('2024-06-01T10:00:00Z'),
    });
    const lower = { ...upper, backupId: upper.backupId.toLowerCase() };
    const dir = await tempDir('gpmc-list-case-');
    // Two folders of one GUID (a case-sensitive file system allows it), one manifest entry naming it in lower case.
    for (const m of [upper, lower]) {
      await mkdir(join(dir, m.backupId));
      await writeFile(join(dir, m.backupId, 'bkupInfo.xml'), renderBkupInfoXml(m));
    }
    await writeFile(join(dir, 'manifest.xml'), renderManifestXml(null, [backupInstOf(lower)]));
    const entries = await readGpmcBackupDirectory(dir);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ id: lower.backupId, listedInManifest: true, hasFolder: true });
    expect(entries[0]!.problem).toBeUndefined();
    expect(entries[1]).toMatchObject({ listedInManifest: false, hasFolder: true });
    // Whichever folder the entry took, the other is listed by its own name.
    expect(new Set([entries[0]!.folder, entries[1]!.folder])).toEqual(
      new Set([join(dir, upper.backupId), join(dir, lower.backupId)]),
    );
    expect(entries[1]!.id).toBe(entries[1]!.folder.slice(dir.length + 1));
  });
});
