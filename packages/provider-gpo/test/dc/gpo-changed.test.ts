import { appendFile, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type BackupOutput, type OperationResult, type ProgressReport, runBackup, verifyDirectory } from '@coffer/core';
import { CHANGE_STATE_FILE, parseChangeState } from '@coffer/gpmc';
import { assertProgressSane } from '@coffer/provider-testkit';
import provider from '../../src/index.js';
import { adminLdap, createScratchGpo, deleteGpoCompletely, gpoDn, gptFolder, type ScratchGpo } from './gpo-fixtures.js';
import { connection, domain } from './helpers.js';
import { runTool } from './run-tool.js';

/** Sets the times of a folder and everything in it. */
async function ageTree(folder: string, seconds: number): Promise<void> {
  for (const entry of await readdir(folder, { withFileTypes: true, recursive: true }))
    await utimes(join(entry.parentPath, entry.name), seconds, seconds);
  await utimes(folder, seconds, seconds);
}

// `coffer backup gpo --changed` against the real DC: five GPOs of its own, changed in different ways between runs.
describe('backup --changed', () => {
  const gpos: ScratchGpo[] = [];
  const ou = `OU=Coffer Changed Test,${domain.baseDn}`;
  let destination: string;

  beforeAll(async () => {
    for (const [name, file] of [
      ['Changed SYSVOL', 'Machine/registry.pol'],
      ['Changed ACE', 'User/registry.pol'],
      ['Changed Link', 'Machine/Scripts/Startup/run.cmd'],
      ['Untouched One', 'Machine/registry.pol'],
      ['Untouched Two ✓', 'User/Documents & Settings/fdeploy.ini'],
    ] as const) {
      gpos.push(await createScratchGpo(name, { [file]: `PReg\x01\x00\x00\x00${name}` }));
    }
    // Written a day ago, as a real GPT mostly is: the listing alone settles files nobody touched since.
    for (const gpo of gpos) await ageTree(gptFolder(gpo.guid), Date.now() / 1000 - 86_400);
    const ldap = await adminLdap();
    try {
      await ldap.add(ou, { objectClass: 'organizationalUnit' });
    } finally {
      await ldap.close();
    }
    // Shared by the tests of this file, in order (each run builds on the last): removed after them all.
    destination = await mkdtemp(join(tmpdir(), 'coffer-gpo-changed-'));
  });

  afterAll(async () => {
    for (const gpo of gpos) await deleteGpoCompletely(gpo.guid);
    await rm(destination, { recursive: true, force: true });
    const ldap = await adminLdap();
    try {
      await ldap.del(ou).catch(() => undefined);
    } finally {
      await ldap.close();
    }
  });

  async function backupChanged(extra: Record<string, unknown> = {}) {
    const progress: ProgressReport[] = [];
    const result = await runBackup(provider, {
      destination,
      options: connection({ gpo: gpos.map((g) => g.guid), changed: true, ...extra }),
      onProgress: (report) => progress.push({ ...report }),
    });
    expect(result.error, JSON.stringify(result.error)).toBeUndefined();
    // Totals are announced before anything is counted done, and never grow afterwards.
    assertProgressSane(progress);
    return result as OperationResult<BackupOutput> & { output: BackupOutput };
  }
  const backedUp = (result: OperationResult<BackupOutput>) =>
    (result.output?.backups ?? []).map((b) => b.objectId!.toUpperCase()).sort();
  const messagesOf = (result: OperationResult<BackupOutput>, code: string) =>
    result.messages
      .filter((m) => m.code === code)
      .map((m) => m.object!.split(' ').pop()!.toUpperCase())
      .sort();
  const ids = (...indexes: number[]) => indexes.map((i) => gpos[i]!.guid.toUpperCase()).sort();

  test('a GPO without a backup is backed up; each backup records its change state under the manifest', async () => {
    const result = await backupChanged();
    // The scratch GPOs' registry.pol files are not real ones: gpreport.xml cannot decode them (a warning, no more).
    expect(new Set(result.messages.filter((m) => m.severity !== 'info').map((m) => m.code))).toEqual(
      new Set(['GPO_SETTINGS_UNREADABLE']),
    );
    expect(backedUp(result)).toEqual(ids(0, 1, 2, 3, 4));
    expect(messagesOf(result, 'GPO_CHANGED')).toEqual(ids(0, 1, 2, 3, 4));
    expect(result.messages.find((m) => m.code === 'GPO_CHANGED')!.message).toMatch(/has no backup in this directory/);
    expect(result.output.counts).toMatchObject({ gpos: 5, unchanged: 0 });
    expect((await verifyDirectory(destination)).ok).toBe(true);
    const first = result.output.backups[0]!;
    const state = parseChangeState(await readFile(join(first.path, CHANGE_STATE_FILE), 'utf8'), CHANGE_STATE_FILE);
    expect(state.objectId.toUpperCase()).toBe(first.objectId!.toUpperCase());
    expect(state.listing.map((e) => e.path)).toContain('GPT.INI');
    expect(state.listing.find((e) => e.path === 'GPT.INI')!.sha256).toMatch(/^[0-9a-f]{64}$/);
    const manifest = JSON.parse(await readFile(join(first.path, 'coffer-manifest.json'), 'utf8')) as {
      files: Array<{ path: string }>;
    };
    expect(manifest.files.map((f) => f.path)).toContain(CHANGE_STATE_FILE);
  });

  test('nothing changed: nothing is backed up, every GPO is listed unchanged, no folder is added', async () => {
    const before = await readdir(destination);
    const result = await backupChanged();
    expect(result.status).toBe('succeeded');
    expect(backedUp(result)).toEqual([]);
    expect(messagesOf(result, 'GPO_UNCHANGED')).toEqual(ids(0, 1, 2, 3, 4));
    expect(result.output.counts).toMatchObject({ gpos: 0, unchanged: 5 });
    expect((await readdir(destination)).sort()).toEqual(before.sort());
  });

  test('a SYSVOL file edited without a version bump, an ACE and a link: exactly those three are backed up', async () => {
    // 1. Same size, other bytes, GPT.INI and versionNumber left alone (a hand edit, a DFS-R restore).
    const pol = join(gptFolder(gpos[0]!.guid), 'Machine', 'registry.pol');
    const bytes = await readFile(pol);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0x20, bytes.length - 1);
    await writeFile(pol, bytes);
    // 2. One more ACE on the container (Users may read properties).
    await runTool('samba-tool', [
      'dsacl',
      'set',
      `--objectdn=${gpoDn(gpos[1]!.guid)}`,
      '--sddl=(A;;RP;;;S-1-5-32-545)',
      '-H',
      domain.samLdbPath,
    ]);
    // 3. Linked to an OU.
    const ldap = await adminLdap();
    try {
      await ldap.modify(ou, [
        { operation: 'replace', attribute: 'gPLink', values: [`[LDAP://${gpoDn(gpos[2]!.guid)};0]`] },
      ]);
    } finally {
      await ldap.close();
    }
    const result = await backupChanged();
    expect(backedUp(result)).toEqual(ids(0, 1, 2));
    expect(messagesOf(result, 'GPO_UNCHANGED')).toEqual(ids(3, 4));
    const reasons = new Map(
      result.messages.filter((m) => m.code === 'GPO_CHANGED').map((m) => [m.object!.split(' ').pop()!, m.message]),
    );
    expect(reasons.get(gpos[0]!.guid)).toMatch(/SYSVOL folder differs.*registry\.pol has other content/);
    expect(reasons.get(gpos[1]!.guid)).toMatch(/Active Directory state differs/);
    expect(reasons.get(gpos[2]!.guid)).toMatch(/Active Directory state differs/);
    expect(result.output.counts).toMatchObject({ gpos: 3, unchanged: 2 });
    // The new backup holds the edited bytes.
    const polBackup = result.output.backups.find((b) => b.objectId!.toUpperCase() === ids(0)[0])!;
    expect(await readFile(join(polBackup.path, 'DomainSysvol', 'GPO', 'Machine', 'registry.pol'))).toEqual(bytes);
  });

  test('a second --changed run backs up nothing (read through a local SYSVOL this time)', async () => {
    const result = await backupChanged({ sysvol: domain.sysvolPath });
    expect(backedUp(result)).toEqual([]);
    expect(messagesOf(result, 'GPO_UNCHANGED')).toEqual(ids(0, 1, 2, 3, 4));
  });

  test('an edit that keeps size and time is not seen: the listing settled the file without reading it (documented)', async () => {
    // This proves the cheap path: smbclient's ls gave the same name, size and second as the backup's tar stream
    // recorded, so the file was not read (a read would have found other bytes, as the edit above was found).
    const pol = join(gptFolder(gpos[3]!.guid), 'Machine', 'registry.pol');
    const before = await stat(pol);
    const bytes = await readFile(pol);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 1) ^ 0x20, bytes.length - 1);
    await writeFile(pol, bytes);
    await utimes(pol, before.atime, before.mtime);
    const result = await backupChanged();
    expect(backedUp(result)).toEqual([]);
    // Once its time moves, the same edit is found by its content.
    await utimes(pol, before.atime, new Date(before.mtime.getTime() + 60_000));
    const found = await backupChanged();
    expect(backedUp(found)).toEqual(ids(3));
    expect(found.messages.find((m) => m.code === 'GPO_CHANGED')!.message).toMatch(/registry\.pol has other content/);
  });

  test('a file added or removed is a change', async () => {
    await writeFile(join(gptFolder(gpos[2]!.guid), 'Machine', 'new.txt'), 'added');
    const result = await backupChanged();
    expect(backedUp(result)).toEqual(ids(2));
    expect(result.messages.find((m) => m.code === 'GPO_CHANGED')!.message).toMatch(/Machine\/new\.txt was added/);
    await rm(join(gptFolder(gpos[2]!.guid), 'Machine', 'new.txt'));
    const removed = await backupChanged();
    expect(backedUp(removed)).toEqual(ids(2));
    expect(removed.messages.find((m) => m.code === 'GPO_CHANGED')!.message).toMatch(/Machine\/new\.txt was removed/);
  });

  test('a damaged newest backup never vouches: the GPO is backed up again with a warning', async () => {
    const newest = (await readdir(destination, { withFileTypes: true })).filter((e) => e.isDirectory());
    // The newest backup of "Untouched Two": damage its gpreport.xml (the state file itself is intact).
    let damaged = '';
    for (const folder of newest) {
      const info = await readFile(join(destination, folder.name, 'bkupInfo.xml'), 'utf8').catch(() => '');
      if (info.includes(gpos[4]!.guid)) damaged = join(destination, folder.name);
    }
    expect(damaged).not.toBe('');
    await appendFile(join(damaged, 'gpreport.xml'), Buffer.from([0, 0]));
    const result = await backupChanged();
    const why = JSON.stringify(result.messages.filter((m) => m.code !== 'GPO_UNCHANGED'));
    expect(backedUp(result), why).toEqual(ids(4));
    expect(result.status).toBe('succeeded-with-warnings');
    const warning = result.messages.find((m) => m.code === 'PREVIOUS_BACKUP_UNUSABLE')!;
    expect(warning.severity).toBe('warning');
    expect(warning.message).toMatch(/INTEGRITY_MISMATCH/);
    expect(warning.message).not.toMatch(/Nothing was restored/);
    // Its new backup is the newest now, and intact: the next run finds nothing to do.
    const again = await backupChanged();
    expect(backedUp(again)).toEqual([]);
  });
});
