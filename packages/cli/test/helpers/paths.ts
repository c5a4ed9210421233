import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** packages/cli */
export const CLI_PACKAGE = resolve(here, '..', '..');
/** The repository root. */
export const REPO_ROOT = resolve(CLI_PACKAGE, '..', '..');
/** The built binary the end-to-end tests spawn. */
export const COFFER_BIN = resolve(CLI_PACKAGE, 'dist', 'bin.js');
/** Test providers (ESM files importing @coffer/core). */
export const FIXTURE_PROVIDERS = resolve(CLI_PACKAGE, 'test', 'fixtures', 'providers');
/** Small fake packages standing in for the built-in providers. */
export const FIXTURE_PACKAGES = resolve(CLI_PACKAGE, 'test', 'fixtures', 'packages');
export const CORE_PACKAGE = resolve(REPO_ROOT, 'packages', 'core');
/** The schema library providers depend on (core re-exports none): a user's project has it through its providers. */
export const ZOD_PACKAGE = resolve(REPO_ROOT, 'node_modules', 'zod');
export const DIRECTORY_PROVIDER_PACKAGE = resolve(REPO_ROOT, 'examples', 'provider-directory');

export function fixtureProvider(name: string): string {
  return resolve(FIXTURE_PROVIDERS, name);
}
