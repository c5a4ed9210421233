import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runBackup, runList, type ProgressReport } from '@coffer/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { issueLicenses, playLicense, setLicenseDisabled } from '@coffer/drm-license-store';
import provider, { BACKUP_ENTRY_NAME, BACKUP_FILES, MSDRM_STATUS, msdrmStatusOf } from '../src/index.js';
import { backupable, createWorld, machineWithLicenses, snapshot, type TestWorld } from './helpers.js';

let world: TestWorld;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

const noStaging = (tree: Record<string, string>) => Object.keys(tree).filter((p) => p.includes('.coffer-'));

describe('backup', () => {
  it('backs up eligible licenses only, reporting each other one as RESTRICTED_LICENSE with its KID', async () => {
    const { location, issued } = await machineWithLicenses(world, 'A', [
      { ...backupable, kid: 'OK-1' },
      { ...backupable, kid: 'OK-2', priority: 4 },
      { kid: 'NO-BACKUP-RIGHT' },
      { kid: 'PLAY-COUNT', playCount: 3, allowBackupRestore: true },
      { kid: 'COPY-COUNT', copyCount: 2, allowBackupRestore: true },
      { kid: 'SESSION', allowBackupRestore: true, persistent: false },
      { kid: 'EXPIRED', allowBackupRestore: true, expirationDate: new Date(Date.now() - 60_000) },
      { kid: 'DISABLED', allowBackupRestore: true },
    ]);
    await setLicenseDisabled({ ...location, lid: issued[7]!.lid, disabled: true });
    await playLicense({ ...location, kid: 'OK-1' });
    const destination = await world.destination();
    const result = await runBackup(provider, { destination, options: location });
    expect(result.status).toBe('succeeded-with-warnings');
    expect(result.output?.counts).toMatchObject({ licenses: 2, restricted: 6, examined: 8 });
    const restricted = result.messages.filter((m) => m.code === 'RESTRICTED_LICENSE');
    expect(restricted.map((m) => m.object)).toEqual([
      'NO-BACKUP-RIGHT',
      'PLAY-COUNT',
      'COPY-COUNT',
      'SESSION',
      'EXPIRED',
      'DISABLED',
    ]);
    expect(restricted.every((m) => m.severity === 'warning')).toBe(true);
    expect(restricted[2]!.message).toContain('counted right');
    // Status sequence: BEGIN, RESTRICTED_LICENSE per refused license, END.
    const statuses = result.messages.map((m) => msdrmStatusOf(m.code));
    expect(statuses).toEqual([2, 7, 7, 7, 7, 7, 7, 3]);
    expect(MSDRM_STATUS.RESTRICTED_LICENSE).toBe(7);
    const entry = join(destination, BACKUP_ENTRY_NAME);
    expect((await readdir(entry)).sort()).toEqual([...BACKUP_FILES, 'coffer-manifest.json'].sort());
    const licenses = (await readFile(join(entry, 'drmv2lic.bak'), 'utf8')).trimEnd().split('\n');
    expect(licenses).toHaveLength(2);
    const manifest = (await readFile(join(entry, 'drmv2man.bak'), 'utf8')).trimEnd().split('\n');
    expect(manifest[0]).toBe('COFFER-DRM-MANIFEST\t1\tLID\tKID\tPRIORITY\tSHA256');
    expect(manifest.slice(1).map((l) => l.split('\t').slice(0, 3))).toEqual([
      [issued[0]!.lid, 'OK-1', '0'],
      [issued[1]!.lid, 'OK-2', '4'],
    ]);
    const mac = JSON.parse(await readFile(join(entry, 'drmv2mac.bak'), 'utf8'));
    expect(mac).toMatchObject({ format: 'coffer-drm-backup', version: 1, counts: { licenses: 2, restricted: 6 } });
    expect(mac.mac).toMatch(/^[0-9a-f]{64}$/);
  });

  it('maps the statuses onto progress phases, monotonic and complete', async () => {
    const { location } = await machineWithLicenses(world, 'A', [backupable, backupable, { title: 'restricted' }]);
    const reports: ProgressReport[] = [];
    const result = await runBackup(provider, {
      destination: await world.destination(),
      options: location,
      onProgress: (r) => reports.push({ ...r }),
    });
    expect(result.status).toBe('succeeded-with-warnings');
    expect([...new Set(reports.map((r) => r.phase))]).toEqual(['BACKUPRESTORE_BEGIN', 'BACKUPRESTORE_END']);
    expect(reports.at(-1)).toMatchObject({ completed: 3, total: 3 });
    for (let i = 1; i < reports.length; i += 1)
      expect(reports[i]!.completed).toBeGreaterThanOrEqual(reports[i - 1]!.completed);
  });

  describe('overwrite flag × existing backup', () => {
    it('no backup, no flag: writes one', async () => {
      const { location } = await machineWithLicenses(world, 'A', [backupable]);
      const result = await runBackup(provider, { destination: await world.destination(), options: location });
      expect(result.status).toBe('succeeded');
    });

    it('no backup, with flag: writes one', async () => {
      const { location } = await machineWithLicenses(world, 'A', [backupable]);
      const result = await runBackup(provider, {
        destination: await world.destination(),
        options: { ...location, flags: 0x1 },
      });
      expect(result.status).toBe('succeeded');
    });

    it('existing backup, no flag: NS_E_DRM_BACKUP_EXISTS before anything is written', async () => {
      const { location } = await machineWithLicenses(world, 'A', [backupable]);
      const destination = await world.destination();
      expect((await runBackup(provider, { destination, options: location })).status).toBe('succeeded');
      const before = await snapshot(destination);
      const result = await runBackup(provider, { destination, options: location });
      expect(result.status).toBe('failed');
      expect(result.error).toMatchObject({
        code: 'NS_E_DRM_BACKUP_EXISTS',
        hresult: 0xc00d2742,
        hresultHex: '0xC00D2742',
      });
      expect(await snapshot(destination)).toEqual(before);
    });

    it('existing backup, with flag (numeric or boolean): replaced by the new one', async () => {
      const { location } = await machineWithLicenses(world, 'A', [backupable]);
      const destination = await world.destination();
      const first = await runBackup(provider, { destination, options: location });
      await issueLicenses({ ...location, licenses: [backupable] });
      const second = await runBackup(provider, { destination, options: { ...location, flags: 1 } });
      expect(second.status).toBe('succeeded');
      expect(second.output!.backups[0]!.id).not.toBe(first.output!.backups[0]!.id);
      expect(second.output?.counts.licenses).toBe(2);
      const third = await runBackup(provider, { destination, options: { ...location, overwrite: true } });
      expect(third.status).toBe('succeeded');
      expect(noStaging(await snapshot(destination))).toEqual([]);
      const listed = await runList(provider, { source: destination });
      expect(listed.output?.map((l) => l.id)).toEqual([third.output!.backups[0]!.id]);
    });
  });

  it.each([
    [{ flags: 0x2 }],
    [{ flags: 0x5 }],
    [{ flags: -1 }],
    [{ overwrite: false, flags: 1 }],
    // The flags say "no overwrite" and the boolean says "overwrite": asked both ways, it is refused, not guessed.
    [{ overwrite: true, flags: 0 }],
    [{ bogus: true }],
  ])('rejects bad options %j with E_INVALIDARG, writing nothing', async (bad) => {
    const { location } = await machineWithLicenses(world, 'A', [backupable]);
    const destination = await world.destination();
    const result = await runBackup(provider, { destination, options: { ...location, ...bad } });
    expect(result.status).toBe('failed');
    expect(result.error?.hresult).toBe(0x80070057);
    expect(await snapshot(destination)).toEqual({});
  });

  it('cancelled at the k-th progress report: NS_E_DRM_OPERATION_CANCELED, old backup byte-identical, no staging left', async () => {
    const { location } = await machineWithLicenses(
      world,
      'A',
      Array.from({ length: 12 }, (_, i) => (i % 4 === 3 ? { title: `r${i}` } : backupable)),
    );
    const destination = await world.destination();
    expect((await runBackup(provider, { destination, options: location })).status).toBe('succeeded-with-warnings');
    await issueLicenses({ ...location, licenses: [backupable, backupable] });
    const before = await snapshot(destination);
    let reportCount = 0;
    const scratch = await world.destination('count');
    await runBackup(provider, { destination: scratch, options: location, onProgress: () => (reportCount += 1) });
    const outcomes: string[] = [];
    for (let k = 1; k <= reportCount; k += 1) {
      const controller = new AbortController();
      let seen = 0;
      const result = await runBackup(provider, {
        destination,
        options: { ...location, overwrite: true },
        signal: controller.signal,
        onProgress: () => {
          seen += 1;
          if (seen === k) controller.abort();
        },
      });
      const after = await snapshot(destination);
      expect(noStaging(after)).toEqual([]);
      outcomes.push(result.status);
      if (result.status === 'cancelled') {
        expect(result.error).toMatchObject({ code: 'NS_E_DRM_OPERATION_CANCELED', hresult: 0xc00d2768 });
        expect(after).toEqual(before);
      } else {
        // Only the reports after the commit point may let the backup finish.
        expect(k).toBeGreaterThanOrEqual(reportCount - 1);
        break;
      }
    }
    expect(outcomes.filter((s) => s === 'cancelled').length).toBeGreaterThanOrEqual(reportCount - 2);
  });

  it('a concurrent backup of the same store gets NS_E_DRM_BACKUPRESTORE_BUSY', async () => {
    const { location } = await machineWithLicenses(
      world,
      'A',
      Array.from({ length: 200 }, () => backupable),
    );
    const [one, two] = await Promise.all([
      runBackup(provider, { destination: await world.destination('one'), options: location }),
      runBackup(provider, { destination: await world.destination('two'), options: location }),
    ]);
    const statuses = [one.status, two.status].sort();
    expect(statuses).toEqual(['failed', 'succeeded']);
    const failed = one.status === 'failed' ? one : two;
    expect(failed.error).toMatchObject({ code: 'NS_E_DRM_BACKUPRESTORE_BUSY', hresult: 0xc00d2744 });
  });

  it('a tampered store fails the backup (NS_E_DRM_CHECKPOINT_FAILED) and keeps the old backup', async () => {
    const { location } = await machineWithLicenses(world, 'A', [backupable, backupable]);
    const destination = await world.destination();
    await runBackup(provider, { destination, options: location });
    const before = await snapshot(destination);
    const log = join(location.store, 'licenses-000001.log');
    const bytes = await readFile(log);
    bytes[bytes.lastIndexOf('Backupable')] = 'X'.charCodeAt(0);
    await writeFile(log, bytes);
    const result = await runBackup(provider, { destination, options: { ...location, overwrite: true } });
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({ code: 'NS_E_DRM_CHECKPOINT_FAILED', hresult: 0xc00d277f });
    expect(await snapshot(destination)).toEqual(before);
  });

  it("refuses another machine's store (NS_E_DRM_HARDWAREID_MISMATCH) and a missing one", async () => {
    const { location } = await machineWithLicenses(world, 'A', [backupable]);
    const destination = await world.destination();
    const stolen = await runBackup(provider, { destination, options: { ...location, machineId: 'machine-Z' } });
    expect(stolen.error).toMatchObject({ code: 'NS_E_DRM_HARDWAREID_MISMATCH', hresult: 0xc00d278f });
    const missing = await runBackup(provider, {
      destination,
      options: { ...location, store: join(world.root, 'nowhere') },
    });
    expect(missing.error).toMatchObject({ code: 'DRM_STORE_NOT_FOUND', hresult: 0x80070003 });
    expect(await snapshot(destination)).toEqual({});
  });

  it('a missing target directory is ERROR_PATH_NOT_FOUND (checked by the host)', async () => {
    const { location } = await machineWithLicenses(world, 'A', [backupable]);
    const result = await runBackup(provider, { destination: join(world.root, 'absent'), options: location });
    expect(result.error).toMatchObject({ code: 'PATH_NOT_FOUND', hresult: 0x80070003 });
  });

  it('lists the backup in a folder with its counts and date', async () => {
    const { location } = await machineWithLicenses(world, 'A', [backupable, { title: 'restricted' }]);
    const destination = await world.destination();
    const empty = await runList(provider, { source: destination });
    expect(empty.output).toEqual([]);
    const backup = await runBackup(provider, { destination, options: location, comment: 'weekly' });
    const listed = await runList(provider, { source: destination });
    expect(listed.output).toHaveLength(1);
    expect(listed.output![0]).toMatchObject({
      id: backup.output!.backups[0]!.id,
      kind: 'license-set',
      comment: 'weekly',
      details: { licenses: 1, restricted: 1, examined: 2 },
    });
    expect(Date.parse(listed.output![0]!.createdAt!)).toBeGreaterThan(Date.now() - 60_000);
  });
});
