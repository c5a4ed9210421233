import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStore, issueLicenses, type IssueLicenseSpec, type StoreLocation } from '../src/index.js';

/**
 * A little world for tests: one license restore service shared by several simulated
 * machines, each with its own store (machine ids are configured, as the store allows).
 */
export interface TestWorld {
  root: string;
  servicePath: string;
  machine(name: string): StoreLocation & { store: string; machineId: string };
  cleanup(): Promise<void>;
}

export async function createWorld(): Promise<TestWorld> {
  const root = await mkdtemp(join(tmpdir(), 'coffer-drm-test-'));
  const servicePath = join(root, 'license-service');
  return {
    root,
    servicePath,
    machine: (name) => ({ store: join(root, `store-${name}`), machineId: `machine-${name}` }),
    cleanup: () => rm(root, { recursive: true, force: true }),
  };
}

export async function machineWithLicenses(world: TestWorld, name: string, licenses: IssueLicenseSpec[]) {
  const location = world.machine(name);
  await createStore({ ...location, servicePath: world.servicePath });
  const issued = licenses.length > 0 ? await issueLicenses({ ...location, licenses }) : [];
  return { location, issued };
}

export async function modeOf(path: string): Promise<number> {
  return (await stat(path)).mode & 0o777;
}

export const backupable: IssueLicenseSpec = { title: 'Backupable', allowBackupRestore: true };
