import { runConformanceSuite } from '@coffer/provider-testkit';
import { expect, test } from 'vitest';
import { listLicenses } from '@coffer/drm-license-store';
import provider from '../src/index.js';
import { backupable, createWorld, machineWithLicenses } from './helpers.js';

runConformanceSuite({
  test,
  name: 'drm-licenses conformance',
  provider,
  async createFixture() {
    const world = await createWorld();
    const { location } = await machineWithLicenses(world, 'A', [
      backupable,
      { ...backupable, kid: 'SECOND', priority: 3 },
      { title: 'restricted: no Backup right' },
      ...Array.from({ length: 5 }, () => backupable),
    ]);
    return {
      destination: await world.destination(),
      options: location,
      restoreOptions: { ...location, servicePath: world.servicePath },
      async checkRestored() {
        expect((await listLicenses(location)).total).toBe(8);
      },
      cleanup: () => world.cleanup(),
    };
  },
  invalidOptions: [{ flags: 0x2 }, { flags: 0x100 }, { overwrite: 'yes' }, { store: 42 }],
});
