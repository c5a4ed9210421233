/**
 * The DRM-relevant part of the hostile-backup corpus: a license backup set damaged the way someone with write
 * access to the backup folder would (links to a root-only secret, a linked entry folder, a deleted integrity
 * manifest, a flipped byte with the manifest deleted, a 2 GiB sparse file, an extra file, a dangling link at the
 * top). Each goes through verify, list and restore: refused or reported with a code, and the license store and
 * the restore service byte-identical afterwards.
 */
import { join } from 'node:path';
import fse from 'fs-extra';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { runBackup, runList, runRestore, verifyDirectory } from '@coffer/core';
import { writeOutsideSecret } from '@coffer/test-support';
import provider, { BACKUP_ENTRY_NAME } from '../src/index.js';
import { backupable, createWorld, machineWithLicenses, snapshot, type TestWorld } from './helpers.js';

let world: TestWorld;
beforeEach(async () => {
  world = await createWorld();
});
afterEach(async () => {
  await world.cleanup();
});

interface DrmCase {
  name: string;
  damage(entry: string, outside: string, destination: string): Promise<void>;
  /** The code restore must refuse with (the WMDRM code where WMDRM reports damage, core's for links). */
  refusal: string | null;
}

const cases: DrmCase[] = [
  {
    name: 'drmv2lic.bak is a symlink to a root-only secret',
    refusal: 'BACKUP_PATH_ESCAPES',
    async damage(entry, outside) {
      await fse.remove(join(entry, 'drmv2lic.bak'));
      await fse.symlink(join(outside, 'id_rsa_secret'), join(entry, 'drmv2lic.bak'));
    },
  },
  {
    name: 'the backup entry folder is a symlink to a copy outside',
    refusal: 'BACKUP_PATH_ESCAPES',
    async damage(entry, outside) {
      await fse.move(entry, join(outside, BACKUP_ENTRY_NAME));
      await fse.symlink(join(outside, BACKUP_ENTRY_NAME), entry);
    },
  },
  {
    name: 'the integrity manifest deleted',
    refusal: 'NS_E_DRM_BACKUP_CORRUPT',
    async damage(entry) {
      await fse.remove(join(entry, 'coffer-manifest.json'));
    },
  },
  {
    name: 'a flipped byte in drmv2lic.bak, and the integrity manifest deleted',
    refusal: 'NS_E_DRM_BACKUP_CORRUPT',
    async damage(entry) {
      const path = join(entry, 'drmv2lic.bak');
      const bytes = await fse.readFile(path);
      bytes[10] = bytes[10]! ^ 0x01;
      await fse.writeFile(path, bytes);
      await fse.remove(join(entry, 'coffer-manifest.json'));
    },
  },
  {
    name: 'drmv2key.bak replaced by a 2 GiB sparse file',
    refusal: 'NS_E_DRM_BACKUP_CORRUPT',
    async damage(entry) {
      const handle = await fse.open(join(entry, 'drmv2key.bak'), 'w');
      await fse.ftruncate(handle, 2 * 1024 * 1024 * 1024);
      await fse.close(handle);
    },
  },
  {
    name: 'an extra file in the backup set',
    refusal: 'NS_E_DRM_BACKUP_CORRUPT',
    async damage(entry) {
      await fse.outputFile(join(entry, 'drmv2lic.bak.extra'), 'x');
    },
  },
  {
    name: 'a dangling symlink beside the backup set',
    refusal: null,
    async damage(_entry, outside, destination) {
      await fse.symlink(join(outside, 'gone'), join(destination, 'dangling'));
    },
  },
];

it('every hostile DRM backup is refused or reported with a code, and the store and service are unchanged', async () => {
  const machine = await machineWithLicenses(world, 'A', [backupable, { ...backupable, kid: 'SECOND' }]);
  const pristine = await world.destination('pristine');
  const made = await runBackup(provider, { destination: pristine, options: machine.location });
  expect(made.status).toBe('succeeded');
  const outside = await world.destination('outside');
  await writeOutsideSecret(outside);
  const storeBefore = await snapshot(machine.location.store);
  const serviceBefore = await snapshot(world.servicePath);

  let operations = 0;
  let refusals = 0;
  const table: string[] = [];
  for (const [index, hostile] of cases.entries()) {
    const destination = await world.destination(`hostile-${index}`);
    await fse.copy(pristine, destination);
    await hostile.damage(join(destination, BACKUP_ENTRY_NAME), outside, destination);

    const verification = await verifyDirectory(destination);
    const findings = [...verification.problems, ...verification.backups.flatMap((b) => b.problems)];
    expect(verification.ok, hostile.name).toBe(false);
    expect(findings.length, hostile.name).toBeGreaterThan(0);
    operations += 1;
    refusals += 1;

    const listed = await runList(provider, { source: destination });
    const listCode =
      listed.status === 'failed' ? listed.error!.code : listed.messages.find((m) => m.severity === 'warning')?.code;

    if (hostile.refusal === null) {
      table.push(`${hostile.name}: verify ${findings.map((f) => f.code).join(',')}`);
      continue;
    }
    const restored = await runRestore(provider, {
      source: destination,
      options: { ...machine.location, servicePath: world.servicePath },
    });
    operations += 1;
    expect(restored.status, hostile.name).toBe('failed');
    expect(restored.error?.code, `${hostile.name}: ${restored.error?.message}`).toBe(hostile.refusal);
    refusals += 1;
    table.push(
      `${hostile.name}: verify ${[...new Set(findings.map((f) => f.code))].join(',')}; list ${listCode ?? 'listed'}; restore ${restored.error!.code}`,
    );
  }
  expect(await snapshot(machine.location.store)).toEqual(storeBefore);
  expect(await snapshot(world.servicePath)).toEqual(serviceBefore);
  console.log(
    `hostile backup corpus (DRM): ${cases.length} cases, ${operations} verify/restore operations, ${refusals} refused or reported with a code; store and service unchanged\n  ${table.join('\n  ')}`,
  );
  expect(refusals).toBe(operations);
});
