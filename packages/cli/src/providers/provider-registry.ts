import { existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CofferError,
  ErrorCode,
  loadProvider,
  loadProviders,
  toCofferError,
  type BackupProvider,
  type LoadedProvider,
} from '@coffer/core';
import { BUILTIN_PROVIDERS, installHint, type BuiltinProvider } from './builtin-providers.js';
import { readConfig } from './config-file.js';
import { describeSurface, type ProviderSurface } from './provider-surface.js';

export type ProviderSource = 'built-in' | 'config' | 'flag';

export interface AvailableProvider {
  // biome-ignore lint/suspicious/noExplicitAny: a host holds providers of every option and output type; any is the variance escape hatch
  provider: BackupProvider<any, any>;
  id: string;
  /** Other names it answers to (`drm` for `drm-licenses`). */
  aliases: string[];
  source: ProviderSource;
  specifier: string;
  resolvedPath: string;
  packageName?: string;
  version?: string;
  surface: ProviderSurface;
}

export interface FailedProvider {
  specifier: string;
  source: ProviderSource;
  /** Known for built-ins only: a third-party provider that fails to load never told us its id. */
  builtin?: BuiltinProvider;
  error: CofferError;
}

export interface ProviderRegistry {
  available: AvailableProvider[];
  failed: FailedProvider[];
  /** Built-ins whose package is not installed. */
  missing: BuiltinProvider[];
  /** A loaded provider by id or alias. */
  find(name: string): AvailableProvider | undefined;
  /** A built-in that is missing or failed, by id, alias or package name. */
  findUnavailableBuiltin(name: string): { builtin: BuiltinProvider; failure?: FailedProvider } | undefined;
}

export interface DiscoverOptions {
  /** The user's project: config file and package names resolve from here. */
  projectDirectory: string;
  /** Where relative `--provider` paths resolve from (the process's working directory). */
  workingDirectory: string;
  flagProviders: readonly string[];
  /** Where the CLI itself is installed: built-ins are looked for here after the project. */
  cliDirectory?: string;
}

/** The folder of the @coffer/cli package, found from this module whether it runs bundled (dist/) or from source (src/…). */
export const CLI_PACKAGE_DIRECTORY = findOwnPackage(dirname(fileURLToPath(import.meta.url)));

function findOwnPackage(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === '@coffer/cli'
    )
      return dir;
    if (dirname(dir) === dir) return resolve(start, '..');
  }
}

/**
 * Finds and loads every provider: built-ins by name, then those the project's config
 * file lists, then `--provider` flags. Nothing here throws: each problem becomes a
 * failure entry that `coffer providers` shows, and the other providers still load.
 */
export async function discoverProviders(options: DiscoverOptions): Promise<ProviderRegistry> {
  const available: AvailableProvider[] = [];
  const failed: FailedProvider[] = [];
  const missing: BuiltinProvider[] = [];
  const cliDirectory = options.cliDirectory ?? CLI_PACKAGE_DIRECTORY;

  const accept = (loaded: LoadedProvider, source: ProviderSource) => {
    const { provider } = loaded;
    const aliases = provider.aliases ?? [];
    available.push({
      provider,
      id: provider.id,
      aliases,
      source,
      specifier: loaded.specifier,
      resolvedPath: loaded.resolvedPath,
      ...(loaded.packageName ? { packageName: loaded.packageName } : {}),
      ...(loaded.version ? { version: loaded.version } : {}),
      surface: describeSurface(provider),
    });
  };

  let configured: string[] = [];
  try {
    configured = (await readConfig(options.projectDirectory)).providers;
  } catch (error) {
    failed.push({ specifier: 'coffer.config', source: 'config', error: toCofferError(error) });
  }
  const flagged = options.flagProviders.map((specifier) => absolutePath(specifier, options.workingDirectory));
  const explicitly = new Set([...configured, ...flagged]);

  const builtins: LoadedProvider[] = [];
  for (const builtin of BUILTIN_PROVIDERS) {
    if (explicitly.has(builtin.packageName)) continue;
    try {
      const loaded = await loadBuiltin(builtin, options.projectDirectory, cliDirectory);
      if (!loaded) missing.push(builtin);
      else builtins.push(loaded);
    } catch (error) {
      failed.push({
        specifier: builtin.packageName,
        source: 'built-in',
        builtin,
        error: toCofferError(error, builtin.packageName),
      });
    }
  }
  // A provider whose options cannot be flags fails to load here (describeSurface), like any other broken one.
  const acceptOrFail = (loaded: LoadedProvider, source: ProviderSource, builtin?: BuiltinProvider) => {
    try {
      accept(loaded, source);
    } catch (error) {
      failed.push({
        specifier: loaded.specifier,
        source,
        ...(builtin ? { builtin } : {}),
        error: toCofferError(error, loaded.specifier),
      });
    }
  };
  for (const loaded of builtins)
    acceptOrFail(
      loaded,
      'built-in',
      BUILTIN_PROVIDERS.find((b) => b.packageName === loaded.specifier),
    );
  // Core loads the project's providers (config file, then --provider flags) and refuses one whose id or alias is
  // already taken, by a built-in or by another of them.
  const sourceOf = new Map<string, ProviderSource>([
    ...configured.map((s): [string, ProviderSource] => [s, 'config']),
    ...flagged.map((s): [string, ProviderSource] => [s, 'flag']),
  ]);
  const explicit = await loadProviders([...sourceOf.keys()], { cwd: options.projectDirectory, loaded: builtins });
  for (const loaded of explicit.loaded) acceptOrFail(loaded, sourceOf.get(loaded.specifier) ?? 'config');
  for (const failure of explicit.failed)
    failed.push({ ...failure, source: sourceOf.get(failure.specifier) ?? 'config' });

  return {
    available,
    failed,
    missing,
    find: (name) =>
      available.find(
        (a) => a.id === name || a.aliases.includes(name) || (a.packageName !== undefined && a.packageName === name),
      ),
    findUnavailableBuiltin: (name) => {
      const builtin = BUILTIN_PROVIDERS.find(
        (b) => b.id === name || b.aliases.includes(name) || b.packageName === name,
      );
      if (!builtin || available.some((a) => a.id === builtin.id)) return undefined;
      const failure = failed.find((f) => f.builtin === builtin);
      if (!failure && !missing.includes(builtin)) return undefined;
      return { builtin, ...(failure ? { failure } : {}) };
    },
  };
}

/** A built-in resolves from the user's project first, then from next to the CLI; undefined when installed in neither. */
async function loadBuiltin(
  builtin: BuiltinProvider,
  projectDirectory: string,
  cliDirectory: string,
): Promise<LoadedProvider | undefined> {
  for (const from of [projectDirectory, cliDirectory]) {
    try {
      return await loadProvider(builtin.packageName, { cwd: from });
    } catch (error) {
      const failure = toCofferError(error, builtin.packageName);
      // Installed but unusable (not built, throws on import...) is a failure to show, not "not installed".
      if (failure.code !== ErrorCode.ProviderNotFound || (await packageFolderExists(builtin.packageName, from)))
        throw withBuiltinHint(failure, builtin);
    }
  }
  return undefined;
}

function withBuiltinHint(error: CofferError, builtin: BuiltinProvider): CofferError {
  if (error.code !== ErrorCode.ProviderNotFound) return error;
  return withHint(
    error,
    `The package is there but its entry point is missing: build it (npm run build) or reinstall it (${installHint(builtin)}).`,
  );
}

function withHint(error: CofferError, hint: string): CofferError {
  return new CofferError(error.code, error.message, {
    ...(error.hresult === undefined ? {} : { hresult: error.hresult }),
    ...(error.object === undefined ? {} : { object: error.object }),
    hint,
    cause: error.cause ?? error,
  });
}

async function packageFolderExists(packageName: string, from: string): Promise<boolean> {
  let dir = resolve(from);
  for (;;) {
    const info = await stat(join(dir, 'node_modules', ...packageName.split('/'), 'package.json')).catch(
      () => undefined,
    );
    if (info?.isFile()) return true;
    const parent = dirname(dir);
    if (parent === dir) return false;
    dir = parent;
  }
}

function absolutePath(specifier: string, base: string): string {
  return specifier.startsWith('.') ? resolve(base, specifier) : specifier;
}
