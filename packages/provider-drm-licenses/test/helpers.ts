import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, issueLicenses, type IssueLicenseSpec } from '@coffer/drm-license-store';

/**
 * The world of a backup test: machines (each a store and a simulated machine id) sharing one license
 * restore service, and backup destinations beside them, all in one temp folder.
 */
export interface TestWorld {
  root: string;
  servicePath: string;
  machine(name: string): { store: string; machineId: string };
  destination(name?: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function createWorld(): Promise<TestWorld> {
  const root = await mkdtemp(join(tmpdir(), 'coffer-drm-test-'));
  return {
    root,
    servicePath: join(root, 'license-service'),
    machine: (name) => ({ store: join(root, `store-${name}`), machineId: `machine-${name}` }),
    destination: async (name = 'backup') => {
      const path = join(root, name);
      await mkdir(path, { recursive: true });
      return path;
    },
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

/** A machine of the world with a new store holding these licenses (issued by the store's own licensor). */
export async function machineWithLicenses(world: TestWorld, name: string, licenses: IssueLicenseSpec[]) {
  const location = world.machine(name);
  await createStore({ ...location, servicePath: world.servicePath });
  return { location, issued: licenses.length > 0 ? await issueLicenses({ ...location, licenses }) : [] };
}

/** Every file under a folder with its SHA-256: equal snapshots mean nothing changed (@coffer/test-support's). */
export { snapshotTree as snapshot } from '@coffer/test-support';

export const backupable: IssueLicenseSpec = { title: 'Backupable', allowBackupRestore: true };
