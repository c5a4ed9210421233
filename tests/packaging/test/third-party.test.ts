import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { compileTsExamples, runShellExample, runTsExample } from './support/example-runner.js';
import { TYPESCRIPT_TOOLS, installProject, type InstalledProject } from './support/project.js';
import { exampleNamed } from './support/readme-examples.js';
import { describeRun } from './support/run.js';

// Scenario 3: a project that installs the CLI and a third-party provider (the packed example provider) and names it
// in its coffer.config.json; plus the provider author's tools (the testkit, TypeScript).
const TARBALLS = ['@coffer/cli', '@coffer/core', 'coffer-provider-directory', '@coffer/provider-testkit'];
const tsExamples = ['directory-programmatic', 'testkit-conformance', 'cli-programmatic'].map(exampleNamed);

describe('third-party provider project: @coffer/cli + coffer-provider-directory from coffer.config.json', () => {
  let project: InstalledProject;
  let context: { projectDir: string };

  beforeAll(async () => {
    project = await installProject({ name: 'third-party', tarballs: TARBALLS, devDependencies: { ...TYPESCRIPT_TOOLS } }, inject('tarballs'));
    context = { projectDir: project.dir };
    await mkdir(join(project.dir, 'my-folder', 'sub'), { recursive: true });
    await writeFile(join(project.dir, 'my-folder', 'a.txt'), 'alpha\n');
    await writeFile(join(project.dir, 'my-folder', 'sub', 'b.bin'), Buffer.from([0, 1, 2, 255]));
  });
  afterAll(async () => project?.remove());

  it('installs from the tarballs alone', () => {
    expect(project.installed.filter((n) => n.startsWith('@coffer/') || n.startsWith('coffer-'))).toEqual([...TARBALLS].sort());
    for (const [path, resolved] of Object.entries(project.cofferResolved)) expect(resolved, path).toMatch(/^file:/);
  });

  it("coffer-provider-directory's README session: the CLI loads it from coffer.config.json, backs up a folder, verifies", async () => {
    const lines = await runShellExample(project, exampleNamed('directory-cli-session'), context, { installedFromTarballs: TARBALLS });
    expect(lines.map((l) => l.line)).toEqual([
      `echo '{ "providers": ["coffer-provider-directory"] }' > coffer.config.json`,
      'mkdir -p backups',
      'npx coffer backup directory --out backups --source ./my-folder',
      'npx coffer verify backups',
    ]);
    expect(lines[3]!.stdout).toMatch(/^ok\s+my-folder-\S+\s+directory directory\s+2 files/);
    expect(lines[3]!.stderr).toMatch(/All 1 backup verified/);
    const [backup] = await readdir(join(project.dir, 'backups')).then((names) => names.filter((n) => n.startsWith('my-folder-')));
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
    expect(final.providers.find((p) => p.id === 'directory'), result.stdout).toMatchObject({
      source: 'config',
      specifier: 'coffer-provider-directory',
      packageName: 'coffer-provider-directory',
      resolvedPath: join(project.dir, 'node_modules', 'coffer-provider-directory', 'dist', 'index.js'),
    });
  });

  it("@coffer/cli's README third-party session: config, backup, list, restore into an empty folder", async () => {
    const lines = await runShellExample(project, exampleNamed('cli-directory-session'), context, { installedFromTarballs: TARBALLS });
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
    const final = JSON.parse(stdout.trim().split('\n').at(-1)!) as { type: string; operation: string; backups: Array<{ provider: string }> };
    expect(final).toMatchObject({ type: 'result', operation: 'list' });
    expect(final.backups.map((b) => b.provider)).toEqual(['directory']);
  });
});
