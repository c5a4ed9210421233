import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { SPECIFICATION_VERSION, type BackupProvider } from '../contract/provider.js';
import { CofferError, ErrorCode, toCofferError } from '../errors/coffer-error.js';

export interface LoadedProvider {
  // biome-ignore lint/suspicious/noExplicitAny: a host holds providers of every option and output type; any is the variance escape hatch
  provider: BackupProvider<any, any>;
  /** What the user named: a package name or a path. */
  specifier: string;
  /** The file the provider was imported from. */
  resolvedPath: string;
  packageName?: string;
  version?: string;
}

export interface LoadProvidersOptions extends LoadOptions {
  /** Providers the host loaded already (its built-ins): their ids and aliases are taken. */
  loaded?: readonly LoadedProvider[];
}

export interface ProviderLoadFailure {
  specifier: string;
  error: CofferError;
}

export interface LoadOptions {
  /** The user's project directory: package names resolve from here, not from Coffer's own install. */
  cwd?: string;
}

/**
 * Loads a provider from a package name (resolved from the user's project) or a file path,
 * unwraps default exports, and checks it against the contract. Every failure is a
 * CofferError naming the provider and what to do.
 */
export async function loadProvider(specifier: string, options: LoadOptions = {}): Promise<LoadedProvider> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const isPath = specifier.startsWith('.') || isAbsolute(specifier) || specifier.startsWith('file:');
  let url: string;
  try {
    url = isPath
      ? await resolvePath(specifier.startsWith('file:') ? fileURLToPath(specifier) : resolve(cwd, specifier))
      : await resolveModule(specifier, pathToFileURL(join(cwd, 'coffer.config.js')).href);
  } catch (error) {
    throw new CofferError(
      ErrorCode.ProviderNotFound,
      `Provider '${specifier}' could not be found from ${cwd}: ${(error as Error).message}`,
      {
        object: specifier,
        hint: isPath ? 'Check the path.' : `Install it in your project: npm install ${specifier}`,
        cause: error,
      },
    );
  }
  let module: unknown;
  try {
    module = await import(url);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // The entry file itself is missing (a path typo, or a package that was never built), as opposed to a module it
    // imports: asked of the file system, since the entry also appears in the message as the importer.
    const entryMissing =
      code === 'ERR_MODULE_NOT_FOUND' && (await stat(fileURLToPath(url)).catch(() => undefined)) === undefined;
    // A module the provider imports is missing: a package it depends on (the fix is npm install) or one of its own
    // files (an entry point never built): the fix differs, so the hint says which.
    const importedPackage =
      code === 'ERR_MODULE_NOT_FOUND' ? /Cannot find package '([^']+)'/.exec((error as Error).message)?.[1] : undefined;
    throw new CofferError(
      entryMissing ? ErrorCode.ProviderNotFound : ErrorCode.ProviderLoadFailed,
      `Provider '${specifier}' failed to load: ${(error as Error).message}`,
      {
        object: specifier,
        hint: entryMissing
          ? isPath
            ? 'Check the path; if it is a package folder, build the package first.'
            : `The package's entry file is missing: reinstall ${specifier}, or build it if it is a local package.`
          : importedPackage
            ? `It imports '${importedPackage}', which is not installed: reinstall the provider with its dependencies (npm install).`
            : code === 'ERR_MODULE_NOT_FOUND'
              ? 'A file the provider needs is missing (an entry point that was never built?): build the provider (npm run build) or reinstall it.'
              : 'The provider module threw while loading; see the cause.',
        cause: error,
      },
    );
  }
  const provider = validateProvider(unwrap(module), specifier);
  const resolvedPath = fileURLToPath(url);
  // A package named, or a package folder given by path: its name and version, for hosts to show.
  const pkg = isPath
    ? await folderPackage(specifier.startsWith('file:') ? fileURLToPath(specifier) : resolve(cwd, specifier))
    : await findPackageJson(resolvedPath, specifier);
  return {
    provider,
    specifier,
    resolvedPath,
    ...(pkg?.name ? { packageName: pkg.name } : {}),
    ...(pkg?.version ? { version: pkg.version } : {}),
  };
}

/** Loads several providers; one that fails is reported and the others still load. */
export async function loadProviders(
  specifiers: readonly string[],
  options: LoadProvidersOptions = {},
): Promise<{ loaded: LoadedProvider[]; failed: ProviderLoadFailure[] }> {
  const loaded: LoadedProvider[] = [];
  const failed: ProviderLoadFailure[] = [];
  const namesOf = (p: LoadedProvider['provider']) => [p.id, ...(p.aliases ?? [])];
  for (const specifier of specifiers) {
    try {
      const result = await loadProvider(specifier, options);
      // An id or alias answers to one provider only, among these and those the host already has.
      const names = namesOf(result.provider);
      const clash = [...(options.loaded ?? []), ...loaded].find((l) =>
        namesOf(l.provider).some((name) => names.includes(name)),
      );
      if (clash) {
        const name = names.find((n) => namesOf(clash.provider).includes(n))!;
        throw new CofferError(
          ErrorCode.ProviderInvalid,
          `Provider '${specifier}' uses the ${name === result.provider.id ? 'id' : 'name'} '${name}', already taken by '${clash.specifier}'.`,
          { object: specifier, hint: 'Load only one of them.' },
        );
      }
      loaded.push(result);
    } catch (error) {
      failed.push({ specifier, error: toCofferError(error, specifier) });
    }
  }
  return { loaded, failed };
}

/**
 * Node's own resolution algorithm, run from another folder than this module's. import-meta-resolve is
 * loaded on first use: a process that only runs a provider it imported itself never pays for it.
 */
async function resolveModule(specifier: string, parent: string): Promise<string> {
  const { resolve: resolveFrom } = await import('import-meta-resolve');
  return resolveFrom(specifier, parent);
}

/** A file imports as is; a package folder imports through its package.json (exports, then main). */
async function resolvePath(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined);
  if (!info?.isDirectory()) return pathToFileURL(path).href;
  const manifestPath = join(path, 'package.json');
  const pkg = JSON.parse(await readFile(manifestPath, 'utf8')) as { name?: string; main?: string; exports?: unknown };
  if (pkg.name && pkg.exports !== undefined) return await resolveModule(pkg.name, pathToFileURL(manifestPath).href);
  return pathToFileURL(join(path, pkg.main ?? 'index.js')).href;
}

/** `export default provider`, CommonJS `module.exports = provider`, or a factory function returning one. */
function unwrap(module: unknown): unknown {
  let candidate: unknown = module;
  for (let depth = 0; depth < 3; depth++) {
    if (
      candidate &&
      typeof candidate === 'object' &&
      'default' in candidate &&
      !('specificationVersion' in candidate)
    ) {
      candidate = (candidate as { default: unknown }).default;
    }
  }
  if (typeof candidate === 'function') candidate = (candidate as () => unknown)();
  return candidate;
}

/** Checks an object against the provider contract and says exactly what is wrong with it. */
// biome-ignore lint/suspicious/noExplicitAny: a host holds providers of every option and output type; any is the variance escape hatch
export function validateProvider(candidate: unknown, specifier: string): BackupProvider<any, any> {
  const invalid = (problem: string) =>
    new CofferError(ErrorCode.ProviderInvalid, `Provider '${specifier}' is not a valid Coffer provider: ${problem}.`, {
      object: specifier,
      hint: 'A provider module default-exports an object made with defineProvider() from @coffer/core.',
    });
  if (!candidate || typeof candidate !== 'object')
    throw invalid(`its default export is ${candidate === null ? 'null' : typeof candidate}, not an object`);
  const p = candidate as Record<string, unknown>;
  if (p.specificationVersion !== SPECIFICATION_VERSION) {
    if (p.specificationVersion === undefined) throw invalid('it does not declare specificationVersion');
    if (p.specificationVersion === 1) {
      throw new CofferError(
        ErrorCode.ProviderUnsupportedSpecification,
        `Provider '${specifier}' was written for specificationVersion 1 (@coffer/core 1.x); this Coffer supports version ${SPECIFICATION_VERSION}.`,
        {
          object: specifier,
          hint:
            'Install a version of the provider built for @coffer/core 2.x. Porting it: stage into request.target instead of opening ' +
            'BackupDestination yourself (core locks, seals with the comment and commits), drop `capabilities` (the optional methods are the capabilities), ' +
            'declare aliases on the provider, and set specificationVersion: 2.',
        },
      );
    }
    throw new CofferError(
      ErrorCode.ProviderUnsupportedSpecification,
      `Provider '${specifier}' declares specificationVersion ${JSON.stringify(p.specificationVersion)}; this Coffer supports version ${SPECIFICATION_VERSION}.`,
      {
        object: specifier,
        hint: `Install a version of the provider built for @coffer/core ${SPECIFICATION_VERSION}.x, or upgrade Coffer.`,
      },
    );
  }
  const problems: string[] = [];
  if (typeof p.id !== 'string' || !/^[a-z][a-z0-9-]*$/.test(p.id))
    problems.push('id must be a lower-case word (a-z, 0-9, -)');
  if (typeof p.displayName !== 'string' || !p.displayName) problems.push('displayName is missing');
  if (typeof p.description !== 'string') problems.push('description is missing');
  if (!isSchema(p.options)) problems.push('options is not a schema (Standard Schema, e.g. a zod object)');
  if (p.restoreOptions !== undefined && !isSchema(p.restoreOptions)) problems.push('restoreOptions is not a schema');
  if (typeof p.backup !== 'function') problems.push('backup() is missing');
  if (p.restore !== undefined && typeof p.restore !== 'function')
    problems.push('restore must be a function (or absent)');
  if (p.list !== undefined && typeof p.list !== 'function') problems.push('list must be a function (or absent)');
  if (p.capabilities !== undefined)
    problems.push(
      'capabilities is not part of specification version 2: the optional methods restore() and list() are the capabilities',
    );
  if (p.aliases !== undefined) {
    if (
      !Array.isArray(p.aliases) ||
      !p.aliases.every((a) => typeof a === 'string' && /^[a-z][a-z0-9-]*$/.test(a) && a !== p.id)
    ) {
      problems.push('aliases must be lower-case words (a-z, 0-9, -) other than the id');
    }
  }
  if (p.backupIndex !== undefined) {
    const index = p.backupIndex as Record<string, unknown> | null;
    if (typeof index?.fileName !== 'string' || typeof index.update !== 'function')
      problems.push('backupIndex needs a fileName and update()');
  }
  if (p.commands !== undefined) {
    if (!Array.isArray(p.commands)) problems.push('commands must be an array');
    else
      for (const command of p.commands as Record<string, unknown>[]) {
        if (typeof command?.name !== 'string' || typeof command.run !== 'function' || !isSchema(command.options)) {
          problems.push(`command ${JSON.stringify(command?.name)} needs a name, options schema and run()`);
        }
      }
  }
  if (problems.length > 0) throw invalid(problems.join('; '));
  // biome-ignore lint/suspicious/noExplicitAny: a host holds providers of every option and output type; any is the variance escape hatch
  return candidate as BackupProvider<any, any>;
}

function isSchema(value: unknown): boolean {
  const standard = (value as { '~standard'?: { validate?: unknown } } | undefined)?.['~standard'];
  return typeof standard?.validate === 'function';
}

/** The name and version of a package folder a provider was loaded from by path; nothing for a plain file. */
async function folderPackage(path: string): Promise<{ name?: string; version?: string } | undefined> {
  try {
    if (!(await stat(path)).isDirectory()) return undefined;
    return JSON.parse(await readFile(join(path, 'package.json'), 'utf8')) as { name?: string; version?: string };
  } catch {
    return undefined;
  }
}

async function findPackageJson(
  file: string,
  specifier: string,
): Promise<{ name?: string; version?: string } | undefined> {
  let dir = dirname(file);
  for (;;) {
    try {
      const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name && (specifier === pkg.name || specifier.startsWith(`${pkg.name}/`))) return pkg;
    } catch {
      // no package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}
