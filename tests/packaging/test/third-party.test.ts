import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { compileTsExamples, runShellExample, runTsExample } from './support/example-runner.js';
import { repoRoot } from './support/packages.js';
import { TYPESCRIPT_TOOLS, installProject, type InstalledProject } from './support/project.js';
import { exampleNamed, readExample, substitute } from './support/readme-examples.js';
import { describeRun, run, type RunResult } from './support/run.js';

// Scenario 3: a project that installs the CLI and a third-party provider (the packed example provider) and names it
// in its coffer.config.json; plus the provider author's tools (the testkit, TypeScript).
const TARBALLS = ['@coffer/cli', '@coffer/core', 'coffer-provider-directory', '@coffer/provider-testkit'];
const tsExamples = ['directory-programmatic', 'testkit-conformance', 'cli-programmatic'].map(exampleNamed);

describe('third-party provider project: @coffer/cli + coffer-provider-directory from coffer.config.json', () => {
  let project: InstalledProject;
  let context: { projectDir: string };

  beforeAll(async () => {
    project = await installProject(
      { name: 'third-party', tarballs: TARBALLS, devDependencies: { ...TYPESCRIPT_TOOLS } },
      inject('tarballs'),
    );
    context = { projectDir: project.dir };
    await mkdir(join(project.dir, 'my-folder', 'sub'), { recursive: true });
    await writeFile(join(project.dir, 'my-folder', 'a.txt'), 'alpha\n');
    await writeFile(join(project.dir, 'my-folder', 'sub', 'b.bin'), Buffer.from([0, 1, 2, 255]));
  });
  afterAll(async () => project?.remove());

  it('installs from the tarballs alone', () => {
    expect(project.installed.filter((n) => n.startsWith('@coffer/') || n.startsWith('coffer-'))).toEqual(
      [...TARBALLS].sort(),
    );
    for (const [path, resolved] of Object.entries(project.cofferResolved)) expect(resolved, path).toMatch(/^file:/);
  });

  it("coffer-provider-directory's README session: the CLI loads it from coffer.config.json, backs up a folder, verifies", async () => {
    const lines = await runShellExample(project, exampleNamed('directory-cli-session'), context, {
      installedFromTarballs: TARBALLS,
    });
    expect(lines.map((l) => l.line)).toEqual([
      `echo '{ "providers": ["coffer-provider-directory"] }' > coffer.config.json`,
      'mkdir -p backups',
      'npx coffer backup directory --out backups --source ./my-folder',
      'npx coffer verify backups',
    ]);
    expect(lines[3]!.stdout).toMatch(/^ok\s+my-folder-\S+\s+directory directory\s+2 files/);
    expect(lines[3]!.stderr).toMatch(/All 1 backup verified/);
    const [backup] = await readdir(join(project.dir, 'backups')).then((names) =>
      names.filter((n) => n.startsWith('my-folder-')),
    );
    expect(backup).toBeDefined();
    expect(await readFile(join(project.dir, 'backups', backup!, 'a.txt'), 'utf8')).toBe('alpha\n');
    expect([...(await readFile(join(project.dir, 'backups', backup!, 'sub', 'b.bin')))]).toEqual([0, 1, 2, 255]);
  });

  it('coffer providers shows the directory provider loaded from the project, by its config file', async () => {
    const result = await project.exec('coffer', ['providers', '--json']);
    expect([0, 3], describeRun('coffer providers', result)).toContain(result.code);
    const final = JSON.parse(result.stdout.trim().split('\n').at(-1)!) as {
      providers: Array<{ id: string; source: string; specifier: string; resolvedPath: string; packageName: string }>;
    };
    expect(
      final.providers.find((p) => p.id === 'directory'),
      result.stdout,
    ).toMatchObject({
      source: 'config',
      specifier: 'coffer-provider-directory',
      packageName: 'coffer-provider-directory',
      resolvedPath: join(project.dir, 'node_modules', 'coffer-provider-directory', 'dist', 'index.js'),
    });
  });

  it("@coffer/cli's README third-party session: config, backup, list, restore into an empty folder", async () => {
    const lines = await runShellExample(project, exampleNamed('cli-directory-session'), context, {
      installedFromTarballs: TARBALLS,
    });
    expect(lines.at(-2)!.stdout).toMatch(/my-folder-/);
    expect(await readFile(join(project.dir, 'restored', 'a.txt'), 'utf8')).toBe('alpha\n');
    expect([...(await readFile(join(project.dir, 'restored', 'sub', 'b.bin')))]).toEqual([0, 1, 2, 255]);
  });

  it('the README TypeScript examples (directory, testkit, cli) type-check with tsc --strict against the published types', async () => {
    const tsc = await compileTsExamples(project, tsExamples, context);
    expect(tsc.code, describeRun('tsc', tsc)).toBe(0);
  });

  it("coffer-provider-directory's README code: loadProvider resolves it from the project and backs up", async () => {
    const { stdout } = await runTsExample(project, exampleNamed('directory-programmatic'));
    expect(stdout).toMatch(/^succeeded \[ 'my-folder-[^']+' \]/);
  });

  it("@coffer/provider-testkit's README: the conformance suite passes on the installed provider under node:test", async () => {
    const result = await runTsExample(project, exampleNamed('testkit-conformance'), {}, ['--test']);
    expect(result.stdout).toMatch(/# fail 0/);
    const passed = Number(/# pass (\d+)/.exec(result.stdout)?.[1]);
    expect(passed).toBeGreaterThanOrEqual(8);
    expect(result.stdout).toMatch(/restore/);
  });

  it("@coffer/cli's README code: main() lists the backups as JSON lines", async () => {
    const { stdout } = await runTsExample(project, exampleNamed('cli-programmatic'));
    const final = JSON.parse(stdout.trim().split('\n').at(-1)!) as {
      type: string;
      operation: string;
      backups: Array<{ provider: string }>;
    };
    expect(final).toMatchObject({ type: 'result', operation: 'list' });
    expect(final.backups.map((b) => b.provider)).toEqual(['directory']);
  });

  it("@coffer/provider-testkit's README install line names a package this project installed", async () => {
    expect(
      await runShellExample(project, exampleNamed('testkit-install'), context, { installedFromTarballs: TARBALLS }),
    ).toEqual([]);
  });
});

// Scenario 3b: the example provider as a template, following its README to the letter. It is copied out of the
// monorepo into a temp folder, where nothing of the monorepo can resolve; the README packs core, the testkit and the
// CLI from this checkout and installs those tarballs into the copy (its tools come from the registry); the copy's own
// `npm run build` and `npm test` run there; then the packed CLI backs up and restores through the copy.
describe('the example provider as a template: copied out of the repository, it installs, builds, tests and loads alone', () => {
  let workDir: string;
  let template: InstalledProject;
  let setup: RunResult;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), 'coffer-packaging-template-'));
    const dir = join(workDir, 'my-provider');
    // The README's paths: the Coffer checkout is this one; the tarballs and the copy go under the temp folder.
    const script = substitute((await readExample(exampleNamed('directory-template-setup'))).code, { projectDir: dir })
      .split('~/coffer-tarballs')
      .join(join(workDir, 'coffer-tarballs'))
      .split('~/my-provider')
      .join(dir)
      .split('~/coffer')
      .join(repoRoot);
    // Run as one script, as a user types it (the `cd`s carry over), echoing each line so the log shows where time goes.
    const timed = script
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => `echo "@@ $(date +%s%N) ${line.replaceAll('"', '\\"')}" >&2; ${line}`)
      .join('\n');
    const started = Date.now();
    setup = await run('bash', ['-euo', 'pipefail', '-c', `${timed}\necho "@@ $(date +%s%N) end" >&2`], {
      cwd: workDir,
      env: { npm_config_prefer_offline: 'true', npm_config_audit: 'false', npm_config_fund: 'false' },
    });
    timings.total = Date.now() - started;
    const marks = [...setup.stderr.matchAll(/^@@ (\d+) (.*)$/gm)].map((m) => ({ at: Number(m[1]) / 1e6, line: m[2]! }));
    for (const [i, mark] of marks.slice(0, -1).entries()) timings[mark.line] = Math.round(marks[i + 1]!.at - mark.at);
    console.info('template setup timings (ms):', timings);
    const path = `${join(dir, 'node_modules', '.bin')}:${process.env.PATH ?? ''}`;
    template = {
      dir,
      installed: [],
      cofferResolved: {},
      exec: (command, args, env = {}) => run(command, args, { cwd: dir, env: { PATH: path, ...env } }),
      remove: () => rm(workDir, { recursive: true, force: true }),
    };
  });
  afterAll(async () => template?.remove());

  it('the README setup (pack, copy out, install, build, test) succeeds outside the monorepo', () => {
    expect(setup.code, describeRun('the README setup script', setup)).toBe(0);
    expect(template.dir.startsWith(repoRoot)).toBe(false);
    expect(setup.stdout).toMatch(/Build success/);
  });

  it('the copy took @coffer/core, the testkit and the CLI from the tarballs, and its tools from the registry', async () => {
    const pkg = JSON.parse(await readFile(join(template.dir, 'package.json'), 'utf8')) as {
      devDependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
    };
    for (const name of ['@coffer/core', '@coffer/provider-testkit', '@coffer/cli'])
      expect(pkg.devDependencies[name], name).toMatch(/^file:.*\.tgz$/);
    expect(pkg.peerDependencies).toEqual({ '@coffer/core': '^1.0.0' });
    const lock = JSON.parse(await readFile(join(template.dir, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string; version?: string }>;
    };
    const coffer = Object.entries(lock.packages).filter(([path]) => /^node_modules\/@coffer\/[^/]+$/.test(path));
    expect(coffer.map(([path]) => path).sort()).toEqual([
      'node_modules/@coffer/cli',
      'node_modules/@coffer/core',
      'node_modules/@coffer/provider-testkit',
    ]);
    for (const [path, entry] of coffer) expect(entry.resolved, path).toMatch(/^file:/);
    // npm 11 records no `resolved` for the default registry: a registry package is one with an integrity hash, not a file: or a link.
    for (const tool of ['tsup', 'typescript', 'vitest', '@types/node']) {
      const entry = lock.packages[`node_modules/${tool}`] as
        | { integrity?: string; resolved?: string; link?: boolean }
        | undefined;
      expect(entry, tool).toMatchObject({ integrity: expect.stringMatching(/^sha512-/) });
      expect(entry!.link, tool).toBeUndefined();
      expect(entry!.resolved ?? '', tool).not.toMatch(/^file:/);
    }
  });

  it("the copy's own npm test ran its conformance suite and its own tests there, and all passed", async () => {
    const report = JSON.parse(await readFile(join(template.dir, 'test-results.json'), 'utf8')) as {
      numFailedTests: number;
      numPassedTests: number;
      testResults: Array<{ name: string; assertionResults: Array<{ fullName: string; status: string }> }>;
    };
    expect(report.numFailedTests).toBe(0);
    expect(report.testResults.map((r) => r.name).every((name) => name.startsWith(template.dir))).toBe(true);
    const passed = report.testResults
      .flatMap((r) => r.assertionResults)
      .filter((a) => a.status === 'passed')
      .map((a) => a.fullName);
    expect(passed).toEqual(
      expect.arrayContaining([
        'provider-directory: satisfies the specification version 2 contract',
        'provider-directory: cancelling at any progress report stops the provider promptly and leaves nothing partial',
        'provider-directory: stores the comment with every backup, and list shows it',
        'provider-directory: restores what it backed up',
      ]),
    );
    expect(passed.length).toBe(report.numPassedTests);
    expect(report.numPassedTests).toBeGreaterThanOrEqual(17);
  });

  it('the packed CLI loads the copy (--provider, then coffer.config.json): backup, list, verify, restore byte for byte', async () => {
    // The README backs up the copy's src/ (one file): add a nested folder, an empty one and binary content to it.
    await mkdir(join(template.dir, 'src', 'fixture', 'ünï cödé', 'empty'), { recursive: true });
    await writeFile(
      join(template.dir, 'src', 'fixture', 'ünï cödé', 'Data File.BIN'),
      Buffer.from([0, 1, 2, 255, 10, 13]),
    );
    const lines = await runShellExample(
      template,
      exampleNamed('directory-template-cli'),
      { projectDir: template.dir },
      { installedFromTarballs: [] },
    );
    expect(lines.map((l) => l.line)).toEqual([
      'mkdir -p backups restored',
      'npx coffer backup directory --provider . --source ./src --out backups --comment "first try"',
      `echo '{ "providers": ["."] }' > coffer.config.json`,
      'npx coffer list backups',
      'npx coffer verify backups',
      'npx coffer restore directory --from backups --target ./restored',
      'diff -r src restored',
    ]);
    const [backup] = await readdir(join(template.dir, 'backups'));
    expect(backup).toMatch(/^src-\d{4}-\d{2}-\d{2}T\d{6}-[a-z0-9]+$/);
    expect(lines[3]!.stdout).toContain(`\tdirectory\tdirectory\tsrc\t${backup}\t`);
    expect(lines[4]!.stderr).toMatch(/All 1 backup verified/);
    // Byte for byte, not only what diff says: the same names and the same bytes, folder by folder.
    const tree = async (root: string) => {
      const names = (await readdir(root, { recursive: true, withFileTypes: true })).map(
        (d) => join(d.parentPath, d.name).slice(root.length + 1) + (d.isDirectory() ? '/' : ''),
      );
      return names.sort();
    };
    const sourceTree = await tree(join(template.dir, 'src'));
    expect(sourceTree).toContain('index.ts');
    expect(await tree(join(template.dir, 'restored'))).toEqual(sourceTree);
    for (const name of sourceTree.filter((n) => !n.endsWith('/'))) {
      expect(
        (await readFile(join(template.dir, 'restored', name))).equals(await readFile(join(template.dir, 'src', name))),
        name,
      ).toBe(true);
    }
    // The --comment reached the backup and comes back in the listing.
    const listed = await template.exec('coffer', ['list', 'backups', '--json']);
    expect(listed.code, describeRun('coffer list --json', listed)).toBe(0);
    const result = JSON.parse(listed.stdout.trim().split('\n').at(-1)!) as {
      backups: Array<{ id: string; provider: string; comment?: string }>;
    };
    expect(result.backups).toMatchObject([{ id: backup, provider: 'directory', comment: 'first try' }]);
  });
});
