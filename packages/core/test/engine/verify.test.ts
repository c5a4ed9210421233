import {
  appendFile,
  mkdir,
  open as openFile,
  readFile,
  rename,
  rm,
  symlink,
  truncate,
  writeFile,
} from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, test } from 'vitest';
import { BackupDestination } from '../../src/engine/backup-destination.js';
import { ProgressTracker, type ProgressReport, verifyBackup, verifyDirectory } from '../../src/index.js';
import { tempDir } from '../helpers.js';

let dir: string;
let backup: string;

beforeEach(async () => {
  dir = await tempDir();
  const destination = await BackupDestination.open(dir, { providerId: 'test' });
  const entry = await destination.stage('B1', { kind: 'k' });
  await entry.writeFile('a.txt', 'alpha alpha alpha');
  await entry.writeFile('sub/b.bin', Buffer.alloc(4096, 7));
  await entry.mkdir('empty');
  await destination.commit([entry]);
  await destination.close();
  backup = join(dir, 'B1');
});

describe('verify', () => {
  test('a temp file a killed run left beside the index is the engine’s, not a stray (the next run sweeps it)', async () => {
    await writeFile(join(dir, 'manifest.xml.coffer-4242-k3x9.tmp'), '<half written');
    const result = await verifyDirectory(dir);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
  });

  test('a directory’s progress announces every entry before the first is checked, and ends complete', async () => {
    const destination = await BackupDestination.open(dir, { providerId: 'test' });
    for (const id of ['B2', 'B3']) {
      const entry = await destination.stage(id, { kind: 'k' });
      await entry.writeFile('a.txt', id);
      await destination.commit([entry]);
    }
    await destination.close();
    await writeFile(join(dir, 'stray.txt'), 'not a backup');
    const reports: ProgressReport[] = [];
    const progress = new ProgressTracker((report) => reports.push(report));
    progress.phase('verifying');
    await verifyDirectory(dir, { progress });
    const moving = reports.filter((r) => r.total > 0);
    // Three backups and the stray file: four entries, known from the first report on.
    expect(new Set(moving.map((r) => r.total))).toEqual(new Set([4]));
    expect(moving[0]!.completed).toBe(0);
    expect(moving.at(-1)!.completed).toBe(4);
    for (const [i, r] of moving.entries())
      if (i > 0) expect(r.completed).toBeGreaterThanOrEqual(moving[i - 1]!.completed);
  });

  test('a fresh backup verifies', async () => {
    const result = await verifyBackup(backup);
    expect(result).toMatchObject({ ok: true, filesChecked: 2, bytesChecked: 17 + 4096, problems: [] });
  });

  test('catches a flipped byte', async () => {
    const path = join(backup, 'sub', 'b.bin');
    const handle = await openFile(path, 'r+');
    await handle.write(Buffer.from([8]), 0, 1, 2000);
    await handle.close();
    const result = await verifyBackup(backup);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'altered', path: 'sub/b.bin' })]);
  });

  test('catches a truncated file', async () => {
    await truncate(join(backup, 'a.txt'), 5);
    expect((await verifyBackup(backup)).problems).toEqual([
      { kind: 'truncated', severity: 'error', code: 'INTEGRITY_MISMATCH', path: 'a.txt', detail: '5 of 17 bytes' },
    ]);
  });

  test('catches a grown file as altered', async () => {
    await appendFile(join(backup, 'a.txt'), '!');
    expect((await verifyBackup(backup)).problems).toEqual([
      expect.objectContaining({ kind: 'altered', path: 'a.txt' }),
    ]);
  });

  test('catches a missing file and a missing folder', async () => {
    await rm(join(backup, 'sub'), { recursive: true });
    await rm(join(backup, 'empty'), { recursive: true });
    const problems = (await verifyBackup(backup)).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'missing', path: 'sub/b.bin' }),
        expect.objectContaining({ kind: 'missing', path: 'sub/' }),
        expect.objectContaining({ kind: 'missing', path: 'empty/' }),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  test('catches an extra file and folder', async () => {
    await writeFile(join(backup, 'sub', 'intruder.exe'), 'x');
    await mkdir(join(backup, 'newdir'));
    expect((await verifyBackup(backup)).problems).toEqual([
      expect.objectContaining({ kind: 'extra', path: 'sub/intruder.exe' }),
      expect.objectContaining({ kind: 'extra', path: 'newdir/' }),
    ]);
  });

  test('a damaged manifest is reported, not thrown', async () => {
    await writeFile(join(backup, 'coffer-manifest.json'), '{"format":');
    const result = await verifyBackup(backup);
    expect(result.ok).toBe(false);
    expect(result.problems[0]?.kind).toBe('manifest-unreadable');
  });

  test('a directory of backups verifies each and lists GPMC-written folders it cannot check', async () => {
    await mkdir(join(dir, GPMC_ID));
    await writeFile(join(dir, GPMC_ID, 'bkupInfo.xml'), backupInst(GPMC_ID, 'Written by GPMC'));
    await writeFile(join(dir, 'manifest.xml'), `<Backups>${backupInst(GPMC_ID, 'Written by GPMC')}</Backups>`);
    let result = await verifyDirectory(dir);
    expect(result).toMatchObject({
      ok: true,
      problems: [{ code: 'BACKUP_UNVERIFIED', severity: 'warning', path: `${GPMC_ID}/` }],
    });
    expect(result.backups.map((b) => b.id)).toEqual(['B1']);
    expect(result.unverifiable).toEqual([join(dir, GPMC_ID)]);
    await writeFile(join(backup, 'a.txt'), (await readFile(join(backup, 'a.txt'), 'utf8')).toUpperCase());
    result = await verifyDirectory(dir);
    expect(result.ok).toBe(false);
  });
});

const GPMC_ID = '{6A0F3C1E-5B2D-4C8E-9F10-2B3C4D5E6F70}';
const OTHER_ID = '{0B1C2D3E-4F50-4A6B-8C7D-9E0F1A2B3C4D}';
function backupInst(id: string, name: string): string {
  return `<BackupInst><GPOGuid><![CDATA[{11111111-2222-3333-4444-555555555555}]]></GPOGuid><GPODomain><![CDATA[corp.example]]></GPODomain><BackupTime><![CDATA[2026-11-21T23:00:00]]></BackupTime><ID><![CDATA[${id}]]></ID><GPODisplayName><![CDATA[${name}]]></GPODisplayName></BackupInst>`;
}

describe('verify checks the directory, not only each backup', () => {
  test('a folder renamed away from the id inside it, and the index entry left without a folder', async () => {
    await writeFile(join(dir, 'manifest.xml'), `<Backups>${backupInst(GPMC_ID, 'P')}</Backups>`);
    await mkdir(join(dir, OTHER_ID));
    await writeFile(join(dir, OTHER_ID, 'bkupInfo.xml'), backupInst(GPMC_ID, 'P'));
    const result = await verifyDirectory(dir);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.code).sort()).toEqual([
      'BACKUP_FOLDER_MISMATCH',
      'BACKUP_UNVERIFIED',
      'INDEX_FOLDER_MISSING',
      'INDEX_FOLDER_UNLISTED',
    ]);
  });

  test('an edited index entry, a stray file, a Coffer backup without its manifest and a dangling symlink are each a finding; every backup is still checked', async () => {
    await mkdir(join(dir, GPMC_ID));
    await writeFile(join(dir, GPMC_ID, 'bkupInfo.xml'), backupInst(GPMC_ID, 'Baseline'));
    await writeFile(join(dir, 'manifest.xml'), `<Backups>${backupInst(GPMC_ID, 'Baselinf')}</Backups>`);
    await writeFile(join(dir, 'notes.txt'), 'x');
    await symlink(join(dir, 'nowhere'), join(dir, 'dangling'));
    await mkdir(join(dir, 'B2'));
    await writeFile(join(dir, 'B2', 'coffer-gpo-extras.json'), '{}');
    const result = await verifyDirectory(dir);
    expect(result.problems.map((p) => p.code).sort()).toEqual([
      'BACKUP_PATH_ESCAPES',
      'BACKUP_UNVERIFIED',
      'INDEX_ENTRY_MISMATCH',
      'STRAY_ENTRY',
    ]);
    expect(result.backups.map((b) => [b.id, b.ok, b.problems[0]?.code])).toEqual([
      ['B1', true, undefined],
      ['B2', false, 'MANIFEST_MISSING'],
    ]);
  });

  test('two swapped Coffer backups are both reported as renamed', async () => {
    const destination = await BackupDestination.open(dir, { providerId: 'test' });
    const entry = await destination.stage('B2', { kind: 'k' });
    await entry.writeFile('a.txt', 'other');
    await destination.commit([entry]);
    await destination.close();
    await rename(join(dir, 'B1'), join(dir, 'swap'));
    await rename(join(dir, 'B2'), join(dir, 'B1'));
    await rename(join(dir, 'swap'), join(dir, 'B2'));
    const result = await verifyDirectory(dir);
    expect(result.backups.map((b) => b.problems.map((p) => p.code))).toEqual([
      ['BACKUP_FOLDER_MISMATCH'],
      ['BACKUP_FOLDER_MISMATCH'],
    ]);
  });

  test('a symlink inside a backup is reported and never followed', async () => {
    await rm(join(backup, 'sub', 'b.bin'));
    await symlink('/etc/passwd', join(backup, 'sub', 'b.bin'));
    const result = await verifyBackup(backup);
    expect(result.problems).toEqual([
      expect.objectContaining({ kind: 'symlink', code: 'BACKUP_PATH_ESCAPES', path: 'sub/b.bin' }),
    ]);
  });

  test('a GPMC backup whose Backup.xml names a path outside it, or carries a DOCTYPE, is an error even though nothing vouches for its bytes', async () => {
    await mkdir(join(dir, GPMC_ID));
    await writeFile(join(dir, GPMC_ID, 'bkupInfo.xml'), backupInst(GPMC_ID, 'P'));
    await writeFile(join(dir, 'manifest.xml'), `<Backups>${backupInst(GPMC_ID, 'P')}</Backups>`);
    await writeFile(
      join(dir, GPMC_ID, 'Backup.xml'),
      '<GroupPolicyBackupScheme><FSObjectFile Location="DomainSysvol\\GPO\\..\\..\\x"/></GroupPolicyBackupScheme>',
    );
    let result = await verifyDirectory(dir);
    expect(result.ok).toBe(false);
    expect(result.problems.map((p) => p.code).sort()).toEqual(['BACKUP_PATH_INVALID', 'BACKUP_UNVERIFIED']);
    await writeFile(
      join(dir, GPMC_ID, 'Backup.xml'),
      '<!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/shadow">]><a>&x;</a>',
    );
    result = await verifyDirectory(dir);
    expect(result.problems.map((p) => p.code).sort()).toEqual(['BACKUP_UNVERIFIED', 'XML_DOCTYPE_REFUSED']);
  });

  test('index entries are compared as they are read, and their findings count only when the whole index reads well', async () => {
    await mkdir(join(dir, GPMC_ID));
    await writeFile(join(dir, GPMC_ID, 'bkupInfo.xml'), backupInst(GPMC_ID, 'Baseline'));
    // An edited entry, then one whose folder is gone, then the folder's own entry listed again (the same folder
    // matched twice is still one listed folder): each finding in the index's order, with the differing values.
    const listed = `${backupInst(GPMC_ID, 'Edited')}${backupInst(OTHER_ID, 'Gone')}${backupInst(GPMC_ID, 'Baseline')}`;
    await writeFile(join(dir, 'manifest.xml'), `<Backups>${listed}</Backups>`);
    let result = await verifyDirectory(dir);
    expect(result.problems.filter((p) => p.code.startsWith('INDEX_'))).toEqual([
      expect.objectContaining({
        code: 'INDEX_ENTRY_MISMATCH',
        detail: `the entry of ${GPMC_ID} disagrees with its folder: GPODisplayName "Edited" in manifest.xml, "Baseline" in ${GPMC_ID}/bkupInfo.xml`,
      }),
      expect.objectContaining({
        code: 'INDEX_FOLDER_MISSING',
        detail: `lists backup ${OTHER_ID} (Gone), but no backup folder of that name exists`,
      }),
    ]);
    // The same entries, then the index breaks off: one finding (the index), none of the entries read before it broke.
    await writeFile(join(dir, 'manifest.xml'), `<Backups>${listed}<BackupInst><ID>`);
    result = await verifyDirectory(dir);
    expect(result.problems.filter((p) => p.code.startsWith('INDEX_'))).toEqual([
      expect.objectContaining({ code: 'INDEX_UNREADABLE', detail: expect.stringMatching(/not closed/) }),
    ]);
  });

  test('an index with a DOCTYPE is unreadable, not expanded', async () => {
    await writeFile(join(dir, 'manifest.xml'), '<!DOCTYPE x [<!ENTITY a "aaaa">]><Backups>&a;</Backups>');
    const result = await verifyDirectory(dir);
    expect(result.problems).toEqual([
      expect.objectContaining({ code: 'INDEX_UNREADABLE', detail: expect.stringMatching(/DOCTYPE/) }),
    ]);
  });
});

test('verifying a directory that does not exist is a PATH_NOT_FOUND error', async () => {
  await expect(verifyDirectory(join(await tempDir(), 'gone'))).rejects.toMatchObject({
    code: 'PATH_NOT_FOUND',
    hresult: 0x80070003,
  });
});

test('a writer’s lock and staging folders in a backup directory are neither backups nor unverifiable folders', async () => {
  const dir = await tempDir();
  const holder = await BackupDestination.open(dir, { providerId: 'test' });
  const staged = await holder.stage('pending', { kind: 'k' });
  await staged.writeFile('x', 'y');
  const result = await verifyDirectory(dir);
  expect(result).toMatchObject({ ok: true, backups: [], unverifiable: [] });
  await holder.close();
});
