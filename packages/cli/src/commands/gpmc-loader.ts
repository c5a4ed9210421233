import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CofferError, ErrorCode } from '@coffer/core';
import type { CliContext } from '../cli-context.js';
import { CLI_PACKAGE_DIRECTORY } from '../providers/provider-registry.js';

export type GpmcModule = typeof import('@coffer/gpmc');

/** Not a literal: the bundler must leave the import to run time (the CLI does not depend on the GPO packages). */
const GPMC = '@coffer/gpmc';

const GPO_PROVIDER = '@coffer/provider-gpo';

/**
 * `coffer report` and `coffer diff` read GPO backups with @coffer/gpmc, which comes with @coffer/provider-gpo. The
 * CLI does not depend on it (a DRM-only install has no GPO code): it is loaded when one of these commands runs,
 * from beside the gpo provider that loaded; when the providers were not discovered (main skips that for reading
 * backups), from beside the gpo provider package found as discovery would find it (from the working directory, then
 * beside the CLI) but not loaded; else from beside the CLI.
 */
export async function loadGpmc(context: CliContext): Promise<GpmcModule> {
  const gpo = context.registry.available.find((entry) => entry.id === 'gpo');
  const beside = (path: string) => () => import(pathToFileURL(createRequire(path).resolve(GPMC)).href);
  const attempts: Array<() => Promise<unknown>> = [];
  if (gpo?.resolvedPath) attempts.push(beside(gpo.resolvedPath));
  else
    for (const from of [context.io.cwd, CLI_PACKAGE_DIRECTORY])
      attempts.push(() => beside(createRequire(join(from, 'noop.js')).resolve(GPO_PROVIDER))());
  attempts.push(() => import(GPMC));
  let last: unknown;
  for (const attempt of attempts) {
    try {
      return (await attempt()) as GpmcModule;
    } catch (error) {
      last = error;
    }
  }
  throw new CofferError(ErrorCode.ProviderNotFound, 'Reading GPO backups needs @coffer/gpmc, which is not installed.', {
    object: GPMC,
    hint: 'Install @coffer/provider-gpo (it brings @coffer/gpmc) next to @coffer/cli.',
    cause: last,
  });
}
