/**
 * `coffer backup starter-gpo --all --changed` against the real DC over SMB: the first run backs up everything, a
 * second backs up nothing; then one Starter GPO's file is edited without a version bump and another's version is
 * raised (both keeping size and write time, so only their bytes tell), another's folder permissions change, and
 * exactly those are backed up; a damaged newest backup counts as changed. The DC's disk is the ground truth.
 */
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBackup, verifyDirectory, type StatusMessage } from '@coffer/core';
import { snapshotTree, tempDir } from '@coffer/test-support';
import provider from '../../src/index.js';
import { CHANGE_STATE_FILE } from '../../src/backup/changed-starter-gpos.js';
import { aclOnDisk, connectionOptions, testDomain } from '../helpers/real-dc.js';
import { EXTRA_STARTER_FILES } from '../setup/test-domain.js';
import { putBackStarterGpos, saveStarterGpos, type SavedStarterGpos } from '../helpers/starter-gpo-state.js';

const run = promisify(execFile);
let saved: SavedStarterGpos;

beforeAll(async () => {
  saved = await saveStarterGpos();
}, 120_000);

afterAll(async () => {
  await putBackStarterGpos(saved);
}, 120_000);

/** Rewrites a file on the DC's disk in place, keeping its size and its write time (so a listing cannot tell). */
async function editKeepingSizeAndTime(path: string, edit: (bytes: Buffer) => Buffer): Promise<void> {
  const before = await stat(path);
  const bytes = await readFile(path);
  const edited = edit(Buffer.from(bytes));
  expect(edited.equals(bytes)).toBe(false);
  expect(edited.length).toBe(before.size);
  await writeFile(path, edited);
  await utimes(path, before.atime, before.mtime);
}

async function backupChanged(out: string, status: 'succeeded' | 'succeeded-with-warnings' = 'succeeded') {
  const result = await runBackup(provider, {
    destination: out,
    options: { ...connectionOptions('smb'), all: true, changed: true },
  });
  expect(result.status, JSON.stringify(result.messages)).toBe(status);
  return result;
}

const decided = (messages: readonly StatusMessage[], code: string) =>
  messages
    .filter((m) => m.code === code)
    .map((m) => m.object!)
    .sort();

describe('backup --changed (real DC over SMB)', () => {
  it('backs up exactly the Starter GPOs whose files, versions or permissions differ from their newest backup, and those whose newest backup is damaged', async () => {
    const dc = testDomain();
    const starters = dc.seed!.starterGpos;
    expect(starters.length).toBeGreaterThanOrEqual(3);
    const ids = starters.map((s) => s.guid).sort();
    const out = await tempDir('coffer-sg-changed-');

    // 1. Nothing in the directory yet: every Starter GPO is backed up, each backup holding its change state.
    const first = await backupChanged(out);
    expect(first.output!.backups.map((b) => b.objectId).sort()).toEqual(ids);
    expect(first.output!.counts).toMatchObject({ starterGpos: ids.length, unchanged: 0 });
    expect(decided(first.messages, 'STARTER_GPO_CHANGED')).toEqual(ids);
    for (const m of first.messages.filter((m) => m.code === 'STARTER_GPO_CHANGED'))
      expect(m.message).toMatch(/is backed up: it has no backup in this directory yet\.$/);
    for (const backup of first.output!.backups)
      expect(JSON.parse(await readFile(join(backup.path, CHANGE_STATE_FILE), 'utf8'))).toMatchObject({
        objectId: backup.objectId,
        contentRoot: 'DomainSysvol/GPO',
      });
    expect((await verifyDirectory(out)).ok).toBe(true);

    // 2. Nothing changed: nothing is backed up, every one is reported UNCHANGED, the directory is left as it was.
    const before = await snapshotTree(out);
    const second = await backupChanged(out);
    expect(second.output!.backups).toEqual([]);
    expect(second.output!.counts).toMatchObject({ starterGpos: 0, unchanged: ids.length });
    expect(decided(second.messages, 'STARTER_GPO_UNCHANGED')).toEqual(ids);
    expect(await snapshotTree(out)).toEqual(before);

    // 3. One file edited without a version bump, one version raised, one folder's permissions changed.
    // The custom one holds a plain text file (test/setup adds it); one ASCII letter of it changes case.
    const fileEdited = starters.find(
      (s) =>
        s.typeName === 'Custom' &&
        s.files.some((f) => f.path.startsWith('User/')) &&
        s.files.some((f) => f.path.startsWith('Machine/')),
    )!;
    const [versionRaised, aclChanged] = starters.filter((s) => s !== fileEdited);
    const textFile = 'User/UPPER Case Name.TXT';
    expect(EXTRA_STARTER_FILES[textFile]).toBe('case kept\n');
    await editKeepingSizeAndTime(join(fileEdited.sysvolFolder, ...textFile.split('/')), (bytes) => {
      bytes[0] = bytes[0]! ^ 0x20; // 'c' -> 'C'
      return bytes;
    });
    await editKeepingSizeAndTime(join(versionRaised!.sysvolFolder, 'StarterGPO.tmplx'), (bytes) => {
      const text = bytes.toString('utf8');
      const raised = text.replace(
        /<ComputerVersion>(\d)<\/ComputerVersion>/,
        (_, n: string) => `<ComputerVersion>${(Number(n) + 1) % 10}</ComputerVersion>`,
      );
      return Buffer.from(raised, 'utf8');
    });
    const acl = await aclOnDisk(aclChanged!.sysvolFolder);
    await run('samba-tool', [
      'ntacl',
      'set',
      '-s',
      dc.smbConfPath,
      acl.replace(/^(.*?D:[A-Z]*)/, '$1(A;OICI;0x1200a9;;;S-1-5-32-545)'),
      aclChanged!.sysvolFolder,
    ]);
    expect(await aclOnDisk(aclChanged!.sysvolFolder)).not.toBe(acl);

    const third = await backupChanged(out);
    expect(third.output!.backups.map((b) => b.objectId).sort()).toEqual(
      [fileEdited.guid, versionRaised!.guid, aclChanged!.guid].sort(),
    );
    const reasons = Object.fromEntries(
      third.messages.filter((m) => m.code === 'STARTER_GPO_CHANGED').map((m) => [m.object, m.message]),
    );
    expect(reasons[fileEdited.guid]).toContain(`${textFile} has other content`);
    expect(reasons[versionRaised!.guid]).toContain('StarterGPO.tmplx has other content');
    expect(reasons[aclChanged!.guid]).toContain('permissions of its folder');
    expect(decided(third.messages, 'STARTER_GPO_UNCHANGED')).toEqual(
      ids.filter((id) => ![fileEdited.guid, versionRaised!.guid, aclChanged!.guid].includes(id)),
    );

    // 4. A second run after those backs up nothing again.
    const fourth = await backupChanged(out);
    expect(fourth.output!.backups).toEqual([]);
    expect(decided(fourth.messages, 'STARTER_GPO_UNCHANGED')).toEqual(ids);

    // 5. The newest backup of one Starter GPO damaged (one byte of its tmplx copy): it cannot vouch, so it is backed up.
    const newestOfEdited = third.output!.backups.find((b) => b.objectId === fileEdited.guid)!;
    const damaged = join(newestOfEdited.path, 'DomainSysvol', 'GPO', 'StarterGPO.tmplx');
    const bytes = await readFile(damaged);
    bytes[bytes.length - 2] = bytes[bytes.length - 2]! ^ 0x20;
    await writeFile(damaged, bytes);
    const fifth = await backupChanged(out, 'succeeded-with-warnings');
    expect(fifth.output!.backups.map((b) => b.objectId)).toEqual([fileEdited.guid]);
    const unusable = fifth.messages.find((m) => m.code === 'PREVIOUS_BACKUP_UNUSABLE');
    expect(unusable).toMatchObject({ severity: 'warning', object: fileEdited.guid });
    expect(unusable!.message).toContain(newestOfEdited.id);
    expect(unusable!.message).toContain('INTEGRITY_MISMATCH');
  }, 600_000);
});
