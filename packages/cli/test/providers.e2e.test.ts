import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createIsolatedCli, type IsolatedCli } from './helpers/isolated-cli.js';
import { DIRECTORY_PROVIDER_PACKAGE, FIXTURE_PACKAGES, fixtureProvider } from './helpers/paths.js';
import { runCoffer } from './helpers/run-coffer.js';
import { createTempProject, type TempProject } from './helpers/temp-project.js';

interface ProvidersResult {
  providers: Array<{
    id: string;
    aliases: string[];
    displayName: string;
    source: string;
    packageName?: string;
    version?: string;
    capabilities: string[];
    commands: Array<{ name: string }>;
  }>;
  failed: Array<{ specifier: string; source: string; error: { code: string; message: string; hint?: string } }>;
  notInstalled: Array<{ id: string; packageName: string; hint: string }>;
}

describe('coffer providers', () => {
  let cli: IsolatedCli;
  const projects: TempProject[] = [];
  const project = () => {
    const created = createTempProject();
    projects.push(created);
    return created;
  };

  beforeAll(() => {
    cli = createIsolatedCli();
  });
  afterAll(() => {
    cli.cleanup();
    for (const p of projects) p.cleanup();
  });

  it('lists every built-in as not installed, with the npm command, when none is installed', async () => {
    const p = project();
    const human = await runCoffer(['providers'], { cwd: p.dir, bin: cli.bin });
    expect(human.exitCode).toBe(0);
    expect(human.stdout).toContain('not installed — npm install @coffer/provider-gpo');
    expect(human.stdout).toContain('not installed — npm install @coffer/provider-starter-gpo');
    expect(human.stdout).toContain('not installed — npm install @coffer/provider-drm-licenses');

    const json = await runCoffer(['providers', '--json'], { cwd: p.dir, bin: cli.bin });
    expect(json.exitCode).toBe(0);
    expect(json.lines).toHaveLength(1);
    const result = json.result as unknown as ProvidersResult;
    expect(result.providers).toEqual([]);
    expect(result.failed).toEqual([]);
    expect(result.notInstalled.map((b) => b.id)).toEqual(['gpo', 'starter-gpo', 'drm-licenses']);
    expect(result.notInstalled[0]!.hint).toBe('npm install @coffer/provider-gpo');
  });

  it('says how to install a built-in named on the command line that is not installed (exit 2)', async () => {
    const p = project();
    const backup = await runCoffer(['backup', 'gpo', '--dc', 'x', '--out', p.dir], { cwd: p.dir, bin: cli.bin });
    expect(backup.exitCode).toBe(2);
    expect(backup.stderr).toContain("The provider 'gpo' is not installed.");
    expect(backup.stderr).toContain('npm install @coffer/provider-gpo');

    const command = await runCoffer(['drm', 'create-store', '--json'], { cwd: p.dir, bin: cli.bin });
    expect(command.exitCode).toBe(2);
    expect(command.result?.error?.message).toBe("The provider 'drm-licenses' is not installed.");
    expect(command.result?.error?.hint).toContain('npm install @coffer/provider-drm-licenses');
  });

  it('loads built-ins from the project first and from next to the CLI second', async () => {
    const p = project();
    p.installFolder(join(FIXTURE_PACKAGES, 'fake-provider-gpo'));
    const withDrm = createIsolatedCli();
    try {
      withDrm.installNextToCli(join(FIXTURE_PACKAGES, 'fake-provider-drm-licenses'));
      const run = await runCoffer(['providers', '--json'], { cwd: p.dir, bin: withDrm.bin });
      expect(run.exitCode).toBe(0);
      const result = run.result as unknown as ProvidersResult;
      expect(result.providers.map((x) => [x.id, x.source, x.packageName, x.version])).toEqual([
        ['gpo', 'built-in', '@coffer/provider-gpo', '0.0.1-test'],
        ['drm-licenses', 'built-in', '@coffer/provider-drm-licenses', '0.0.1-test'],
      ]);
      expect(result.providers[1]!.aliases).toEqual(['drm']);
      expect(result.notInstalled.map((b) => b.id)).toEqual(['starter-gpo']);

      // The alias reaches the provider's own command; so does the full id.
      for (const name of ['drm', 'drm-licenses']) {
        const created = await runCoffer([name, 'create-store', '--store', 'licenses', '--json'], {
          cwd: p.dir,
          bin: withDrm.bin,
        });
        expect(created.exitCode).toBe(0);
        expect(created.result).toMatchObject({
          operation: 'command',
          provider: 'drm-licenses',
          status: 'succeeded',
          data: { created: 'licenses' },
        });
      }
    } finally {
      withDrm.cleanup();
    }
  });

  it('reports a built-in that is installed but not built as failed, not as missing', async () => {
    const p = project();
    p.installFolder(join(FIXTURE_PACKAGES, 'unbuilt-provider-starter-gpo'));
    const run = await runCoffer(['providers', '--json'], { cwd: p.dir, bin: cli.bin });
    expect(run.exitCode).toBe(3);
    const result = run.result as unknown as ProvidersResult;
    expect(result.notInstalled.map((b) => b.id)).toEqual(['gpo', 'drm-licenses']);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]).toMatchObject({ specifier: '@coffer/provider-starter-gpo', source: 'built-in' });
    expect(result.failed[0]!.error.message).toContain('dist/index.js');
    expect(result.failed[0]!.error.hint).toMatch(/build/);

    const named = await runCoffer(['backup', 'starter-gpo', '--out', '.'], { cwd: p.dir, bin: cli.bin });
    expect(named.exitCode).toBe(1);
    expect(named.stderr).toContain("Provider '@coffer/provider-starter-gpo' failed to load");
  });

  describe('a project with a third-party provider and broken ones in coffer.config.json', () => {
    let p: TempProject;

    beforeAll(() => {
      p = project();
      p.installPacked(DIRECTORY_PROVIDER_PACKAGE);
      p.writeFile('providers/throws.mjs', "throw new Error('this provider is broken on purpose');\n");
      p.writeFile(
        'providers/invalid.mjs',
        "export default { specificationVersion: 2, id: 'Not Valid', displayName: '' };\n",
      );
      p.writeFile(
        'providers/future.mjs',
        "export default { specificationVersion: 3, id: 'future', displayName: 'Future', description: '' };\n",
      );
      p.writeConfig({
        providers: [
          'coffer-provider-directory',
          './providers/throws.mjs',
          './providers/invalid.mjs',
          './providers/future.mjs',
          fixtureProvider('reserved-option-provider.mjs'),
          'coffer-provider-nobody-installed',
        ],
      });
    });

    it('lists what loaded and why each of the others did not', async () => {
      const run = await runCoffer(['providers', '--json'], { cwd: p.dir, bin: cli.bin });
      expect(run.exitCode).toBe(3);
      const result = run.result as unknown as ProvidersResult;
      expect(result.providers).toHaveLength(1);
      expect(result.providers[0]).toMatchObject({
        id: 'directory',
        displayName: 'Plain folder',
        source: 'config',
        packageName: 'coffer-provider-directory',
        version: '1.0.0',
        capabilities: ['backup', 'restore', 'list'],
        commands: [],
      });
      const failures = Object.fromEntries(result.failed.map((f) => [f.specifier, f.error]));
      expect(failures['./providers/throws.mjs']).toMatchObject({ code: 'PROVIDER_LOAD_FAILED' });
      expect(failures['./providers/throws.mjs']!.message).toContain('this provider is broken on purpose');
      expect(failures['./providers/invalid.mjs']).toMatchObject({ code: 'PROVIDER_INVALID' });
      expect(failures['./providers/invalid.mjs']!.message).toContain('id must be a lower-case word');
      expect(failures['./providers/future.mjs']).toMatchObject({ code: 'PROVIDER_UNSUPPORTED_SPECIFICATION' });
      expect(failures['./providers/future.mjs']!.message).toContain('specificationVersion 3');
      expect(failures[fixtureProvider('reserved-option-provider.mjs')]).toMatchObject({ code: 'PROVIDER_INVALID' });
      expect(failures[fixtureProvider('reserved-option-provider.mjs')]!.message).toContain(
        "option 'out' would be --out, which the coffer CLI reserves",
      );
      expect(failures['coffer-provider-nobody-installed']).toMatchObject({
        code: 'PROVIDER_NOT_FOUND',
        hint: 'Install it in your project: npm install coffer-provider-nobody-installed',
      });
      expect(result.failed.every((f) => f.source === 'config')).toBe(true);
    });

    it('prints the same for a person, with hints', async () => {
      const run = await runCoffer(['providers'], { cwd: p.dir, bin: cli.bin });
      expect(run.exitCode).toBe(3);
      expect(run.stdout).toContain('Loaded providers');
      expect(run.stdout).toMatch(/directory, folder\s+Plain folder\s+coffer-provider-directory 1\.0\.0 \(config\)/);
      expect(run.stdout).toContain('Failed to load');
      expect(run.stdout).toContain('PROVIDER_UNSUPPORTED_SPECIFICATION');
      expect(run.stdout).toContain('hint: Install it in your project: npm install coffer-provider-nobody-installed');
    });

    it('still backs up with the provider that works, warning once about the others', async () => {
      p.writeFile('data/a.txt', 'alpha\n');
      const out = p.path('backups');
      p.writeFile('backups/.keep', '');
      const run = await runCoffer(['backup', 'directory', '--source', 'data', '--out', out, '--json'], {
        cwd: p.dir,
        bin: cli.bin,
      });
      expect(run.exitCode).toBe(0);
      expect(run.result).toMatchObject({ status: 'succeeded', provider: 'directory', counts: { files: 1 } });
      const warnings = run.lines.filter((l) => l.type === 'message' && l.code === 'PROVIDER_LOAD_FAILED');
      expect(warnings).toHaveLength(1);
      expect(String(warnings[0]!.message)).toContain('5 providers failed to load');
    });

    it('adds a provider given with --provider, marked as from the flag', async () => {
      const run = await runCoffer(['providers', '--json', '--provider', fixtureProvider('slow-provider.mjs')], {
        cwd: p.dir,
        bin: cli.bin,
      });
      const result = run.result as unknown as ProvidersResult;
      expect(result.providers.map((x) => [x.id, x.source])).toEqual([
        ['directory', 'config'],
        ['slow', 'flag'],
      ]);
    });
  });

  it('reads coffer.config.mjs, and reports a malformed config without failing the rest', async () => {
    const p = project();
    p.writeConfig(
      `export default { providers: [${JSON.stringify(fixtureProvider('slow-provider.mjs'))}] };\n`,
      'coffer.config.mjs',
    );
    const fromModule = await runCoffer(['providers', '--json'], { cwd: p.dir, bin: cli.bin });
    expect((fromModule.result as unknown as ProvidersResult).providers.map((x) => x.id)).toEqual(['slow']);

    const broken = project();
    broken.writeConfig('{ "providers": [ oops ] }');
    const run = await runCoffer(['providers', '--json', '--provider', fixtureProvider('slow-provider.mjs')], {
      cwd: broken.dir,
      bin: cli.bin,
    });
    expect(run.exitCode).toBe(3);
    const result = run.result as unknown as ProvidersResult;
    expect(result.providers.map((x) => x.id)).toEqual(['slow']);
    expect(result.failed[0]!.error.message).toContain('coffer.config.json is not valid JSON');
  });

  it('looks providers up in the project named by --cwd', async () => {
    const p = project();
    p.writeConfig({ providers: [fixtureProvider('slow-provider.mjs')] });
    const run = await runCoffer(['providers', '--json', '--cwd', p.dir], { bin: cli.bin });
    expect((run.result as unknown as ProvidersResult).providers.map((x) => x.id)).toEqual(['slow']);
    const missing = await runCoffer(['providers', '--cwd', p.path('nowhere')], { bin: cli.bin });
    expect(missing.exitCode).toBe(2);
    expect(missing.stderr).toContain('(--cwd) does not exist');
  });

  it('refuses two providers with the same id, keeping the first', async () => {
    const p = project();
    p.writeConfig({ providers: [fixtureProvider('slow-provider.mjs')] });
    p.writeFile('copy/slow.mjs', `export { default } from ${JSON.stringify(fixtureProvider('slow-provider.mjs'))};\n`);
    const run = await runCoffer(['providers', '--json', '--provider', './copy/slow.mjs'], { cwd: p.dir, bin: cli.bin });
    const result = run.result as unknown as ProvidersResult;
    expect(result.providers.map((x) => [x.id, x.source])).toEqual([['slow', 'config']]);
    expect(result.failed[0]!.error.message).toContain("uses the id 'slow', already taken");
  });
});
