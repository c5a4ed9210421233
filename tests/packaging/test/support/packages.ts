import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root: tests/packaging/test/support → four levels up. */
export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

export interface PackedPackage {
  name: string;
  /** Folder inside the monorepo. */
  dir: string;
  /** Published to npm (the example provider is packed and installed, never published). */
  published: boolean;
}

export const PACKAGES: readonly PackedPackage[] = [
  { name: '@coffer/core', dir: 'packages/core', published: true },
  { name: '@coffer/provider-testkit', dir: 'packages/provider-testkit', published: true },
  { name: '@coffer/active-directory', dir: 'packages/active-directory', published: true },
  { name: '@coffer/gpmc', dir: 'packages/gpmc', published: true },
  { name: '@coffer/provider-gpo', dir: 'packages/provider-gpo', published: true },
  { name: '@coffer/provider-starter-gpo', dir: 'packages/provider-starter-gpo', published: true },
  { name: '@coffer/drm-license-store', dir: 'packages/drm-license-store', published: true },
  { name: '@coffer/provider-drm-licenses', dir: 'packages/provider-drm-licenses', published: true },
  { name: '@coffer/cli', dir: 'packages/cli', published: true },
  { name: 'coffer-provider-directory', dir: 'examples/provider-directory', published: false },
];

export const PUBLISHED = PACKAGES.filter((p) => p.published);

export function readmeOf(pkg: PackedPackage): string {
  return join(repoRoot, pkg.dir, 'README.md');
}
