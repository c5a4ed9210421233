import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CofferError, ErrorCode, HRESULT } from '@coffer/core';

/** Looked for in this order in the project directory; the first one found is used. */
export const CONFIG_FILE_NAMES = ['coffer.config.json', 'coffer.config.mjs', 'coffer.config.js'] as const;

export interface CofferConfig {
  /** The file it came from (absent when there is none). */
  file?: string;
  /** Package names or paths (relative to the project directory) of third-party providers. */
  providers: string[];
}

/** Reads the project's config file; a missing file is an empty config, a malformed one a CofferError. */
export async function readConfig(projectDirectory: string): Promise<CofferConfig> {
  for (const name of CONFIG_FILE_NAMES) {
    const file = join(projectDirectory, name);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) continue;
    const value = name.endsWith('.json') ? await readJson(file) : await importConfig(file);
    return { file, providers: providerList(value, file) };
  }
  return { providers: [] };
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw configError(file, `is not valid JSON: ${(error as Error).message}`);
  }
}

async function importConfig(file: string): Promise<unknown> {
  try {
    const module = (await import(pathToFileURL(file).href)) as { default?: unknown };
    return module.default ?? module;
  } catch (error) {
    throw configError(file, `failed to load: ${(error as Error).message}`);
  }
}

function providerList(value: unknown, file: string): string[] {
  if (!value || typeof value !== 'object') throw configError(file, 'must hold an object like { "providers": [...] }');
  const providers = (value as { providers?: unknown }).providers;
  if (providers === undefined) return [];
  if (!Array.isArray(providers) || providers.some((p) => typeof p !== 'string' || p.length === 0)) {
    throw configError(file, '"providers" must be an array of package names or paths');
  }
  return providers as string[];
}

function configError(file: string, problem: string): CofferError {
  return new CofferError(ErrorCode.InvalidArgument, `The Coffer config file ${file} ${problem}.`, {
    hresult: HRESULT.ERROR_INVALID_DATA,
    object: file,
    hint: 'Write it as { "providers": ["some-npm-package", "./local/provider.js"] }.',
  });
}
