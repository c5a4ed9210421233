import { existsSync } from 'node:fs';
import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runBackup, runRestore, type OperationResult, type RestoreOutput } from '@coffer/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  MAX_MACHINES_PER_LICENSE,
  inspectLicense,
  issueLicenses,
  listLicenses,
  playLicense,
  removeLicenses,
} from '@coffer/drm-license-store';
import provider, { BACKUP_ENTRY_NAME, BACKUP_FILES, msdrmStatusOf } from '../src/index.js';
import { backupable, createWorld, machineWithLicenses, snapshot, type TestWorld } from './helpers.js';

let world: TestWorld;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

async function backupOf(name: string, licenses = [backupable, { ...backupable, kid: 'SECOND' }]) {
  const machine = await machineWithLicenses(world, name, licenses);
  const destination = await world.destination(`backup-${name}`);
  const result = await runBackup(provider, { destination, options: machine.location });
  expect(result.status).toBe('succeeded');
  return { ...machine, destination };
}

function restoreOnto(
  name: string,
  source: string,
  extra: Record<string, unknown> = {},
): Promise<OperationResult<RestoreOutput>> {
  return runRestore(provider, {
    source,
    options: { ...world.machine(name), servicePath: world.servicePath, ...extra },
  });
}

describe('restore', () => {
  it('same machine: no flag needed, status CONNECTING, DISCONNECTING, BEGIN, END, fresh counts', async () => {
    const { location, issued, destination } = await backupOf('A');
    await playLicense({ ...location, lid: issued[0]!.lid });
    await removeLicenses({ ...location, lids: [issued[1]!.lid] });
    const result = await restoreOnto('A', destination);
    expect(result.status).toBe('succeeded');
    expect(result.messages.map((m) => msdrmStatusOf(m.code))).toEqual([4, 5, 2, 3]);
    expect(result.output?.counts).toMatchObject({ licenses: 2, restored: 2, refused: 0, rebound: 0 });
    const licenses = await listLicenses(location);
    expect(licenses.total).toBe(2);
    expect(licenses.licenses.every((l) => l.state.plays === 0 && l.signature === 'valid')).toBe(true);
  });

  it('another machine without the individualize flag: NS_E_DRM_NEEDS_INDIVIDUALIZATION, nothing created', async () => {
    const { destination } = await backupOf('A');
    const result = await restoreOnto('B', destination);
    expect(result.error).toMatchObject({ code: 'NS_E_DRM_NEEDS_INDIVIDUALIZATION', hresult: 0xc00d2728 });
    await expect(readFile(join(world.machine('B').store, 'store.json'))).rejects.toThrow();
    await machineWithLicenses(world, 'B', []);
    const again = await restoreOnto('B', destination);
    expect(again.error?.code).toBe('NS_E_DRM_NEEDS_INDIVIDUALIZATION');
  });

  it('another machine with the flag: licenses re-issued by the service, bound and playable there', async () => {
    const { issued, destination } = await backupOf('A');
    const result = await restoreOnto('B', destination, { flags: 0x2 });
    expect(result.status).toBe('succeeded');
    expect(result.output?.counts).toMatchObject({ restored: 2, rebound: 2 });
    const b = world.machine('B');
    const inspection = await inspectLicense({ ...b, lid: issued[0]!.lid });
    expect(inspection).toMatchObject({ boundHere: true, signatureNow: 'valid', backup: 'eligible', play: 'playable' });
    expect(inspection.signedBy.map((s) => s.type)).toEqual(['service', 'licensor']);
    const played = await playLicense({ ...b, lid: issued[0]!.lid });
    // Same content key on both machines: the key travelled, re-wrapped.
    const original = await playLicense({ ...world.machine('A'), lid: issued[0]!.lid });
    expect(played.contentKeyFingerprint).toBe(original.contentKeyFingerprint);
    // B's licenses can be backed up again from B and restored on C.
    const fromB = await world.destination('backup-B');
    expect((await runBackup(provider, { destination: fromB, options: b })).status).toBe('succeeded');
    expect((await restoreOnto('C', fromB, { individualize: true })).status).toBe('succeeded');
  });

  it(`a license lives on at most ${MAX_MACHINES_PER_LICENSE} machines: the 5th is refused (NS_E_DRM_RESTORE_FRAUD), known ones are free`, async () => {
    const { location, destination } = await backupOf('A', [backupable]);
    for (const name of ['B', 'C', 'D'])
      expect((await restoreOnto(name, destination, { flags: 2 })).status).toBe('succeeded');
    const fifth = await restoreOnto('E', destination, { flags: 2 });
    expect(fifth.status).toBe('failed');
    expect(fifth.error).toMatchObject({ code: 'NS_E_DRM_RESTORE_FRAUD', hresult: 0xc00d2753 });
    expect(fifth.messages.some((m) => m.code === 'NS_E_DRM_RESTORE_FRAUD' && m.severity === 'warning')).toBe(true);
    // Refused outright, the 5th machine is left as it was found: no store was made for it.
    expect(existsSync(world.machine('E').store)).toBe(false);
    // Restoring again onto machines already holding it is free, the original included.
    expect((await restoreOnto('C', destination, { flags: 2 })).status).toBe('succeeded');
    expect((await restoreOnto('A', destination)).status).toBe('succeeded');
    // Only some stored: a new license goes to E, the old one is refused.
    await issueLicenses({ ...location, licenses: [{ ...backupable, kid: 'NEW' }] });
    const both = await world.destination('backup-A2');
    expect((await runBackup(provider, { destination: both, options: location })).status).toBe('succeeded');
    const partial = await restoreOnto('E', both, { flags: 2 });
    expect(partial.status).toBe('succeeded-with-warnings');
    expect(partial.output?.counts).toMatchObject({ licenses: 2, restored: 1, refused: 1 });
    const summary = partial.messages.find((m) => m.code === 'NS_E_DRM_STORE_NOTALLSTORED');
    expect(summary).toMatchObject({ severity: 'warning', hresult: 0xc00d275f });
    expect((await listLicenses(world.machine('E'))).licenses.map((l) => l.kid)).toEqual(['NEW']);
  });

  describe('a damaged backup is refused with NS_E_DRM_BACKUP_CORRUPT before the store is touched', () => {
    const damages: [string, (entry: string) => Promise<void>][] = [
      ...BACKUP_FILES.map(
        (name) =>
          [`a flipped byte in ${name}`, async (entry: string) => flipByte(join(entry, name))] as [
            string,
            (entry: string) => Promise<void>,
          ],
      ),
      ['a truncated drmv2lic.bak', async (entry) => truncateBy(join(entry, 'drmv2lic.bak'), 10)],
      ['a truncated drmv2man.bak', async (entry) => truncateBy(join(entry, 'drmv2man.bak'), 1)],
      ...BACKUP_FILES.map(
        (name) =>
          [`a missing ${name}`, async (entry: string) => rm(join(entry, name))] as [
            string,
            (entry: string) => Promise<void>,
          ],
      ),
      ['a license swapped for another', async (entry) => swapLines(join(entry, 'drmv2lic.bak'))],
    ];
    it.each(damages)('%s', async (_what, damage) => {
      const { location, destination } = await backupOf('A');
      await issueLicenses({ ...location, licenses: [{ kid: 'UNTOUCHED' }] });
      const storeBefore = await snapshot(location.store);
      await damage(join(destination, BACKUP_ENTRY_NAME));
      const result = await restoreOnto('A', destination);
      expect(result.status).toBe('failed');
      expect(result.error).toMatchObject({ code: 'NS_E_DRM_BACKUP_CORRUPT', hresult: 0xc00d2743 });
      expect(await snapshot(location.store)).toEqual(storeBefore);
    });
  });

  it('a folder without a backup is NS_E_DRM_INVALID_PROPERTY', async () => {
    await machineWithLicenses(world, 'A', []);
    const result = await restoreOnto('A', await world.destination('empty'));
    expect(result.error).toMatchObject({ code: 'NS_E_DRM_INVALID_PROPERTY', hresult: 0xc00d2749 });
  });

  it('rejects unknown flag bits with E_INVALIDARG', async () => {
    const { destination } = await backupOf('A');
    for (const flags of [0x1, 0x4, 0x3]) {
      const result = await restoreOnto('A', destination, { flags });
      expect(result.error?.hresult).toBe(0x80070057);
    }
  });

  it('a restore while a backup of the same store runs gets NS_E_DRM_BACKUPRESTORE_BUSY', async () => {
    const { location, destination } = await backupOf(
      'A',
      Array.from({ length: 300 }, () => backupable),
    );
    const [backup, restore] = await Promise.all([
      runBackup(provider, { destination: await world.destination('other'), options: location }),
      new Promise((resolve) => setTimeout(resolve, 5)).then(() => restoreOnto('A', destination)),
    ]);
    const outcomes = [backup, restore];
    expect(outcomes.filter((r) => r.status === 'succeeded')).toHaveLength(1);
    expect(outcomes.find((r) => r.status === 'failed')?.error).toMatchObject({
      code: 'NS_E_DRM_BACKUPRESTORE_BUSY',
      hresult: 0xc00d2744,
    });
  });

  it('a cancelled restore leaves the store as it was', async () => {
    const { location, destination } = await backupOf(
      'A',
      Array.from({ length: 20 }, () => backupable),
    );
    await removeLicenses({ ...location, kid: (await listLicenses(location)).licenses[0]!.kid });
    const before = await snapshot(location.store);
    for (const k of [1, 5, 25, 41]) {
      const controller = new AbortController();
      let seen = 0;
      const result = await runRestore(provider, {
        source: destination,
        options: { ...location, servicePath: world.servicePath },
        signal: controller.signal,
        onProgress: () => {
          seen += 1;
          if (seen === k) controller.abort();
        },
      });
      expect(result.status).toBe('cancelled');
      expect(result.error).toMatchObject({ code: 'NS_E_DRM_OPERATION_CANCELED', hresult: 0xc00d2768 });
      expect(await snapshot(location.store)).toEqual(before);
    }
  });
});

async function flipByte(path: string): Promise<void> {
  const bytes = await readFile(path);
  const at = Math.floor(bytes.length / 2);
  bytes[at] = bytes[at]! ^ 0x01;
  await writeFile(path, bytes);
}

async function truncateBy(path: string, bytes: number): Promise<void> {
  const size = (await readFile(path)).length;
  await truncate(path, size - bytes);
}

async function swapLines(path: string): Promise<void> {
  const lines = (await readFile(path, 'utf8')).split('\n');
  [lines[0], lines[1]] = [lines[1]!, lines[0]!];
  await writeFile(path, lines.join('\n'));
}
