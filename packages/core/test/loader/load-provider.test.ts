import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadProvider, loadProviders } from '../../src/index.js';
import { tempDir } from '../helpers.js';

/** The smallest valid provider, as module source, with a hand-written Standard Schema (no dependencies). */
const providerSource = (id: string, extra = '') => `
const schema = { '~standard': { version: 1, vendor: 'test', validate: (value) => ({ value }) } };
const provider = {
  specificationVersion: 2, id: '${id}', displayName: 'Test ${id}', description: 'test provider',
  options: schema,
  async backup() { return { backups: [], counts: {} }; },
  ${extra}
};`;

async function project(): Promise<string> {
  const dir = await tempDir('coffer-loader-');
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'user-project', private: true }));
  return dir;
}

async function installPackage(
  projectDir: string,
  name: string,
  files: Record<string, string>,
  pkg: Record<string, unknown> = {},
): Promise<void> {
  const root = join(projectDir, 'node_modules', ...name.split('/'));
  await mkdir(root, { recursive: true });
  await writeFile(
    join(root, 'package.json'),
    JSON.stringify({ name, version: '2.3.4', type: 'module', exports: './index.js', ...pkg }),
  );
  for (const [file, content] of Object.entries(files)) await writeFile(join(root, file), content);
}

describe('loadProvider', () => {
  test('resolves a package name from the user project, unwraps the default export and reads its version', async () => {
    const dir = await project();
    await installPackage(dir, '@acme/coffer-provider-widgets', {
      'index.js': `${providerSource('widgets')}\nexport default provider;`,
    });
    const loaded = await loadProvider('@acme/coffer-provider-widgets', { cwd: dir });
    expect(loaded.provider.id).toBe('widgets');
    expect(loaded.packageName).toBe('@acme/coffer-provider-widgets');
    expect(loaded.version).toBe('2.3.4');
    expect(loaded.resolvedPath).toBe(join(dir, 'node_modules', '@acme', 'coffer-provider-widgets', 'index.js'));
  });

  test('loads from a file path, a package folder, CommonJS and a factory function', async () => {
    const dir = await project();
    await writeFile(join(dir, 'local.mjs'), `${providerSource('local')}\nexport default provider;`);
    await writeFile(join(dir, 'common.cjs'), `${providerSource('common')}\nmodule.exports = provider;`);
    await writeFile(join(dir, 'factory.mjs'), `${providerSource('factory')}\nexport default () => provider;`);
    await installPackage(dir, 'folder-provider', {
      'index.js': `${providerSource('folder')}\nexport default provider;`,
    });
    expect((await loadProvider('./local.mjs', { cwd: dir })).provider.id).toBe('local');
    expect((await loadProvider(join(dir, 'common.cjs'), { cwd: dir })).provider.id).toBe('common');
    expect((await loadProvider('./factory.mjs', { cwd: dir })).provider.id).toBe('factory');
    expect((await loadProvider('./node_modules/folder-provider', { cwd: dir })).provider.id).toBe('folder');
  });

  test('packages are resolved from the user project, not from Coffer’s own install', async () => {
    const dir = await project();
    // proper-lockfile is a dependency of core itself, but the user's project does not have it.
    await expect(loadProvider('proper-lockfile', { cwd: dir })).rejects.toMatchObject({
      code: 'PROVIDER_NOT_FOUND',
      hint: 'Install it in your project: npm install proper-lockfile',
    });
  });

  test('each way a provider can be broken gets a precise error naming it', async () => {
    const dir = await project();
    await writeFile(join(dir, 'throws.mjs'), `throw new Error('boom at import');`);
    await writeFile(
      join(dir, 'v3.mjs'),
      `${providerSource('future')}\nexport default { ...provider, specificationVersion: 3 };`,
    );
    await writeFile(
      join(dir, 'v1.mjs'),
      `${providerSource('old')}\nexport default { ...provider, specificationVersion: 1, capabilities: { backup: true } };`,
    );
    await writeFile(
      join(dir, 'nospec.mjs'),
      `${providerSource('nospec')}\nconst { specificationVersion, ...rest } = provider; export default rest;`,
    );
    await writeFile(
      join(dir, 'shape.mjs'),
      `${providerSource('Bad Id')}\nexport default { ...provider, backup: undefined, options: {}, list: true, capabilities: { backup: true }, aliases: ['Not Ok'] };`,
    );
    await writeFile(join(dir, 'string.mjs'), `export default 'not a provider';`);

    await expect(loadProvider('./throws.mjs', { cwd: dir })).rejects.toMatchObject({
      code: 'PROVIDER_LOAD_FAILED',
      message: expect.stringContaining("Provider './throws.mjs' failed to load: boom at import"),
    });
    await expect(loadProvider('./v3.mjs', { cwd: dir })).rejects.toMatchObject({
      code: 'PROVIDER_UNSUPPORTED_SPECIFICATION',
      message: "Provider './v3.mjs' declares specificationVersion 3; this Coffer supports version 2.",
    });
    await expect(loadProvider('./v1.mjs', { cwd: dir })).rejects.toMatchObject({
      code: 'PROVIDER_UNSUPPORTED_SPECIFICATION',
      message:
        "Provider './v1.mjs' was written for specificationVersion 1 (@coffer/core 1.x); this Coffer supports version 2.",
      hint: expect.stringContaining('request.target'),
    });
    await expect(loadProvider('./nospec.mjs', { cwd: dir })).rejects.toMatchObject({
      code: 'PROVIDER_INVALID',
      message: expect.stringContaining('does not declare specificationVersion'),
    });
    const shape = loadProvider('./shape.mjs', { cwd: dir });
    await expect(shape).rejects.toMatchObject({ code: 'PROVIDER_INVALID' });
    const message = (await shape.catch((e: Error) => e.message)) as string;
    expect(message).toContain('id must be a lower-case word');
    expect(message).toContain('options is not a schema');
    expect(message).toContain('backup() is missing');
    expect(message).toContain('list must be a function (or absent)');
    expect(message).toContain('capabilities is not part of specification version 2');
    expect(message).toContain('aliases must be lower-case words');
    await expect(loadProvider('./string.mjs', { cwd: dir })).rejects.toMatchObject({
      code: 'PROVIDER_INVALID',
      message: expect.stringContaining('its default export is string'),
    });
    await expect(loadProvider('./missing.mjs', { cwd: dir })).rejects.toMatchObject({ code: 'PROVIDER_NOT_FOUND' });
  });
});

describe('loadProviders', () => {
  test('one broken provider does not take down the others; duplicate ids are refused', async () => {
    const dir = await project();
    await writeFile(join(dir, 'a.mjs'), `${providerSource('alpha')}\nexport default provider;`);
    await writeFile(join(dir, 'broken.mjs'), `throw new Error('nope');`);
    await writeFile(join(dir, 'b.mjs'), `${providerSource('beta')}\nexport default provider;`);
    await writeFile(join(dir, 'a-again.mjs'), `${providerSource('alpha')}\nexport default provider;`);
    const { loaded, failed } = await loadProviders(
      ['./a.mjs', './broken.mjs', 'not-installed-anywhere', './b.mjs', './a-again.mjs'],
      { cwd: dir },
    );
    expect(loaded.map((l) => l.provider.id)).toEqual(['alpha', 'beta']);
    expect(failed.map((f) => [f.specifier, f.error.code])).toEqual([
      ['./broken.mjs', 'PROVIDER_LOAD_FAILED'],
      ['not-installed-anywhere', 'PROVIDER_NOT_FOUND'],
      ['./a-again.mjs', 'PROVIDER_INVALID'],
    ]);
  });

  test('an alias is taken too, also by the providers the host loaded already', async () => {
    const dir = await project();
    await writeFile(
      join(dir, 'drm.mjs'),
      `${providerSource('drm-licenses', "aliases: ['drm'],")}\nexport default provider;`,
    );
    await writeFile(join(dir, 'named-drm.mjs'), `${providerSource('drm')}\nexport default provider;`);
    await writeFile(
      join(dir, 'alias-clash.mjs'),
      `${providerSource('other', "aliases: ['drm'],")}\nexport default provider;`,
    );
    const builtins = await loadProviders(['./drm.mjs'], { cwd: dir });
    const { loaded, failed } = await loadProviders(['./named-drm.mjs', './alias-clash.mjs'], {
      cwd: dir,
      loaded: builtins.loaded,
    });
    expect(loaded).toEqual([]);
    expect(failed.map((f) => [f.specifier, f.error.code, f.error.message])).toEqual([
      [
        './named-drm.mjs',
        'PROVIDER_INVALID',
        "Provider './named-drm.mjs' uses the id 'drm', already taken by './drm.mjs'.",
      ],
      [
        './alias-clash.mjs',
        'PROVIDER_INVALID',
        "Provider './alias-clash.mjs' uses the name 'drm', already taken by './drm.mjs'.",
      ],
    ]);
  });

  test('a package folder given by path shows its name and version; a missing dependency or file gets its own hint', async () => {
    const dir = await project();
    await installPackage(dir, 'folder-provider', {
      'index.js': `${providerSource('folder')}\nexport default provider;`,
    });
    await installPackage(dir, 'needs-dep', { 'index.js': `import 'left-pad-not-installed';\nexport default {};` });
    await installPackage(dir, 'needs-file', { 'index.js': `import './dist/missing.js';\nexport default {};` });
    const { loaded, failed } = await loadProviders(['./node_modules/folder-provider', 'needs-dep', 'needs-file'], {
      cwd: dir,
    });
    expect(loaded.map((l) => [l.packageName, l.version])).toEqual([['folder-provider', '2.3.4']]);
    expect(failed.map((f) => [f.specifier, f.error.code])).toEqual([
      ['needs-dep', 'PROVIDER_LOAD_FAILED'],
      ['needs-file', 'PROVIDER_LOAD_FAILED'],
    ]);
    expect(failed[0]!.error.hint).toBe(
      "It imports 'left-pad-not-installed', which is not installed: reinstall the provider with its dependencies (npm install).",
    );
    expect(failed[1]!.error.hint).toMatch(/A file the provider needs is missing/);
  });
});
